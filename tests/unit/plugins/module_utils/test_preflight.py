# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the host says about the role's input (module_utils/_preflight.py), and the module
daemon_mode_preflight through main().

dpkg-query's and systemctl's answers are real captures, Apache's those of the captured Debian
trees (helpers.DebianHost); dpkg-query's (fixtures/preflight/README.md); paths and accounts are
real ones of a temporary directory and of the machine running the tests.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import pwd
from pathlib import Path

import pytest


from ansible_collections.modwsgi.apache.plugins.module_utils import _preflight, _probe, _probe_secret, _wsgi_facts
from ansible_collections.modwsgi.apache.plugins.module_utils._preflight import (
    installed_packages, mod_wsgi_python, read_apache, read_host, service_ready)
from ansible_collections.modwsgi.apache.plugins.modules import daemon_mode_preflight
from ansible_collections.modwsgi.apache.tests.unit.helpers import (
    DebianHost, debian_sysroot, find_debian_bin, patch_module_args, read, tree_digest)

PACKAGES = ['apache2', 'libapache2-mod-wsgi-py3', 'apache2-dev', 'python3-apt', 'libc6:amd64', 'gcc']
# dpkg-query's stderr and rc for these names, in both captures.
STDERR = ''.join('dpkg-query: no packages found matching %s\n' % name for name in ('apache2-dev', 'python3-apt', 'gcc'))


def dpkg(capture, calls=None):
    def run(argv):
        if calls is not None:
            calls.append(argv)
        assert argv[:4] == ['/usr/bin/dpkg-query', '-W', '-f', '${Package} ${Architecture} ${db:Status-Abbrev}\n']
        assert argv[4:] == PACKAGES
        return 1, read('preflight', 'dpkg-query-debian12-%s.stdout' % capture), STDERR
    return run


def only(**bins):
    return lambda name: bins.get(name.replace('-', '_'))


@pytest.mark.parametrize('capture, mod_wsgi', [('installed', True), ('removed-mod-wsgi', False)])
def test_installed_packages_from_dpkg_query(capture, mod_wsgi):
    calls = []
    found = installed_packages(dpkg(capture, calls), only(dpkg_query='/usr/bin/dpkg-query'), PACKAGES)
    assert found == {'apache2': True, 'libapache2-mod-wsgi-py3': mod_wsgi, 'apache2-dev': False,
                     'python3-apt': False, 'libc6:amd64': True, 'gcc': False}
    assert len(calls) == 1


def test_rpm_answers_per_name():
    def run(argv):
        assert argv == ['/usr/bin/rpm', '-q', '--qf', '%{NAME}\n', 'httpd', 'python3-mod_wsgi']
        # rpm's answer when httpd is installed and python3-mod_wsgi is not (rc: the count missing).
        return 1, 'httpd\npackage python3-mod_wsgi is not installed\n', ''
    assert installed_packages(run, only(rpm='/usr/bin/rpm'), ['httpd', 'python3-mod_wsgi']) == {
        'httpd': True, 'python3-mod_wsgi': False}


def test_no_package_manager_known_and_nothing_to_ask():
    def run(argv):
        raise AssertionError('nothing to run: %s' % argv)
    assert installed_packages(run, only(), ['apache2']) is None
    assert installed_packages(run, only(dpkg_query='/usr/bin/dpkg-query'), []) == {}


def test_a_failed_dpkg_query_lets_the_package_manager_decide():
    assert installed_packages(lambda argv: (2, '', 'dpkg-query: error'), only(dpkg_query='/usr/bin/dpkg-query'),
                              ['apache2']) is None


@pytest.fixture
def host(tmp_path):
    """A venv, a script and the name of a user and group that exist here."""
    (tmp_path / 'venv').mkdir()
    (tmp_path / 'venv' / 'pyvenv.cfg').write_text('home = /usr/bin\n')
    (tmp_path / 'novenv').mkdir()
    (tmp_path / 'app.wsgi').write_text('')
    (tmp_path / 'ctl').write_text('')
    me = pwd.getpwuid(os.getuid())
    import grp  # pylint: disable=import-outside-toplevel
    return {'root': str(tmp_path), 'user': me.pw_name, 'group': grp.getgrgid(me.pw_gid).gr_name}


def app(root, name, **fields):
    result = {'name': name, 'state': 'present', 'python_home': root + '/venv', 'wsgi_script': root + '/app.wsgi',
              'user': None, 'group': None}
    result.update(fields)
    return result


