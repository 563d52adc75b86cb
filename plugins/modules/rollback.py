#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: rollback
short_description: Put back what a failed run changed in Apache's files, restart, and fail saying why
version_added: 0.1.0
description:
  - Puts back every file, link and removal of a committed M(modwsgi.apache.config_files) set,
    from the state it kept under its backup directory (O(journal)), byte for byte, with mode
    and owner; removes the directories that set made when they are empty again.
  - Makes the MPM O(mpm) active again (as M(modwsgi.apache.mpm) would), when given.
  - When it put anything back, restarts Apache, and checks that each URL of O(before) answers
    the status it answered before the run.
  - Then B(always fails), with O(failure) followed by what it put back and what the site
    answers. The role C(modwsgi.apache.daemon_mode) calls it when a run fails after it began
    to change the host.
  - With O(keep=true) it changes nothing and fails with O(failure).
author:
  - modwsgi.apache maintainers (@modwsgi)
extends_documentation_fragment:
  - modwsgi.apache.attributes
  - modwsgi.apache.host_lock
attributes:
  check_mode:
    support: full
    details:
      - Changes nothing; fails with O(failure).
  diff_mode:
    support: none
options:
  failure:
    description: Why the run failed; the message begins with it.
    type: str
    required: true
  journal:
    description: The directory of the state before the run (RV(modwsgi.apache.config_files#module:journal)),
      or V(null) when the run committed no file.
    type: path
  mpm:
    description: The MPM to make active again, or V(null) when the run did not switch it.
    type: str
    choices: [prefork, worker, event]
  before:
    description: What the site's URLs answered before the run (RV(modwsgi.apache.config_files#module:answers_before)).
    type: list
    elements: dict
    default: []
  service:
    description: Apache's service name, restarted with C(systemctl) under systemd, else with
      Apache's control script.
    type: str
  keep:
    description: Put nothing back (the role's C(modwsgi_rollback=false)).
    type: bool
    default: false
seealso:
  - module: modwsgi.apache.config_files
  - module: modwsgi.apache.verify
'''

EXAMPLES = r'''
- name: Put back the state before the last run that changed Apache's files
  modwsgi.apache.rollback:
    failure: Undo the last run
    journal: /var/backups/modwsgi/last-run
    service: apache2
'''

RETURN = r'''
msg:
  description: O(failure), then what was put back, and what the site answers after the restart.
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.modwsgi.apache.plugins.module_utils import _host_lock
from ansible_collections.modwsgi.apache.plugins.module_utils import _rollback
from ansible_collections.modwsgi.apache.plugins.module_utils import _transaction
from ansible_collections.modwsgi.apache.plugins.module_utils import _verify
from ansible_collections.modwsgi.apache.plugins.module_utils._config_files import runner
from ansible_collections.modwsgi.apache.plugins.module_utils._constants import MPMS
from ansible_collections.modwsgi.apache.plugins.module_utils._host_access import host_access
from ansible_collections.modwsgi.apache.plugins.module_utils._mpm_switch import SwitchError, switch
from ansible_collections.modwsgi.apache.plugins.module_utils._preflight import systemctl_path


def main():
    module = AnsibleModule(
        argument_spec=dict(
            failure=dict(type='str', required=True),
            journal=dict(type='path'),
            mpm=dict(type='str', choices=list(MPMS)),
            before=dict(type='list', elements='dict', default=[]),
            service=dict(type='str'),
            keep=dict(type='bool', default=False),
            **_host_lock.ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    params = module.params
    run, find_bin = host_access(module)[:2]
    if module.check_mode:
        module.fail_json(msg=params['failure'], changed=False)

    def do_switch(mpm):
        try:
            return switch(run=run, find_bin=find_bin, target=mpm)['changed']
        except SwitchError as exc:
            raise _transaction.TransactionError('write', exc.msg, ['the MPM'])

    def restart():
        rc, out, err = run(_rollback.restart_command(params['service'], systemctl_path(find_bin), runner(find_bin)))
        return rc == 0, (err or out).strip()

    try:
        with _host_lock.for_module(module, 'modwsgi.apache.rollback'):
            changed, msg = _rollback.rollback(
                params['failure'], journal=params['journal'], mpm=params['mpm'], keep=params['keep'],
                restore=_transaction.restore_journal, switch=do_switch, restart=restart,
                recheck=lambda: _verify.recheck(params['before']))
    except (_transaction.TransactionError, ValueError, IOError, OSError) as exc:
        module.fail_json(msg='%s. Rolling back FAILED: %s' % (params['failure'], exc), changed=True)
    module.fail_json(msg=msg, changed=changed)


if __name__ == '__main__':
    main()
