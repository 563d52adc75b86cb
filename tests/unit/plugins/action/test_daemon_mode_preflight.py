# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action modwsgi.apache.daemon_mode_preflight: validate on the controller, then one host call.

The host module's answer is given here (the module itself: module_utils/test_preflight.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import os

import pytest
import yaml

from ansible.module_utils import _internal
from ansible_collections.modwsgi.apache.tests.unit.helpers import controller_code


# Imported once, when pytest collects this file, and not in each test: ansible-test runs every
# test in a fork of its own, which would import the action (and ActionBase) again each time.
# Importing controller code marks the process as the controller (module warnings then go to
# the display): controller_code() puts the mark back, so that the modules' tests still run as
# on a host.
with controller_code():
    _ACTION = importlib.import_module('ansible_collections.modwsgi.apache.plugins.action.daemon_mode_preflight')


@pytest.fixture
def action_class(monkeypatch):
    """ActionModule; what a test's run of it marks is put back after the test."""
    monkeypatch.setattr(_internal, 'is_controller', _internal.is_controller)
    return _ACTION.ActionModule


class Task(object):
    """What ActionBase reads of a task."""

    def __init__(self, args, check_mode):
        self.args = args
        self.check_mode = check_mode
        self.async_val = 0
        self.action = 'modwsgi.apache.daemon_mode_preflight'


class Shell(object):
    tmpdir = '/tmp/x'


class Connection(object):
    _shell = Shell()


APP = {'name': 'shop', 'server_name': 'shop.example', 'wsgi_script': '/srv/shop/app.wsgi',
       'python_home': '/srv/shop/venv', 'takeover': 'false'}


def role_families():
    """The role's own table of OS families (module_utils/_constants.py, ROLE_FAMILIES)."""
    from ansible_collections.modwsgi.apache.plugins.plugin_utils._role_input import role_families as table  # pylint: disable=import-outside-toplevel
    return table()


# As a task may pass them: the settings a user did not set are null.
ARGS = {'apps': [APP], 'settings': {'modwsgi_install': 'pip', 'modwsgi_probe': 'yes', 'modwsgi_service': None,
                                    'modwsgi_packages': None, 'modwsgi_socket_prefix': None},
        'os_families': role_families()}
DEBIAN_PIP = ['apache2', 'apache2-dev', 'gcc', 'python3-dev', 'python3-venv', 'python3-packaging']
HOST = {'venvs': {'/srv/shop/venv': True}, 'scripts': {'/srv/shop/app.wsgi': True}, 'users': {}, 'groups': {},
        'packages': dict((name, name == 'apache2') for name in DEBIAN_PIP + ['libapache2-mod-wsgi-py3']),
        'ctl': False,
        'os': {'family': 'Debian', 'id': 'debian', 'pkg_mgr': 'apt', 'service_mgr': 'systemd'},
        # read_apache's part (module_utils/test_preflight.py), on a host without Apache.
        'existing': {'mod_wsgi': {'installed': False, 'vhosts': []}, 'apache': {'installed': False}},
        'mpm': {'target': 'event', 'thread_unsafe': [], 'pending': True}, 'service_ready': False}


def action(action_class, args, check_mode, answer, facts=None):
    plugin = action_class(Task(args, check_mode), Connection(), None, None, None, None)
    calls = []

    def execute(module_name, module_args, task_vars):
        calls.append((module_name, module_args))
        return answer
    plugin._execute_module = execute  # pylint: disable=protected-access

    def lookup(dummy_plugin, name, dummy_vars, plan, **options):
        # The role's templates themselves are rendered in test_plan.py.
        return 'text of %s%s' % (name, ''.join(' %s' % vhost['file'] for vhost in options.get('extra', {}).values()))
    plugin._lookup = lookup  # pylint: disable=protected-access
    return plugin.run(task_vars={'ansible_facts': facts or {}}), calls


