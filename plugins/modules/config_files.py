#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: config_files
short_description: Write, link and remove a set of Apache files as one transaction
version_added: 0.1.0
description:
  - Takes a whole set of changes to Apache's files in one call. It writes the O(files) (their
    content is given, for example rendered from templates on the controller), makes the
    O(links) (C(a2ensite) and C(a2enconf) leave such symlinks) and removes the O(absent) paths.
  - A regular file it removes is copied first under O(backup_dir) (directories 0700, copies
    0600), and RV(backups) names each copy. A symlink is only unlinked; its target stays.
  - Then it runs Apache's configuration test (C(apachectl -t) with C(LANG=C)). When the test
    fails, every file and link is restored byte for byte, with its mode and owner, the copies
    and directories it made are removed, and the module fails with Apache's message. Apache
    is not touched and keeps serving.
  - When it commits, it keeps the state every path had before (bytes, mode and owner; a symlink
    as a symlink; an absent path as absent) in the directory C(last-run) under O(backup_dir)
    (RV(journal)), replacing the one of an earlier run; M(modwsgi.apache.rollback) puts it back.
    No file content goes through the module's result.
  - It never reloads or restarts Apache. RV(reload_required) and RV(restart_required) say
    which one the changes need.
  - It holds the host lock (O(lock_timeout)) from before it reads the paths until the test has
    passed or every path is restored.
author:
  - modwsgi.apache maintainers (@modwsgi)
extends_documentation_fragment:
  - modwsgi.apache.attributes
  - modwsgi.apache.host_lock
attributes:
  check_mode:
    support: full
    details:
      - Computes every change from the paths as they are and touches nothing. The
        configuration test does not run. Works on a host where the directories do not exist
        yet (before Apache is installed).
  diff_mode:
    support: full
    details:
      - One diff per path, headed by the path and its kind (file, symlink or absent).