def test_read_host_answers_for_every_present_application(host):
    root = host['root']
    apps = [app(root, 'a', user=host['user'], group=host['group']),
            app(root, 'b', python_home=root + '/novenv', wsgi_script=root, user='no-such-user-here', group='#1000'),
            app(root, 'c', state='absent', python_home=root + '/gone', user='absent-user')]
    calls = []
    answer = read_host(apps, PACKAGES, root + '/ctl', dpkg('installed', calls), only(dpkg_query='/usr/bin/dpkg-query'))
    assert answer['venvs'] == {root + '/venv': True, root + '/novenv': False}
    assert answer['scripts'] == {root + '/app.wsgi': True, root: False}
    assert answer['users'] == {host['user']: True, 'no-such-user-here': False}
    assert answer['groups'] == {host['group']: True}
    assert answer['packages']['libapache2-mod-wsgi-py3'] is True and answer['packages']['gcc'] is False
    assert answer['ctl'] is True and len(calls) == 1
    assert read_host([], [], root + '/nothing', None, only())['ctl'] is False


@pytest.mark.parametrize('check_mode', [True, False, True, False])
def test_the_module_reads_and_changes_nothing(host, capsys, monkeypatch, check_mode):
    root = host['root']
    monkeypatch.setattr(daemon_mode_preflight, 'host_access',
                        lambda module: (None, only(), None))
    monkeypatch.setattr(_preflight, 'mod_wsgi_python', lambda: WSGI_PYTHON)
    family = {'ctl': root + '/ctl', 'service': 'apache2', 'packages': ['apache2'], 'conflicts': [],
              'socket_prefix': '/var/run/apache2/wsgi'}
    args = {'apps': [app(root, 'a')], 'families': {'Debian': family}, 'os_family': 'Debian',
            '_ansible_check_mode': check_mode}
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_info:
            daemon_mode_preflight.main()
    out = json.loads(capsys.readouterr().out)
    assert exit_info.value.code == 0 and out['changed'] is False
    # The venv's home is /usr/bin: its Python is this machine's /usr/bin/python3 (read below, on real files).
    assert list(out['host'].pop('venv_interpreters')) == [root + '/venv']
    assert out['host'] == {'venvs': {root + '/venv': True}, 'scripts': {root + '/app.wsgi': True},
                           'venv_pythons': {root + '/venv': None}, 'mod_wsgi_python': WSGI_PYTHON, 'pip': None,
                           'files': {}, 'users': {}, 'groups': {}, 'packages': None, 'ctl': True,
                           'probe_secret_pending': False,
                           'os': {'family': 'Debian', 'id': None, 'pkg_mgr': 'auto', 'service_mgr': 'auto'}}


WSGI_PYTHON = {'version': '3.11', 'source': 'the Python of /usr/lib/apache2/modules/mod_wsgi.so'}


def test_read_host_reads_the_venv_s_python_and_the_tls_files(host):
    root = host['root']
    # pyvenv.cfg as python3 -m venv writes it on Debian 12.
    (Path(root) / 'venv' / 'pyvenv.cfg').write_text(
        'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n')
    (Path(root) / 'cert.pem').write_text('')
    tls = {'certificate': root + '/cert.pem', 'key': root + '/nokey.pem', 'chain': None, 'self_signed': True}
    answer = read_host([app(root, 'a', tls=tls), app(root, 'b', python_home=None)], [], root + '/ctl', None, only())
    assert answer['venv_pythons'] == {root + '/venv': '3.11'}
    assert answer['files'] == {root + '/cert.pem': True, root + '/nokey.pem': False}


def test_mod_wsgi_s_python_from_the_module_or_the_distribution_s_python3(tmp_path):
    # Debian 12's layout: its marker, python3 -> python3.11, and (once installed) mod_wsgi.so-3.11.
    (tmp_path / 'etc' / 'apache2').mkdir(parents=True)
    (tmp_path / 'etc' / 'apache2' / 'apache2.conf').write_text('')
    (tmp_path / 'usr' / 'bin').mkdir(parents=True)
    (tmp_path / 'usr' / 'bin' / 'python3.11').write_text('')
    os.symlink('python3.11', str(tmp_path / 'usr' / 'bin' / 'python3'))
    assert mod_wsgi_python(str(tmp_path)) == {
        'version': '3.11', 'source': "the distribution's /usr/bin/python3, which its mod_wsgi package is built for"}
    modules = tmp_path / 'usr' / 'lib' / 'apache2' / 'modules'
    modules.mkdir(parents=True)
    (modules / 'mod_wsgi.so-3.12').write_text('')
    os.symlink('mod_wsgi.so-3.12', str(modules / 'mod_wsgi.so'))
    assert mod_wsgi_python(str(tmp_path))['version'] == '3.12'


