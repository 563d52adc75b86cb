# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action modwsgi.apache.daemon_mode_preflight; documented in plugins/modules/.

Validates on the controller (plugins/plugin_utils/_role_input.py): bad input fails before the
host is reached. Then the module of the same name reads the host once, and what the host
contradicts fails here, naming the field.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.modwsgi.apache.plugins.plugin_utils._role_input import (
    RoleInputError, host_errors, retired, validate, vhosts)

PROBE_URL = '/.well-known/modwsgi-probe'


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('apps', 'settings', 'probe_url', 'ctl', 'conflicts', 'tls_packages'))

    def _refuse(self, result, errors):
        result.update(failed=True, msg='; '.join(errors), errors=errors)
        return result

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self._task.args
        probe_url = args.get('probe_url') or PROBE_URL
        try:
            settings, apps = validate(args.get('settings') or {}, args.get('apps'), probe_url)
        except RoleInputError as exc:
            return self._refuse(result, exc.errors)
        conflicts = [str(name) for name in args.get('conflicts') or []]
        if any(app['state'] == 'present' and app['tls'] for app in apps):
            # The distribution's ssl module, when it is a package of its own (RedHat's mod_ssl).
            extra = [str(name) for name in args.get('tls_packages') or []]
            settings['modwsgi_packages'] = settings.get('modwsgi_packages', []) + extra
        answer = self._execute_module(
            module_name='modwsgi.apache.daemon_mode_preflight',
            module_args=dict(apps=apps, settings=settings, probe_url=probe_url,
                             ctl=args.get('ctl'), conflicts=conflicts,
                             probe_secret=bool(settings.get('modwsgi_probe')),
                             mpm=settings.get('modwsgi_mpm', 'auto'), service=settings.get('modwsgi_service')),
            task_vars=task_vars)
        if answer.get('failed'):
            result.update(answer)
            return result
        host = answer['host']
        errors = host_errors(apps, host)
        if errors:
            return self._refuse(result, errors)
        installed = host['packages']
        packages = settings.get('modwsgi_packages', [])
        # Where the host cannot tell, every package counts as missing: the package manager decides.
        check_mode = bool(self._task.check_mode)
        result.update(
            changed=False, apps=apps, settings=settings, check_mode=check_mode,
            vhosts=vhosts(apps), retired=retired(apps),
            apache_installed=host['ctl'], preview=check_mode and not host['ctl'],
            missing_packages=[name for name in packages if installed is None or not installed[name]],
            present_conflicts=[name for name in conflicts if installed is None or installed[name]],
            probe_secret_pending=bool(host.get('probe_secret_pending')),
            existing=host['existing'], mpm_target=host['mpm']['target'],
            thread_unsafe=host['mpm']['thread_unsafe'], mpm_pending=host['mpm']['pending'],
            service_ready=host['service_ready'])
        return result