@pytest.mark.parametrize('check_mode', [True, False])
def test_the_action_validates_then_reads_the_host_once(action_class, check_mode):
    result, calls = action(action_class, ARGS, check_mode, {'changed': False, 'host': HOST})
    assert not result.get('failed'), result
    assert len(calls) == 1 and calls[0][0] == 'modwsgi.apache.daemon_mode_preflight'
    # The host module gets the normalized applications.
    assert calls[0][1]['apps'][0]['takeover'] is False and calls[0][1]['apps'][0]['port'] == 80
    assert result['apps'] == calls[0][1]['apps'] and result['settings']['modwsgi_probe'] is True
    assert result['check_mode'] is check_mode and result['preview'] is check_mode
    assert result['apache_installed'] is False and result['changed'] is False
    # Debian's packages for modwsgi_install=pip, and its conflict (preflight's table).
    assert result['missing_packages'] == DEBIAN_PIP[1:] and result['present_conflicts'] == []
    # modwsgi_probe is on: the host says whether the probe's secret would be made.
    assert calls[0][1]['probe_secret'] is True and result['probe_secret_pending'] is False
    # The same call reads Apache for the MPM and service steps (modwsgi_mpm's default: auto).
    assert calls[0][1]['mpm'] == 'auto'
    assert result['existing'] == HOST['existing'] and result['mpm_target'] == 'event'
    assert result['mpm_pending'] is True and result['thread_unsafe'] == [] and result['service_ready'] is False


def test_the_host_finds_its_os_family_and_the_settings_take_its_values(action_class):
    result, calls = action(action_class, ARGS, False, {'changed': False, 'host': HOST})
    # No facts gathered: the module reads the family on the host, from every family's candidates.
    assert calls[0][1]['os_family'] is None and sorted(calls[0][1]['families']) == ['Debian', 'RedHat']
    assert calls[0][1]['families']['RedHat'] == {
        'ctl': '/usr/sbin/apachectl', 'service': 'httpd', 'socket_prefix': '/var/run/wsgi',
        'packages': ['httpd', 'httpd-devel', 'gcc', 'python3-devel', 'python3-packaging'],
        'conflicts': ['python3-mod_wsgi'], 'pip': {'python': '/usr/bin/python3', 'venv': '/opt/modwsgi/venv'}}
    assert (result['os_family'], result['pkg_mgr'], result['service_mgr']) == ('Debian', 'apt', 'systemd')
    settings = result['settings']
    assert (settings['modwsgi_service'], settings['modwsgi_socket_prefix'], settings['modwsgi_packages']) == (
        'apache2', '/var/run/apache2/wsgi', DEBIAN_PIP)


def test_gathered_facts_name_the_family(action_class):
    dummy, calls = action(action_class, ARGS, False, {'changed': False, 'host': HOST}, facts={'os_family': 'Debian'})
    assert calls[0][1]['os_family'] == 'Debian'


def test_the_user_s_settings_replace_the_family_s_and_tls_adds_its_packages(action_class):
    settings = dict(ARGS['settings'], modwsgi_install='package', modwsgi_service='web', modwsgi_packages=['apache2'])
    tls = dict(APP, tls={'certificate': '/etc/ssl/a.pem', 'key': '/etc/ssl/a.key'})
    result, calls = action(action_class, dict(ARGS, settings=settings, apps=[tls]), False,
                           {'changed': False, 'host': dict(HOST, files={'/etc/ssl/a.pem': True, '/etc/ssl/a.key': True})})
    assert result['settings']['modwsgi_service'] == 'web' and result['settings']['modwsgi_packages'] == ['apache2']
    families = calls[0][1]['families']
    assert families['Debian'] == {'ctl': '/usr/sbin/apache2ctl', 'service': 'web', 'packages': ['apache2'],
                                  'socket_prefix': '/var/run/apache2/wsgi', 'conflicts': []}
    assert families['RedHat']['packages'] == ['apache2', 'mod_ssl'] and families['RedHat']['service'] == 'web'


def test_a_host_of_another_family_is_refused_naming_it(action_class):
    answer = {'changed': False, 'host': {'os': {'family': 'Suse', 'id': 'opensuse-leap'}}}
    result, dummy = action(action_class, ARGS, False, answer)
    assert result['failed'] and result['msg'] == (
        "the host's OS family is Suse (os-release ID: opensuse-leap): the role supports Debian, RedHat")