def test_read_host_tells_whether_the_probe_secret_is_pending(host, monkeypatch):
    root = host['root']
    monkeypatch.setattr(_probe, 'SECRET_FILE', root + '/etc/probe.secret')
    monkeypatch.setattr(_probe, 'DIGEST_FILE', root + '/etc/probe.digest')
    assert read_host([], [], root + '/ctl', None, only(), probe_secret=True)['probe_secret_pending'] is True
    assert not os.path.exists(root + '/etc')
    _probe_secret.ensure(_probe.SECRET_FILE, _probe.DIGEST_FILE)
    assert read_host([], [], root + '/ctl', None, only(), probe_secret=True)['probe_secret_pending'] is False
    # Without the probe, nothing is read.
    assert read_host([], [], root + '/ctl', None, only())['probe_secret_pending'] is False


# -- Apache, read once: the existing virtual hosts, the MPM step, the service ----------------

def _read_apache(tmp_path, start, setting, php=False):
    root = debian_sysroot(tmp_path, '12', start)
    host = DebianHost('12', root, php=php)
    before = tree_digest(root)
    found = read_apache(host, find_debian_bin, setting, None, sysroot=root, proc_root=os.path.join(root, 'proc'))
    assert tree_digest(root) == before  # it only reads
    return found, host


@pytest.mark.parametrize('start, setting, target, pending', [
    ('event', 'auto', 'event', False),        # the idempotent run: the mpm step is skipped
    ('prefork', 'auto', 'event', True),       # the switch from the bad state
    ('event', 'prefork', 'prefork', True),
    ('worker', 'worker', 'worker', False),
])
def test_the_mpm_step_is_the_mpm_module_s_own_answer_in_check_mode(tmp_path, start, setting, target, pending):
    found, host = _read_apache(tmp_path, start, setting)
    assert found['mpm'] == {'target': target, 'thread_unsafe': [], 'pending': pending}
    # What wsgi_facts with apache_facts reports, from the same one reading of Apache.
    assert found['existing']['apache']['mpm']['name'] == start
    assert found['existing']['mod_wsgi']['loaded'] is True and found['existing']['mod_wsgi']['vhosts']
    assert host.calls.count(['/usr/sbin/apache2ctl', '-S', '-M']) == 1
    assert found['service_ready'] is False  # no service named


def test_the_existing_hosts_are_what_wsgi_facts_reports(tmp_path):
    found, dummy = _read_apache(tmp_path, 'event', 'auto')
    root = debian_sysroot(tmp_path / 'again', '12', 'event')
    mod_wsgi, apache = _wsgi_facts.gather(DebianHost('12', root), find_debian_bin, sysroot=root,
                                          proc_root=os.path.join(root, 'proc'))
    # The same facts, read from two copies of one captured tree (their paths differ only in the root).
    assert json.dumps(found['existing']).replace(str(tmp_path), '') == \
        json.dumps({'mod_wsgi': mod_wsgi, 'apache': apache}).replace(str(tmp_path / 'again'), '')


def test_auto_keeps_prefork_with_mod_php_and_a_threaded_setting_leaves_the_refusal_to_the_step(tmp_path):
    found, dummy = _read_apache(tmp_path, 'prefork', 'auto', php=True)
    assert found['mpm'] == {'target': 'prefork', 'thread_unsafe': ['php_module'], 'pending': False}
    # modwsgi_mpm: event with mod_php: the mpm module refuses; the step runs and says why.
    found, dummy = _read_apache(tmp_path / 'event', 'prefork', 'event', php=True)
    assert found['mpm'] == {'target': 'event', 'thread_unsafe': ['php_module'], 'pending': True}


def test_without_apache_the_mpm_step_runs(tmp_path):
    found = read_apache(None, only(), 'auto', 'apache2', sysroot=str(tmp_path), proc_root=str(tmp_path))
    assert found['mpm'] == {'target': 'event', 'thread_unsafe': [], 'pending': True}
    assert found['existing']['apache']['installed'] is False and found['existing']['mod_wsgi']['vhosts'] == []
    assert found['service_ready'] is False


def systemctl(active, enabled, calls):
    """systemctl's real answers (fixtures/preflight/README.md): ``active`` is running, stopped or
    unknown; ``enabled`` is enabled, disabled or unknown."""
    rcs = {'running': 0, 'stopped': 3, 'unknown': 3, 'enabled': 0, 'disabled': 1}

    def run(argv):
        calls.append(argv)
        verb = argv[1]
        state = active if verb == 'is-active' else enabled
        return rcs[state], read('preflight', 'systemctl-%s-%s.stdout' % (verb, state)), ''
    return run


