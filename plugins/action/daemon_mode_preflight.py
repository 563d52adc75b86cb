# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action modwsgi.apache.daemon_mode_preflight; documented in plugins/modules/.

Validates on the controller (plugins/plugin_utils/_role_input.py): bad input fails before the
host is reached. Then the module of the same name reads the host once, and what the host
contradicts fails here, naming the field; so does an embedded application that the run leaves
embedded and ``WSGIRestrictEmbedded On`` would make answer 500 (plugins/plugin_utils/_collateral.py).
Last it builds the role's whole plan (plugins/plugin_utils/_plan.py), rendering the role's
templates here, on the controller, as ``lookup('ansible.builtin.template')`` would in the
role: a template a user put in the role's search path still wins.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase
from ansible.plugins.loader import lookup_loader

from ansible_collections.modwsgi.apache.plugins.module_utils._constants import PROBE_PATH as PROBE_URL
from ansible_collections.modwsgi.apache.plugins.plugin_utils._carry import carry
from ansible_collections.modwsgi.apache.plugins.plugin_utils._collateral import collateral
from ansible_collections.modwsgi.apache.plugins.plugin_utils._plan import OURS, PlanError, build
from ansible_collections.modwsgi.apache.plugins.plugin_utils._role_input import (
    OS_SETTINGS, SETTINGS, RoleInputError, host_errors, os_candidates, pip_build, retired, role_families,
    validate, vhosts)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('apps', 'settings', 'probe_url', 'os_families'))

    def _refuse(self, result, errors):
        result.update(failed=True, msg='; '.join(errors), errors=errors)
        return result

    def _settings(self, task_vars):
        """Without the option settings, each of the role's settings (_role_input.SETTINGS) that
        the play defines (the role's defaults define all but the OS family's)."""
        given = self._task.args.get('settings')
        if given is not None:
            return given
        return dict((name, self._templar.resolve_variable_expression(name))
                    for name, dummy in SETTINGS if name in task_vars)

    def _lookup(self, plugin, name, task_vars, plan, **options):
        """One of the role's files or templates, found and rendered as the role's own lookup
        would find it (the task's search path: the role, then the play's directory), with the
        plan so far as ``__modwsgi_plan``."""
        variables = dict(task_vars)
        variables['__modwsgi_plan'] = plan
        variables.update(options.pop('extra', {}))
        # By its short name: ansible.builtin's, also where no collection loader is installed.
        found = lookup_loader.get(plugin, loader=self._loader, templar=self._templar)
        return found.run([name], variables=variables, **options)[0]

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self._task.args
        probe_url = args.get('probe_url') or PROBE_URL
        try:
            settings, apps = validate(self._settings(task_vars or {}), args.get('apps'), probe_url)
        except RoleInputError as exc:
            return self._refuse(result, exc.errors)
        table = args.get('os_families') or role_families()
        families = os_candidates(settings, apps, table)
        facts = (task_vars or {}).get('ansible_facts') or {}
        answer = self._execute_module(
            module_name='modwsgi.apache.daemon_mode_preflight',
            module_args=dict(apps=apps, probe_url=probe_url, families=families, os_family=facts.get('os_family'),
                             probe_secret=bool(settings.get('modwsgi_probe')),
                             mpm=settings.get('modwsgi_mpm', 'auto'), ours=OURS),
            task_vars=task_vars)
        if answer.get('failed'):
            result.update(answer)
            return result
        host = answer['host']
        chosen = families.get(host['os']['family'])
        if chosen is None:
            return self._refuse(result, [
                "the host's OS family is %s (os-release ID: %s): the role supports %s" % (
                    host['os']['family'], host['os']['id'], ', '.join(sorted(families)) or 'none')])
        settings.update((name, chosen[key]) for name, key in OS_SETTINGS.items())
        # What WSGIRestrictEmbedded On would refuse, of what this run does not convert.
        left, collateral_errors = collateral(host['existing'].get('mod_wsgi') or {}, apps, settings,
                                             OURS, probe_url)
        # modwsgi_install: pip builds mod_wsgi with the Python of the applications' venvs (or
        # modwsgi_pip_python): that is the Python each venv is checked against.
        pip, pip_errors = pip_build(settings, apps, host, chosen.get('pip'))
        if pip is not None and pip['version']:
            host['mod_wsgi_python'] = {'version': pip['version'], 'source': pip['source']}
        errors = pip_errors + host_errors(apps, host) + collateral_errors
        if errors:
            return self._refuse(result, errors)
        # What embedded mode gave the apps the role converts goes into their daemon groups (_carry.py).
        apps, carried, errors = carry(apps, host.get('embedded_python'), (host.get('existing') or {}).get('mod_wsgi'))
        if errors:
            return self._refuse(result, errors)
        installed = host['packages']
        # Where the host cannot tell, every package counts as missing: the package manager decides.
        check_mode = bool(self._task.check_mode)
        result.update(
            changed=False, apps=apps, settings=settings, check_mode=check_mode,
            vhosts=vhosts(apps), retired=retired(apps), os_family=host['os']['family'],
            pkg_mgr=host['os']['pkg_mgr'], service_mgr=host['os']['service_mgr'],
            apache_installed=host['ctl'], preview=check_mode and not host['ctl'],
            missing_packages=[name for name in chosen['packages'] if installed is None or not installed[name]],
            present_conflicts=[name for name in chosen['conflicts'] if installed is None or installed[name]],
            probe_secret_pending=bool(host.get('probe_secret_pending')),
            existing=host['existing'], mpm_target=host['mpm']['target'],
            thread_unsafe=host['mpm']['thread_unsafe'], mpm_pending=host['mpm']['pending'],
            service_ready=host['service_ready'], carried=carried, left_embedded=left, pip=pip)
        layout = dict(table[host['os']['family']])

        def render(name, extra):
            return self._lookup('template', name, task_vars or {}, result, extra=extra)
        try:
            build(result, host, layout, render,
                  self._lookup('file', 'probe.wsgi', task_vars or {}, result, rstrip=False), probe_url)
        except PlanError as exc:
            return self._refuse(result, exc.errors)
        return result