@pytest.mark.parametrize('probe', [True, False])
def test_the_probe_secret_is_asked_only_with_the_probe(action_class, probe):
    args = dict(ARGS, settings=dict(ARGS['settings'], modwsgi_probe=probe))
    result, calls = action(action_class, args, False,
                           {'changed': False, 'host': dict(HOST, probe_secret_pending=probe)})
    assert calls[0][1]['probe_secret'] is probe and result['probe_secret_pending'] is probe


def test_the_mpm_setting_reaches_the_host(action_class):
    args = dict(ARGS, settings=dict(ARGS['settings'], modwsgi_mpm='prefork'))
    result, calls = action(action_class, args, False, {'changed': False, 'host': dict(
        HOST, mpm={'target': 'prefork', 'thread_unsafe': ['php_module'], 'pending': False}, service_ready=True)})
    assert calls[0][1]['mpm'] == 'prefork'
    assert (result['mpm_target'], result['thread_unsafe'], result['mpm_pending'], result['service_ready']) == (
        'prefork', ['php_module'], False, True)


def test_bad_input_fails_before_the_host_is_reached(action_class):
    result, calls = action(action_class, dict(ARGS, apps=[dict(APP, port='http')]), False, None)
    assert calls == []
    assert result['failed'] and result['msg'] == 'modwsgi_apps[0].port: "http" is not a port (1-65535)'
    assert result['errors'] == [result['msg']]


def test_a_bad_service_setting_fails_before_the_host_is_reached(action_class):
    args = dict(ARGS, settings=dict(ARGS['settings'], modwsgi_service='apache2\nListen 81'))
    result, calls = action(action_class, args, False, None)
    assert calls == [] and result['msg'] == 'modwsgi_service: must be a service name'


def test_what_the_host_contradicts_fails_naming_the_field(action_class):
    result, _calls = action(action_class, ARGS, False, {'changed': False, 'host': dict(HOST, venvs={'/srv/shop/venv': False})})
    assert result['failed'] and result['msg'] == (
        'modwsgi_apps[0].python_home: /srv/shop/venv is not a virtual environment on the host (no pyvenv.cfg)')


def test_a_host_that_cannot_tell_its_packages_lists_them_all(action_class):
    result, _calls = action(action_class, ARGS, False, {'changed': False, 'host': dict(HOST, packages=None, ctl=True)})
    assert result['missing_packages'] == DEBIAN_PIP
    assert result['present_conflicts'] == ['libapache2-mod-wsgi-py3'] and result['preview'] is False


def test_a_failed_module_fails_the_action(action_class):
    result, _calls = action(action_class, ARGS, False, {'failed': True, 'msg': 'boom'})
    assert result['failed'] and result['msg'] == 'boom'


def _django_host(tmp_path, line):
    """HOST, with Apache read from Debian 12's captured tree holding Molecule in_place's Django
    site (molecule/in_place/files/mysite.conf), its WSGIPythonPath line replaced by ``line``."""
    from ansible_collections.modwsgi.apache.plugins.module_utils._preflight import read_apache  # pylint: disable=import-outside-toplevel
    from ansible_collections.modwsgi.apache.plugins.plugin_utils._plan import OURS  # pylint: disable=import-outside-toplevel
    from ansible_collections.modwsgi.apache.tests.unit.helpers import (  # pylint: disable=import-outside-toplevel
        DebianHost, debian_sysroot, find_debian_bin)
    site = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'molecule', 'in_place', 'files', 'mysite.conf')
    if not os.path.exists(site):
        pytest.skip('molecule/ is not shipped')
    root = debian_sysroot(tmp_path, '12', 'event')
    with open(site) as source, open(root + '/etc/apache2/sites-available/mysite.conf', 'w') as copy:
        copy.write(source.read().replace('WSGIPythonPath /srv/mysite', line))
    os.symlink('../sites-available/mysite.conf', root + '/etc/apache2/sites-enabled/mysite.conf')
    apache = read_apache(DebianHost('12', root), find_debian_bin, 'auto', None, sysroot=root,
                         proc_root=os.path.join(root, 'proc'), apps=[DJANGO], ours=OURS)
    return dict(HOST, scripts={'/srv/mysite/mysite/wsgi.py': True}, **apache)