@pytest.mark.parametrize('active, enabled, ready', [
    ('running', 'enabled', True),
    ('stopped', 'enabled', False),
    ('running', 'disabled', False),
    ('unknown', 'unknown', False),
])
def test_the_service_is_ready_only_when_systemd_says_active_and_enabled(tmp_path, active, enabled, ready):
    calls = []
    ready_now = service_ready(systemctl(active, enabled, calls), only(systemctl='/usr/bin/systemctl'), 'apache2',
                              systemd_dir=str(tmp_path))
    assert ready_now is ready
    assert calls[0] == ['/usr/bin/systemctl', 'is-active', 'apache2']
    assert len(calls) == (2 if active == 'running' else 1)


def test_without_systemd_the_service_step_decides(tmp_path):
    calls = []
    run = systemctl('running', 'enabled', calls)
    # No /run/systemd/system (not booted with systemd), or no systemctl: never asked.
    assert service_ready(run, only(systemctl='/usr/bin/systemctl'), 'apache2', str(tmp_path / 'none')) is False
    assert service_ready(run, only(), 'apache2', str(tmp_path)) is False
    assert calls == []


# os-release files and the family: as Ansible's setup names it (ansible_facts.os_family, its
# OS_FAMILY_MAP) for the families told apart, else None. Real files: fixtures/os-release/README.md.
OS_RELEASES = [
    ('debian11', 'Debian', 'debian'), ('debian12', 'Debian', 'debian'), ('debian13', 'Debian', 'debian'),
    ('ubuntu24', 'Debian', 'ubuntu'), ('linuxmint17', 'Debian', 'ubuntu'), ('raspbian8', 'Debian', 'raspbian'),
    ('kali', 'Debian', 'kali'),
    ('rhel9', 'RedHat', 'rhel'), ('rhel10', 'RedHat', 'rhel'), ('centosstream9', 'RedHat', 'centos'),
    ('rocky9', 'RedHat', 'rocky'), ('almalinux10', 'RedHat', 'almalinux'), ('fedora30', 'RedHat', 'fedora'),
    ('amazon2023', 'RedHat', 'amzn'), ('oracle7', 'RedHat', 'ol'),
    ('opensuse15', 'Suse', 'opensuse-leap'), ('sles12', 'Suse', 'sles'),
    ('alpine', None, 'alpine'), ('arch', None, 'arch'),
]


@pytest.mark.parametrize('name, family, ident', OS_RELEASES)
@pytest.mark.parametrize('where', ['/etc/os-release', '/usr/lib/os-release'])
def test_the_os_family_from_os_release(tmp_path, name, family, ident, where):
    path = tmp_path / where.lstrip('/')
    path.parent.mkdir(parents=True)
    path.write_text(read('os-release', name))
    assert _preflight.os_family(str(tmp_path)) == (family, ident)


def test_without_os_release_the_family_is_unknown(tmp_path):
    assert _preflight.os_family(str(tmp_path)) == (None, None)


def test_the_managers_where_the_rule_is_plain(tmp_path):
    everything = only(apt_get='/usr/bin/apt-get', systemctl='/usr/bin/systemctl')
    assert _preflight.managers('Debian', everything, str(tmp_path)) == {'pkg_mgr': 'apt', 'service_mgr': 'systemd'}
    # RedHat's dnf/yum/dnf5 choice is left to the package action; no systemd running, no systemctl: auto.
    assert _preflight.managers('RedHat', everything, str(tmp_path / 'none')) == {'pkg_mgr': 'auto', 'service_mgr': 'auto'}
    assert _preflight.managers('Debian', only(), str(tmp_path)) == {'pkg_mgr': 'auto', 'service_mgr': 'auto'}


def test_a_host_of_another_family_is_read_no_further(monkeypatch):
    monkeypatch.setattr(_preflight, 'os_family', lambda: ('Suse', 'sles'))

    def run(argv):
        raise AssertionError('nothing to run: %s' % argv)
    assert _preflight.preflight([], {'Debian': {}}, run, only(), mpm='auto') == {'os': {'family': 'Suse', 'id': 'sles'}}


# -- modwsgi_install: pip: the Python each venv was made with ---------------------------------

def _lay_out(sysroot, links, files):
    """``files`` (empty) and ``links`` (``{path: target}``) under ``sysroot``, as on the host."""
    for path in files:
        where = Path(sysroot + path)
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_text('')
    for path, target in links.items():
        where = Path(sysroot + path)
        where.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, str(where))


