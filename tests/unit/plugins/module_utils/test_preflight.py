# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the host says about the role's input (module_utils/_preflight.py), and the module
daemon_mode_preflight through main().

dpkg-query's answers are real captures (fixtures/preflight/README.md); paths and accounts are
real ones of a temporary directory and of the machine running the tests.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import pwd
from pathlib import Path

import pytest


from ansible_collections.modwsgi.apache.plugins.module_utils import _preflight, _probe, _probe_secret
from ansible_collections.modwsgi.apache.plugins.module_utils._preflight import (
    installed_packages, mod_wsgi_python, read_host)
from ansible_collections.modwsgi.apache.plugins.modules import daemon_mode_preflight
from ansible_collections.modwsgi.apache.tests.unit.helpers import read, patch_module_args

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
    args = {'apps': [app(root, 'a')], 'settings': {'modwsgi_packages': ['apache2']}, 'ctl': root + '/ctl',
            '_ansible_check_mode': check_mode}
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_info:
            daemon_mode_preflight.main()
    out = json.loads(capsys.readouterr().out)
    assert exit_info.value.code == 0 and out['changed'] is False
    assert out['host'] == {'venvs': {root + '/venv': True}, 'scripts': {root + '/app.wsgi': True},
                           'venv_pythons': {root + '/venv': None}, 'mod_wsgi_python': WSGI_PYTHON,
                           'files': {}, 'users': {}, 'groups': {}, 'packages': None, 'ctl': True,
                           'probe_secret_pending': False}


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