DJANGO = {'name': 'mysite', 'server_name': 'mysite.test', 'wsgi_script': '/srv/mysite/mysite/wsgi.py',
          'takeover': 'in_place'}


def test_the_server_level_wsgipythonpath_goes_into_the_app_s_group(action_class, tmp_path):
    host = _django_host(tmp_path, 'WSGIPythonPath /srv/mysite')
    result, _calls = action(action_class, dict(ARGS, apps=[DJANGO]), False, {'changed': False, 'host': host})
    assert not result.get('failed'), result
    assert result['apps'][0]['python_path'] == ['/srv/mysite']
    assert [(c['app'], c['option'], c['value'], c['file'], c['line']) for c in result['carried']] == [
        ('mysite', 'python-path', '/srv/mysite', '/etc/apache2/sites-enabled/mysite.conf', 3)]


def test_a_wsgipythonpath_that_cannot_be_carried_fails_naming_the_field(action_class, tmp_path):
    host = _django_host(tmp_path, 'WSGIPythonPath "/srv/my site"')
    result, _calls = action(action_class, dict(ARGS, apps=[DJANGO]), False, {'changed': False, 'host': host})
    assert result['failed'] and result['msg'].startswith(
        'modwsgi_apps[0].python_path: mysite ran in embedded mode with the server-level WSGIPythonPath at '
        '/etc/apache2/sites-enabled/mysite.conf:3, and "/srv/my site" is not an absolute path')
    assert result['msg'].endswith('set modwsgi_apps[0].python_path') and 'apps' not in result


@pytest.fixture(scope='module')
def embedded_host():
    """The host's answer with the mod_wsgi facts of a real host whose sites run embedded
    (fixtures/embedded/debian12: shop.test, blog.test, other.test and legacy.test's / and /api)."""
    from ansible_collections.modwsgi.apache.plugins.module_utils import _wsgi_facts
    from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES, Replay, find_debian_bin
    capture = os.path.join(FIXTURES, 'embedded', 'debian12')
    facts = _wsgi_facts.wsgi_facts(Replay(capture), find_debian_bin, sysroot=capture)
    return dict(HOST, existing={'mod_wsgi': facts, 'apache': {'installed': True}}, ctl=True,
                venvs={'/srv/shop/venv': True}, scripts={'/srv/shop/app.wsgi': True})


SHOP_TEST = dict(APP, server_name='shop.test', takeover='replace')
LEFT = ['legacy.test:80/api', 'legacy.test:80/', 'other.test:80/', 'blog.test:80/']


def test_an_application_left_embedded_is_refused_after_the_host_is_read(action_class, embedded_host):
    # The role's own files are never left embedded (_plan.OURS).
    args = dict(ARGS, apps=[SHOP_TEST])
    result, calls = action(action_class, args, False, {'changed': False, 'host': embedded_host})
    assert len(calls) == 1 and result['failed']
    assert result['errors'] == [result['msg']] and result['msg'].startswith(
        'modwsgi_restrict_embedded: true writes WSGIRestrictEmbedded On, and every request to these applications')
    assert 'blog.test:80/ (WSGIScriptAlias /srv/blog/app.wsgi at /etc/apache2/sites-enabled/blog.conf:5)' in result['msg']
    assert 'shop.test' not in result['msg']


def test_the_accepted_ones_are_returned_in_left_embedded(action_class, embedded_host):
    settings = dict(ARGS['settings'], modwsgi_restrict_embedded_accept=LEFT)
    result, _calls = action(action_class, dict(ARGS, apps=[SHOP_TEST], settings=settings), False,
                            {'changed': False, 'host': embedded_host})
    assert not result.get('failed'), result
    assert sorted(mount['keys'][0] for mount in result['left_embedded']) == sorted(LEFT)
    assert all(mount['accepted'] and mount['why'] == 'embedded' for mount in result['left_embedded'])