# Each real pyvenv.cfg (fixtures/venvs/README.md), laid out with the links and files its host had.
VENV_BIN = {'/srv/app/venv/bin/python': 'python3', '/srv/app/venv/bin/python3': '/usr/bin/python3'}
VENVS = {
    'debian11': ({'/usr/bin/python3': 'python3.9'}, ['/usr/bin/python3.9'], '/usr/bin/python3.9', '3.9'),
    'debian12': ({'/usr/bin/python3': 'python3.11'}, ['/usr/bin/python3.11'], '/usr/bin/python3.11', '3.11'),
    'debian13': ({'/usr/bin/python3': 'python3.13'}, ['/usr/bin/python3.13'], '/usr/bin/python3.13', '3.13'),
    'pyenv312-debian12': ({'/usr/bin/python3': 'python3.11'},
                          ['/usr/bin/python3.11', '/root/.pyenv/versions/3.12.1/bin/python3.12'],
                          '/root/.pyenv/versions/3.12.1/bin/python3.12', '3.12'),
}


@pytest.mark.parametrize('name', sorted(VENVS))
def test_the_python_a_venv_was_made_with(tmp_path, name):
    links, files, real, version = VENVS[name]
    root = str(tmp_path)
    _lay_out(root, dict(VENV_BIN, **links), files)
    (tmp_path / 'srv' / 'app' / 'venv' / 'pyvenv.cfg').write_text(read('venvs', name + '.pyvenv.cfg'))
    found = _preflight.venv_interpreter('/srv/app/venv', root)
    assert (found['real'], found['version']) == (real, version)


def test_a_venv_without_executable_in_pyvenv_cfg_is_read_from_home_or_its_link(tmp_path):
    root = str(tmp_path)
    # Debian 11's pyvenv.cfg (no executable): home /usr/bin with python3.9.
    _lay_out(root, dict(VENV_BIN, **{'/usr/bin/python3': 'python3.9'}), ['/usr/bin/python3.9'])
    cfg = tmp_path / 'srv' / 'app' / 'venv' / 'pyvenv.cfg'
    cfg.write_text(read('venvs', 'debian11.pyvenv.cfg'))
    assert _preflight.venv_interpreter('/srv/app/venv', root)['path'] == '/usr/bin/python3.9'
    # Its home gone (the Python removed): the link bin/python leads nowhere either.
    os.unlink(root + '/usr/bin/python3.9')
    assert _preflight.venv_interpreter('/srv/app/venv', root) is None
    # Not a venv at all.
    assert _preflight.venv_interpreter('/srv/none', root) is None


def test_an_interpreter_is_followed_through_its_links(tmp_path):
    root = str(tmp_path)
    _lay_out(root, {'/usr/bin/python3': 'python3.11', '/usr/local/bin/py': '/usr/bin/python3'},
             ['/usr/bin/python3.11', '/opt/python'])
    assert _preflight.interpreter('/usr/local/bin/py', root) == {
        'path': '/usr/local/bin/py', 'real': '/usr/bin/python3.11', 'version': '3.11'}
    # A Python whose file name does not say its version.
    assert _preflight.interpreter('/opt/python', root)['version'] is None
    assert _preflight.interpreter('/usr/bin/python9', root) is None
    # A loop of links is not a Python.
    _lay_out(root, {'/loop/a': 'b', '/loop/b': 'a'}, [])
    assert _preflight.interpreter('/loop/a', root) is None
    # A link among the directories (merged /usr: Debian 12's /bin -> usr/bin) is followed too, so
    # a venv made with /bin/python3 is of the same Python as one made with /usr/bin/python3.
    _lay_out(root, {'/bin': 'usr/bin'}, [])
    assert _preflight.interpreter('/bin/python3', root)['real'] == '/usr/bin/python3.11'
    assert _preflight.real_path('/usr/local/../bin/./python3', root) == '/usr/bin/python3.11'


def test_read_host_reads_the_pythons_of_pip_mode(host):
    root = host['root']
    (Path(root) / 'venv' / 'pyvenv.cfg').write_text(read('venvs', 'debian12.pyvenv.cfg'))
    plain = read_host([app(root, 'a')], [], root + '/ctl', None, only())
    assert plain['pip'] is None
    # /usr/bin/python3.11 of the venv is this machine's, when it has one: only its key is checked.
    assert list(plain['venv_interpreters']) == [root + '/venv']
    answer = read_host([app(root, 'a')], [], root + '/ctl', None, only(),
                       pip={'python': root + '/ctl', 'venv': root + '/venv'})
    assert answer['pip']['python'] == {'path': root + '/ctl', 'real': root + '/ctl', 'version': None}
    assert answer['pip']['venv'] == answer['venv_interpreters'][root + '/venv']
