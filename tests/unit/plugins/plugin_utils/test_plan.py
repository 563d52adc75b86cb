# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's whole plan (plugins/plugin_utils/_plan.py), made by the action from a real host read.

The host: Debian 12's captured /etc/apache2 (fixtures/trees) with Molecule in_place's legacy
site (molecule/in_place/files/legacy.conf), read by the host module's own code
(module_utils/_preflight.py, read_apache). The role's own templates are rendered by Ansible's
template lookup, through the action, as the role renders them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
from pathlib import Path

import pytest
import yaml

from ansible_collections.modwsgi.apache.plugins.module_utils._preflight import read_apache
from ansible_collections.modwsgi.apache.tests.unit.helpers import (
    DebianHost, controller_code, debian_sysroot, find_debian_bin)

ROOT = Path(__file__).resolve().parents[4]
ROLE = ROOT / 'roles' / 'daemon_mode'
LEGACY_FILE = ROOT / 'molecule' / 'in_place' / 'files' / 'legacy.conf'
if not LEGACY_FILE.exists():
    pytest.skip('molecule/ is not shipped', allow_module_level=True)

FAMILIES = yaml.safe_load((ROLE / 'vars' / 'main.yml').read_text())['__modwsgi_os_families']
DEFAULTS = yaml.safe_load((ROLE / 'defaults' / 'main.yml').read_text())
APPS = [
    # The role's own virtual host: one app on port 80, one on 8080 under /beta (role_default's).
    {'name': 'alpha', 'server_name': 'alpha.test', 'wsgi_script': '/srv/alpha/app.wsgi'},
    {'name': 'beta', 'server_name': 'beta.test', 'port': 8080, 'url_path': '/beta',
     'wsgi_script': '/srv/beta/app.wsgi', 'threads': 4},
    # The legacy site converted in place, where it is.
    {'name': 'shop', 'server_name': 'legacy.test', 'port': 443, 'wsgi_script': '/srv/legacy/shop/shop.wsgi',
     'takeover': 'in_place'},
    {'name': 'gone', 'state': 'absent'},
]
ENABLED = '/etc/apache2/sites-enabled/legacy.conf'
AVAILABLE = '/etc/apache2/sites-available/legacy.conf'


class Task(object):
    def __init__(self, args, check_mode):
        self.args = args
        self.check_mode = check_mode
        self.async_val = 0
        self.action = 'modwsgi.apache.daemon_mode_preflight'


class Connection(object):
    class _shell(object):  # noqa: N801  pylint: disable=invalid-name
        tmpdir = '/tmp/x'


def host_answer(tmp_path):
    """What the host module answers on Debian 12 with the legacy site, read by its own code."""
    root = debian_sysroot(tmp_path, '12', 'event')
    with open(root + AVAILABLE, 'w') as handle:
        handle.write(LEGACY_FILE.read_text())
    os.symlink('../sites-available/legacy.conf', root + ENABLED)
    with controller_code():
        from ansible_collections.modwsgi.apache.plugins.plugin_utils._plan import OURS
    apache = read_apache(DebianHost('12', root), find_debian_bin, 'auto', 'apache2', sysroot=root,
                         proc_root=os.path.join(root, 'proc'), apps=APPS, ours=OURS)
    scripts = dict((app['wsgi_script'], True) for app in APPS if 'wsgi_script' in app)
    host = {'venvs': {}, 'venv_pythons': {}, 'scripts': scripts, 'users': {}, 'groups': {}, 'files': {},
            # Debian's packages of both modwsgi_install values: the distribution's are installed.
            'packages': dict((name, name in ('apache2', 'libapache2-mod-wsgi-py3'))
                             for name in FAMILIES['Debian']['packages']['pip'] + ['libapache2-mod-wsgi-py3']),
            'ctl': True,
            'os': {'family': 'Debian', 'id': 'debian', 'pkg_mgr': 'apt', 'service_mgr': 'systemd'}}
    host.update(apache)
    return host


def run_plan(tmp_path, search_path, settings=None, check_mode=False):
    """The action's result, with Ansible's own loader and templar rendering the templates."""
    with controller_code():
        from ansible.parsing.dataloader import DataLoader
        from ansible.template import Templar
        from ansible_collections.modwsgi.apache.plugins.action.daemon_mode_preflight import ActionModule
    variables = dict(DEFAULTS, modwsgi_apps=APPS, modwsgi_restrict_embedded=False, ansible_search_path=search_path,
                     role_path=str(ROLE), **(settings or {}))
    loader = DataLoader()
    templar = Templar(loader=loader, variables=variables)
    plugin = ActionModule(Task({'apps': APPS, 'os_families': FAMILIES}, check_mode), Connection(), None, loader,
                          templar, None)
    answer = host_answer(tmp_path)
    calls = []

    def execute(module_name, module_args, task_vars):
        calls.append(module_args)
        return {'changed': False, 'host': answer}
    plugin._execute_module = execute  # pylint: disable=protected-access
    return plugin.run(task_vars=variables), calls