def test_restrict_embedded_off_leaves_them_serving_and_lists_them(action_class, embedded_host):
    settings = dict(ARGS['settings'], modwsgi_restrict_embedded='off')
    result, _calls = action(action_class, dict(ARGS, apps=[SHOP_TEST], settings=settings), False,
                            {'changed': False, 'host': embedded_host})
    assert not result.get('failed'), result
    assert len(result['left_embedded']) == 4 and not any(mount['accepted'] for mount in result['left_embedded'])


# The role's whole plan (plugins/plugin_utils/_plan.py), made by the action from a real host read:
# Debian 12's captured /etc/apache2 (fixtures/trees) with Molecule in_place's legacy site
# (molecule/in_place/files/legacy.conf), read by the host module's own code (read_apache), and
# the role's own templates rendered by Ansible's template lookup, as the role renders them.
ROOT = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..')
LEGACY_FILE = os.path.join(ROOT, 'molecule', 'in_place', 'files', 'legacy.conf')
# Its SSLEngine on is in Certbot's include, as in Molecule in_place.
CERTBOT_TLS_FILE = os.path.join(ROOT, 'molecule', 'in_place', 'files', 'options-ssl-apache.conf')
CERTBOT_TLS = '/etc/letsencrypt/options-ssl-apache.conf'

FAMILIES = role_families()
ROLE = os.path.join(ROOT, 'roles', 'daemon_mode')


def _text(path):
    with open(path) as handle:
        return handle.read()


with open(os.path.join(ROLE, 'defaults', 'main.yml')) as _defaults:
    DEFAULTS = yaml.safe_load(_defaults)