options:
  files:
    description: The files to write. Missing parent directories are made (mode 0755).
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path of the file.
        type: path
        required: true
      content:
        description: The whole content of the file (UTF-8).
        type: str
        required: true
      mode:
        description: The file's mode, in octal.
        type: str
        default: '0644'
      owner:
        description: The file's owner.
        type: str
        default: root
      group:
        description: The file's group.
        type: str
        default: root
      on_change:
        description: What Apache needs when this file changes.
        type: str
        choices: [reload, restart]
        default: reload
  links:
    description: The symlinks to make (an existing file or link at O(links[].path) is replaced).
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path of the link.
        type: path
        required: true
      src:
        description: What the link points to, as written (for example V(../sites-available/shop.conf)).
        type: str
        required: true
      on_change:
        description: What Apache needs when this link changes.
        type: str
        choices: [reload, restart]
        default: reload
  absent:
    description: The paths to remove (disable a site by removing its link or file).
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path to remove.
        type: path
        required: true
      backup:
        description: Copy a regular file under O(backup_dir) before removing it.
        type: bool
        default: true
      on_change:
        description: What Apache needs when this path is removed.
        type: str
        choices: [reload, restart]
        default: reload
  record:
    description:
      - URLs to request before anything is written, when something is to change (not in check
        mode), through Apache as it serves now; RV(answers_before) says what each answered. The
        role records so what a site converted in place answered before the run.
      - A redirect is not followed; an https URL is sent with O(record[].host) as the TLS
        server name, and its certificate is not checked.
    type: list
    elements: dict
    default: []
    suboptions:
      url:
        description: The URL, for example V(https://127.0.0.1:443/).
        type: str
        required: true
      host:
        description: The Host header (and TLS server name).
        type: str
  backup_dir:
    description: Where copies of removed files are kept, each under its own full path.
    type: path
    default: /var/backups/modwsgi
  config_test:
    description: Run Apache's configuration test after the change, and restore everything when it fails.
    type: bool
    default: true
seealso:
  - module: modwsgi.apache.mpm
'''

EXAMPLES = r'''
- name: Write and enable a site, disable the default one, in one transaction
  modwsgi.apache.config_files:
    files:
      - path: /etc/apache2/sites-available/shop.conf
        content: "{{ lookup('ansible.builtin.template', 'shop.conf.j2') }}"
    links:
      - path: /etc/apache2/sites-enabled/shop.conf
        src: ../sites-available/shop.conf
    absent:
      - path: /etc/apache2/sites-enabled/000-default.conf
        on_change: restart
  register: apache_files

- name: Restart Apache when a change needs it
  ansible.builtin.systemd_service:
    name: apache2
    state: restarted
  when: apache_files.restart_required
'''

RETURN = r'''
changes:
  description: What changed (in check mode, would change), one entry per path.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The path.
      type: str
    action:
      description: V(write), V(attributes) (only mode or owner), V(link) or V(remove).
      type: str
    on_change:
      description: V(reload) or V(restart).
      type: str
  sample: [{path: /etc/apache2/sites-available/shop.conf, action: write, on_change: reload}]
backups:
  description: The copy of each removed regular file (in check mode, the copy that would be made).
  returned: always
  type: list
  elements: dict
  sample: [{path: /etc/apache2/sites-available/legacy.conf,
            backup: /var/backups/modwsgi/etc/apache2/sites-available/legacy.conf}]
journal:
  description: The directory holding the state before this run's changes, or V(null) when
    nothing was committed (no change, check mode, or a failed configuration test).
  returned: always
  type: str
  sample: /var/backups/modwsgi/last-run
answers_before:
  description: What each URL of O(record) answered before anything was written (only when
    something changed, and not in check mode); its C(status) is V(null) when it
    did not answer.
  returned: always
  type: list
  elements: dict
  sample: [{url: 'https://127.0.0.1:443/', host: shop.example.com, status: 200}]
reload_required:
  description: Whether a change asks for a graceful reload of Apache.
  returned: always
  type: bool
restart_required:
  description: Whether a change asks for a full restart of Apache (which covers a reload).
  returned: always
  type: bool
'''

import functools

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.modwsgi.apache.plugins.module_utils._host_access import host_access
from ansible_collections.modwsgi.apache.plugins.module_utils import _config_files
from ansible_collections.modwsgi.apache.plugins.module_utils import _host_lock
from ansible_collections.modwsgi.apache.plugins.module_utils import _verify
from ansible_collections.modwsgi.apache.plugins.module_utils._transaction import config_test

_ON_CHANGE = dict(type='str', choices=list(_config_files.ON_CHANGE), default='reload')


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type='list', elements='dict', default=[], options=dict(
                path=dict(type='path', required=True),
                content=dict(type='str', required=True),
                mode=dict(type='str', default='0644'),
                owner=dict(type='str', default='root'),
                group=dict(type='str', default='root'),
                on_change=_ON_CHANGE)),
            links=dict(type='list', elements='dict', default=[], options=dict(
                path=dict(type='path', required=True),
                src=dict(type='str', required=True),
                on_change=_ON_CHANGE)),
            absent=dict(type='list', elements='dict', default=[], options=dict(
                path=dict(type='path', required=True),
                backup=dict(type='bool', default=True),
                on_change=_ON_CHANGE)),
            backup_dir=dict(type='path', default='/var/backups/modwsgi'),
            record=dict(type='list', elements='dict', default=[], options=dict(
                url=dict(type='str', required=True),
                host=dict(type='str'))),
            config_test=dict(type='bool', default=True),
            **_host_lock.ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    run, find_bin = host_access(module)[:2]
    test = None
    if module.params['config_test'] and not module.check_mode:
        runner = _config_files.runner(find_bin)
        if runner is None:
            module.fail_json(msg='config_test: Apache is not installed (no apachectl found), so '
                             'the configuration cannot be tested; nothing was changed')
        test = functools.partial(config_test, run, runner)
    try:
        with _host_lock.for_module(module, 'modwsgi.apache.config_files'):
            result = _config_files.apply_set(
                files=module.params['files'], links=module.params['links'],
                absent=module.params['absent'], backup_dir=module.params['backup_dir'],
                test=test, check_mode=module.check_mode,
                before=functools.partial(_verify.answers, module.params['record']))
    except _config_files.ConfigFilesError as exc:
        module.fail_json(msg=exc.msg, **exc.result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