def test_the_whole_plan_from_one_host_read(tmp_path):
    plan, calls = run_plan(tmp_path, [str(ROLE)], {'modwsgi_mpm_tuning': 'auto'})
    assert not plan.get('failed'), plan.get('msg')
    assert len(calls) == 1 and calls[0]['ours'] == '/modwsgi-[^/]+[.]conf$'
    # Every file, in the order the role always wrote them; the legacy site is the file its link points to.
    assert [entry['path'] for entry in plan['files']] == [
        '/usr/local/share/modwsgi-probe/probe.wsgi', '/etc/apache2/conf-available/modwsgi.conf',
        '/etc/apache2/conf-available/modwsgi-mpm-tuning.conf', '/etc/apache2/sites-available/modwsgi-alpha.conf',
        '/etc/apache2/sites-available/modwsgi-beta.conf', AVAILABLE]
    texts = dict((entry['path'], entry['content']) for entry in plan['files'])
    assert texts['/usr/local/share/modwsgi-probe/probe.wsgi'] == (ROLE / 'files' / 'probe.wsgi').read_text()
    beta = texts['/etc/apache2/sites-available/modwsgi-beta.conf']
    assert beta.startswith('# Managed by modwsgi.apache.daemon_mode: application beta.')
    assert '    WSGIDaemonProcess beta processes=2 threads=4 display-name=%{GROUP} home=/srv/beta\n' in beta
    assert 'WSGIScriptAlias /.well-known/modwsgi-probe/beta /usr/local/share/modwsgi-probe/probe.wsgi' in beta
    assert 'Listen 8080\n' in texts['/etc/apache2/conf-available/modwsgi.conf']
    assert 'WSGIRestrictEmbedded Off' in texts['/etc/apache2/conf-available/modwsgi.conf']
    assert 'MaxRequestWorkers' in texts['/etc/apache2/conf-available/modwsgi-mpm-tuning.conf']
    assert 'WSGIDaemonProcess shop ' in texts[AVAILABLE]
    assert [(link['path'], link['src'], link.get('on_change')) for link in plan['links']] == [
        ('/etc/apache2/conf-enabled/modwsgi.conf', '../conf-available/modwsgi.conf', None),
        ('/etc/apache2/conf-enabled/modwsgi-mpm-tuning.conf', '../conf-available/modwsgi-mpm-tuning.conf', 'restart'),
        ('/etc/apache2/mods-enabled/wsgi.load', '../mods-available/wsgi.load', 'restart'),
        ('/etc/apache2/mods-enabled/wsgi.conf', '../mods-available/wsgi.conf', 'restart'),
        ('/etc/apache2/sites-enabled/modwsgi-alpha.conf', '../sites-available/modwsgi-alpha.conf', None),
        ('/etc/apache2/sites-enabled/modwsgi-beta.conf', '../sites-available/modwsgi-beta.conf', None)]
    # modwsgi_install: package unloads a pip build of an earlier run; the files of the app
    # converted in place (its own site serves it) and of the absent app go.
    assert [entry['path'] for entry in plan['absent']] == [
        '/etc/apache2/mods-enabled/modwsgi-pip.load', '/etc/apache2/mods-available/modwsgi-pip.load',
        '/etc/apache2/sites-enabled/modwsgi-shop.conf', '/etc/apache2/sites-available/modwsgi-shop.conf',
        '/etc/apache2/sites-enabled/modwsgi-gone.conf', '/etc/apache2/sites-available/modwsgi-gone.conf']
    assert plan['takeovers'] == []
    # What verify and reload ask: the in-place app at its own site (https, its certificate not checked).
    assert [(t['name'], t['url'], t['validate_certs'], t['processes'], t['threads']) for t in plan['verify']] == [
        ('alpha', 'http://127.0.0.1:80/.well-known/modwsgi-probe/alpha', True, 2, 15),
        ('beta', 'http://127.0.0.1:8080/.well-known/modwsgi-probe/beta', True, 2, 4),
        ('shop', 'https://127.0.0.1:443/.well-known/modwsgi-probe/shop', False, 2, 15)]
    assert [note.split(':')[0] for note in plan['notes']] == ['modwsgi_mpm_tuning=auto']


def test_a_template_found_first_in_the_search_path_wins(tmp_path):
    override = tmp_path / 'override'
    (override / 'templates').mkdir(parents=True)
    (override / 'templates' / 'vhost.conf.j2').write_text('# mine: {{ vhost.apps | map(attribute="name") | join(",") }}\n')
    plan, dummy = run_plan(tmp_path / 'host', [str(override), str(ROLE)])
    assert not plan.get('failed'), plan.get('msg')
    texts = dict((entry['path'], entry['content']) for entry in plan['files'])
    assert texts['/etc/apache2/sites-available/modwsgi-alpha.conf'] == '# mine: alpha\n'
    assert texts['/etc/apache2/conf-available/modwsgi.conf'].startswith('# Managed by modwsgi.apache.daemon_mode')


def test_check_mode_says_what_a_real_run_would_install(tmp_path):
    plan, dummy = run_plan(tmp_path, [str(ROLE)], {'modwsgi_install': 'pip'}, check_mode=True)
    assert not plan.get('failed'), plan.get('msg')
    assert plan['notes'][-2:] == ['would install apache2-dev, gcc, python3-dev, python3-venv, python3-packaging',
                                  'would remove libapache2-mod-wsgi-py3']
    # pip: the links that enabled the distribution's mod_wsgi go, the pip build's own file stays.
    assert not [link for link in plan['links'] if 'mods-enabled' in link['path']]
    assert [(entry['path'], entry['backup'], entry['on_change']) for entry in plan['absent'][2:4]] == [
        ('/etc/apache2/mods-enabled/wsgi.load', False, 'restart'), ('/etc/apache2/mods-enabled/wsgi.conf', False, 'restart')]
    assert not [entry for entry in plan['absent'] if 'pip' in entry['path']]