PLAN_APPS = [
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


def plan_host(tmp_path):
    """What the host module answers on Debian 12 with the legacy site, read by its own code."""
    from ansible_collections.modwsgi.apache.plugins.module_utils._preflight import read_apache  # pylint: disable=import-outside-toplevel
    from ansible_collections.modwsgi.apache.plugins.plugin_utils._plan import OURS  # pylint: disable=import-outside-toplevel
    from ansible_collections.modwsgi.apache.tests.unit.helpers import (  # pylint: disable=import-outside-toplevel
        DebianHost, debian_sysroot, find_debian_bin)
    if not os.path.exists(LEGACY_FILE):
        pytest.skip('molecule/ is not shipped')
    root = debian_sysroot(tmp_path, '12', 'event')
    with open(root + AVAILABLE, 'w') as handle:
        handle.write(_text(LEGACY_FILE))
    os.symlink('../sites-available/legacy.conf', root + ENABLED)
    os.makedirs(os.path.dirname(root + CERTBOT_TLS))
    with open(root + CERTBOT_TLS, 'w') as handle:
        handle.write(_text(CERTBOT_TLS_FILE))
    apache = read_apache(DebianHost('12', root), find_debian_bin, 'auto', 'apache2', sysroot=root,
                         proc_root=os.path.join(root, 'proc'), apps=PLAN_APPS, ours=OURS)
    scripts = dict((app['wsgi_script'], True) for app in PLAN_APPS if 'wsgi_script' in app)
    host = {'venvs': {}, 'venv_pythons': {}, 'scripts': scripts, 'users': {}, 'groups': {}, 'files': {},
            # Debian's packages of both modwsgi_install values: the distribution's are installed.
            'packages': dict((name, name in ('apache2', 'libapache2-mod-wsgi-py3'))
                             for name in FAMILIES['Debian']['packages']['pip'] + ['libapache2-mod-wsgi-py3']),
            'ctl': True,
            'os': {'family': 'Debian', 'id': 'debian', 'pkg_mgr': 'apt', 'service_mgr': 'systemd'}}
    host.update(apache)
    return host


def run_plan(tmp_path, search_path, settings=None, check_mode=False, host=None, apps=None):
    """The action's result, with Ansible's own loader and templar rendering the role's templates;
    ``host``: more of the host module's answer; ``apps`` in place of PLAN_APPS."""
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    from ansible.template import Templar  # pylint: disable=import-outside-toplevel
    from ansible_collections.modwsgi.apache.plugins.action.daemon_mode_preflight import ActionModule  # pylint: disable=import-outside-toplevel
    variables = dict(DEFAULTS, modwsgi_apps=PLAN_APPS, modwsgi_restrict_embedded=False, ansible_search_path=search_path,
                     role_path=ROLE, **(settings or {}))
    loader = DataLoader()
    templar = Templar(loader=loader, variables=variables)
    plugin = ActionModule(Task({'apps': apps or PLAN_APPS}, check_mode), Connection(), None, loader,
                          templar, None)
    answer = plan_host(tmp_path)
    answer.update(host or {})
    calls = []

    def execute(module_name, module_args, task_vars):
        calls.append(module_args)
        return {'changed': False, 'host': answer}
    plugin._execute_module = execute  # pylint: disable=protected-access
    return plugin.run(task_vars=variables), calls


def test_the_whole_plan_from_one_host_read(action_class, tmp_path):
    plan, calls = run_plan(tmp_path, [ROLE], {'modwsgi_mpm_tuning': 'auto'})
    assert not plan.get('failed'), plan.get('msg')
    assert len(calls) == 1 and calls[0]['ours'] == '/modwsgi-[^/]+[.]conf$'
    # Every file, in the order the role always wrote them; the legacy site is the file its link points to.
    assert [entry['path'] for entry in plan['files']] == [
        '/usr/local/share/modwsgi-probe/probe.wsgi', '/etc/apache2/conf-available/modwsgi.conf',
        '/etc/apache2/conf-available/modwsgi-mpm-tuning.conf', '/etc/apache2/sites-available/modwsgi-alpha.conf',
        '/etc/apache2/sites-available/modwsgi-beta.conf', AVAILABLE]
    texts = dict((entry['path'], entry['content']) for entry in plan['files'])
    assert texts['/usr/local/share/modwsgi-probe/probe.wsgi'] == _text(os.path.join(ROLE, 'files', 'probe.wsgi'))
    beta = texts['/etc/apache2/sites-available/modwsgi-beta.conf']
    assert beta.startswith('# Managed by modwsgi.apache.daemon_mode: application beta.')
    assert '    WSGIDaemonProcess beta processes=2 threads=4 display-name=%{GROUP} home=/srv/beta server-metrics=On\n' in beta
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
    # Each application's own URL (its url_path) at the probe's scheme and port, any status
    # below 500; its vhost's error log and Apache's; and what the site converted in place
    # answers is recorded before the change.
    assert [(t['name'], t['checks'], t['error_logs']) for t in plan['verify']] == [
        ('alpha', [{'url': 'http://127.0.0.1:80/', 'status': []}],
         ['/var/log/apache2/modwsgi-alpha-error.log', '/var/log/apache2/error.log']),
        ('beta', [{'url': 'http://127.0.0.1:8080/beta', 'status': []}],
         ['/var/log/apache2/modwsgi-beta-error.log', '/var/log/apache2/error.log']),
        ('shop', [{'url': 'https://127.0.0.1:443/', 'status': []}], ['/var/log/apache2/error.log'])]
    assert plan['record'] == [{'url': 'https://127.0.0.1:443/', 'host': 'legacy.test'}]
    assert [note.split(':')[0] for note in plan['notes']] == ['modwsgi_mpm_tuning=auto']


def test_a_template_found_first_in_the_search_path_wins(action_class, tmp_path):
    override = tmp_path / 'override'
    (override / 'templates').mkdir(parents=True)
    (override / 'templates' / 'vhost.conf.j2').write_text('# mine: {{ vhost.apps | map(attribute="name") | join(",") }}\n')
    os.mkdir(str(tmp_path / 'host'))
    plan, dummy = run_plan(tmp_path / 'host', [str(override), ROLE])
    assert not plan.get('failed'), plan.get('msg')
    texts = dict((entry['path'], entry['content']) for entry in plan['files'])
    assert texts['/etc/apache2/sites-available/modwsgi-alpha.conf'] == '# mine: alpha\n'
    assert texts['/etc/apache2/conf-available/modwsgi.conf'].startswith('# Managed by modwsgi.apache.daemon_mode')


def test_check_mode_says_what_a_real_run_would_install(action_class, tmp_path):
    plan, dummy = run_plan(tmp_path, [ROLE], {'modwsgi_install': 'pip'}, check_mode=True)
    assert not plan.get('failed'), plan.get('msg')
    assert plan['notes'][-2:] == ['would install apache2-dev, gcc, python3-dev, python3-venv, python3-packaging',
                                  'would remove libapache2-mod-wsgi-py3']
    # pip: the links that enabled the distribution's mod_wsgi go, the pip build's own file stays.
    assert not [link for link in plan['links'] if 'mods-enabled' in link['path']]
    assert [(entry['path'], entry['backup'], entry['on_change']) for entry in plan['absent'][2:4]] == [
        ('/etc/apache2/mods-enabled/wsgi.load', False, 'restart'), ('/etc/apache2/mods-enabled/wsgi.conf', False, 'restart')]
    assert not [entry for entry in plan['absent'] if 'pip' in entry['path']]


def test_pip_mode_builds_with_the_venvs_python_and_makes_an_older_venv_again(action_class, tmp_path):
    # What module_utils/_preflight.py reads of the real pyvenv.cfg files of fixtures/venvs/
    # (test_preflight.py): the app's venv of pyenv's 3.12.1, the pip venv of Debian 12's 3.11.
    pyenv = {'path': '/root/.pyenv/versions/3.12.1/bin/python3.12',
             'real': '/root/.pyenv/versions/3.12.1/bin/python3.12', 'version': '3.12'}
    system = {'path': '/usr/bin/python3.11', 'real': '/usr/bin/python3.11', 'version': '3.11'}
    apps = [dict(PLAN_APPS[0], python_home='/srv/alpha/venv')]
    host = {'venvs': {'/srv/alpha/venv': True}, 'venv_pythons': {'/srv/alpha/venv': '3.12'},
            'venv_interpreters': {'/srv/alpha/venv': pyenv},
            'mod_wsgi_python': {'version': '3.11', 'source': 'the Python of /opt/modwsgi/venv/lib/...'},
            'pip': {'python': {'path': '/usr/bin/python3', 'real': '/usr/bin/python3.11', 'version': '3.11'},
                    'venv': system}}
    plan, calls = run_plan(tmp_path, [ROLE], {'modwsgi_install': 'pip'}, host=host, apps=apps)
    assert not plan.get('failed'), plan.get('msg')
    assert calls[0]['families']['Debian']['pip'] == {'python': '/usr/bin/python3', 'venv': '/opt/modwsgi/venv'}
    assert (plan['pip']['python'], plan['pip']['rebuild']) == (pyenv['path'], True)
    assert plan['notes'][0] == (
        'modwsgi_install=pip: /opt/modwsgi/venv is a venv of /usr/bin/python3.11; it is made again, and mod_wsgi '
        'built in it, with the Python that modwsgi_install: pip builds mod_wsgi with, '
        "/root/.pyenv/versions/3.12.1/bin/python3.12, which the applications' venvs were made with")
    # Once made again, nothing is.
    host['pip']['venv'] = pyenv
    plan, dummy = run_plan(tmp_path / 'again', [ROLE], {'modwsgi_install': 'pip'}, host=host, apps=apps)
    assert plan['pip']['rebuild'] is False and not [note for note in plan['notes'] if 'made again' in note]
    # modwsgi_pip_python of another version than the venv's: refused in preflight, naming the field.
    host['pip']['python'] = system
    plan, dummy = run_plan(tmp_path / 'other', [ROLE], {'modwsgi_install': 'pip',
                                                        'modwsgi_pip_python': '/usr/bin/python3.11'}, host=host, apps=apps)
    assert plan['failed'] and plan['msg'].startswith(
        'modwsgi_apps[0].python_home: /srv/alpha/venv is a Python 3.12 virtual environment, but mod_wsgi runs Python '
        '3.11 (the Python that modwsgi_install: pip builds mod_wsgi with, modwsgi_pip_python /usr/bin/python3.11)')
