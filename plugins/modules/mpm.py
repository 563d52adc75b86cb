#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: mpm
short_description: Make one Apache MPM the active one, safely
version_added: 0.1.0
description:
  - Makes O(name) the MPM that Apache loads, the way the host's layout selects it.
  - On Debian, leaves exactly the C(mods-enabled/mpm_*.load) and C(.conf) symlinks that
    C(a2dismod) and C(a2enmod) would leave. On RedHat, leaves exactly one active
    C(LoadModule mpm_*) line in C(/etc/httpd/conf.modules.d/00-mpm.conf) and keeps every
    other line. On SUSE, sets C(APACHE_MPM) in C(/etc/sysconfig/apache2).
  - Before it changes anything, it refuses a threaded MPM (V(worker), V(event)) while a
    module that is not thread-safe (mod_php and the others C(mpm_facts) reports) is loaded,
    unless O(force=true). It also refuses when Apache's configuration is already broken.
  - After the change it runs Apache's configuration test (C(-t)). When the test fails, every
    file it changed is restored byte for byte and the module fails with Apache's message.
  - A switch that was interrupted half-way (two MPMs enabled) is completed by the next run.
  - The module never restarts Apache. An MPM change needs a full restart, not a graceful
    one; RV(restart_required) says when it is due.
  - It holds the host lock (O(lock_timeout)) from before it reads Apache's configuration until
    the test has passed or every file is restored.
author:
  - modwsgi.apache maintainers (@modwsgi)
extends_documentation_fragment:
  - modwsgi.apache.attributes
  - modwsgi.apache.host_lock
attributes:
  check_mode:
    support: full
    details:
      - The refusals and the configuration test of the current state run in check mode too.
  diff_mode:
    support: full
    details:
      - The MPM name before and after, then one diff per changed file or symlink.
options:
  name:
    description:
      - The MPM to make active.
    type: str
    required: true
    choices: [prefork, worker, event]
  force:
    description:
      - Switch to a threaded MPM even while a module that is not thread-safe is loaded.
      - The module still warns. Requests served by that module may then crash or corrupt data.
    type: bool
    default: false
notes:
  - Statically compiled MPMs (a build without C(--enable-mpms-shared)) cannot be switched by
    configuration; the module fails and says so.
  - On SUSE the MPM is a separate binary; when C(/usr/sbin/httpd-<mpm>) is missing, the
    module fails and names the package that provides it (C(apache2-prefork),
    C(apache2-worker) or C(apache2-event)).
  - On Debian the module does not record the change in C(/var/lib/apache2/module/), where
    C(a2enmod) keeps its notes on what the administrator enabled or disabled.
  - Only the files named above are changed. An MPM loaded by a C(LoadModule) elsewhere makes
    the module fail and name that file and line.
seealso:
  - module: modwsgi.apache.mpm_facts
  - name: mod_wsgi, processes and threading
    description: Why daemon mode under prefork is the safe choice next to mod_php.
    link: https://modwsgi.readthedocs.io/en/master/user-guides/processes-and-threading.html
'''

EXAMPLES = r'''
- name: Use the event MPM
  modwsgi.apache.mpm:
    name: event
  register: apache_mpm

- name: Restart Apache fully when the MPM changed
  ansible.builtin.systemd_service:
    name: apache2
    state: restarted
  when: apache_mpm.restart_required

- name: Switch to worker even though mod_php is loaded (not recommended)
  modwsgi.apache.mpm:
    name: worker
    force: true
'''

RETURN = r'''
previous:
  description: The MPM the configuration selected before the run, or V(null) when none was found.
  returned: always
  type: str
  sample: event
current:
  description: The MPM the configuration selects after the run (in check mode, would select).
  returned: always
  type: str
  sample: prefork
changed_files:
  description: The files and symlinks that were changed (in check mode, would be changed).
  returned: always
  type: list
  elements: str
  sample: [/etc/apache2/mods-enabled/mpm_event.load, /etc/apache2/mods-enabled/mpm_prefork.load]
restart_required:
  description:
    - Whether Apache needs a full restart (not a graceful one) to run RV(current).
    - True when the running server's MPM (read from C(/proc)) is not RV(current), for
      example after this run changed it, or after an earlier run whose restart never came.
    - When the running MPM cannot be read (Apache stopped, no access to C(/proc)), true
      whenever the files changed.
  returned: always
  type: bool
  sample: true
running:
  description: The MPM of the running Apache, from the modules its parent has mapped; V(null)
    when Apache is not running or that cannot be read.
  returned: always
  type: str
  sample: event
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.modwsgi.apache.plugins.module_utils import _host_lock
from ansible_collections.modwsgi.apache.plugins.module_utils._host_access import host_access
from ansible_collections.modwsgi.apache.plugins.module_utils._constants import MPMS
from ansible_collections.modwsgi.apache.plugins.module_utils._mpm_switch import SwitchError, switch


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True, choices=list(MPMS)),
            force=dict(type='bool', default=False),
            **_host_lock.ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    run, find_bin = host_access(module)[:2]
    try:
        with _host_lock.for_module(module, 'modwsgi.apache.mpm'):
            result = switch(
                run=run,
                find_bin=find_bin,
                target=module.params['name'],
                force=module.params['force'],
                check_mode=module.check_mode,
            )
    except SwitchError as exc:
        result = dict(exc.result)
        for warning in result.pop('warnings', []):
            module.warn(warning)
        result.setdefault('changed', False)
        module.fail_json(msg=exc.msg, **result)
    for warning in result.pop('warnings'):
        module.warn(warning)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
