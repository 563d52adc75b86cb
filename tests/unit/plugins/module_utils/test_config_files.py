# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_config_files and _transaction: a set of files as one transaction, on real temp trees.

The trees are copies of the real captured Debian /etc/apache2 (helpers.debian_sysroot). Apache's
config test is answered by the capture of the state the tree is in (helpers.DebianHost): the
``broken`` capture when conf-enabled/zz-broken.conf exists (its content below is the one
capture-configtest.sh wrote), else the capture of the enabled MPM.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _config_files
from ansible_collections.modwsgi.apache.plugins.module_utils import _transaction
from ansible_collections.modwsgi.apache.plugins.module_utils._config_files import (
    ConfigFilesError, apply_set)
from ansible_collections.modwsgi.apache.tests.unit.helpers import (
    DebianHost, debian_sysroot, find_debian_bin, tree_digest)

APACHE = '/etc/apache2'
LEGACY = APACHE + '/sites-available/legacy.conf'
LEGACY_TEXT = b'<VirtualHost *:80>\n    ServerName legacy.example\n</VirtualHost>\n'
BROKEN = 'ThisIsNotADirective on\n'   # what capture-configtest.sh wrote for the broken state
BACKUPS = '/var/backups/modwsgi'


def real(root, path):
    return os.path.join(root, path.lstrip('/'))


def role_set():
    """The shape of the role's call: a conf, a vhost, their links, a disabled site, a removal."""
    return dict(
        files=[{'path': APACHE + '/conf-available/modwsgi.conf', 'content': 'WSGIRestrictEmbedded On\n'},
               {'path': APACHE + '/sites-available/modwsgi-shop.conf',
                'content': '<VirtualHost *:80>\n    ServerName shop.example\n</VirtualHost>\n'}],
        links=[{'path': APACHE + '/conf-enabled/modwsgi.conf', 'src': '../conf-available/modwsgi.conf'},
               {'path': APACHE + '/sites-enabled/modwsgi-shop.conf',
                'src': '../sites-available/modwsgi-shop.conf'}],
        absent=[{'path': APACHE + '/sites-enabled/000-default.conf', 'on_change': 'restart'},
                {'path': LEGACY}])


@pytest.fixture
def host(tmp_path):
    root = debian_sysroot(tmp_path, '12', 'event')
    with open(real(root, LEGACY), 'wb') as handle:
        handle.write(LEGACY_TEXT)
    os.chmod(real(root, LEGACY), 0o640)
    return root, DebianHost('12', root)


def run(root, debian, check_mode=False, **changes):
    runner = _config_files.runner(find_debian_bin, root)
    return apply_set(test=lambda: _transaction.config_test(debian, runner), check_mode=check_mode,
                     sysroot=root, backup_dir=BACKUPS, **changes)


def test_check_real_check_real(host):
    root, debian = host
    results = []
    for check_mode in (True, False, True, False):
        before = tree_digest(root)
        results.append(run(root, debian, check_mode=check_mode, **role_set()))
        if check_mode:
            assert tree_digest(root) == before
    assert [r['changed'] for r in results] == [True, True, False, False]
    assert [r['restart_required'] for r in results] == [True, True, False, False]
    assert [r['reload_required'] for r in results] == [True, True, False, False]
    assert results[0]['changes'] == results[1]['changes']
    assert [(c['path'], c['action'], c['on_change']) for c in results[1]['changes']] == [
        (APACHE + '/conf-available/modwsgi.conf', 'write', 'reload'),
        (APACHE + '/sites-available/modwsgi-shop.conf', 'write', 'reload'),
        (APACHE + '/conf-enabled/modwsgi.conf', 'link', 'reload'),
        (APACHE + '/sites-enabled/modwsgi-shop.conf', 'link', 'reload'),
        (APACHE + '/sites-enabled/000-default.conf', 'remove', 'restart'),
        (LEGACY, 'remove', 'reload')]
    # Only the regular file is copied; the link is unlinked and its target stays.
    assert results[0]['backups'] == results[1]['backups'] == [
        {'path': LEGACY, 'backup': BACKUPS + LEGACY}]
    copy = real(root, BACKUPS + LEGACY)
    with open(copy, 'rb') as handle:
        assert handle.read() == LEGACY_TEXT
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(real(root, BACKUPS)).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(os.path.dirname(copy)).st_mode) == 0o700
    assert os.path.isfile(real(root, APACHE + '/sites-available/000-default.conf'))
    assert not os.path.lexists(real(root, LEGACY))
    assert os.readlink(real(root, APACHE + '/sites-enabled/modwsgi-shop.conf')) == \
        '../sites-available/modwsgi-shop.conf'
    # Apache's test ran once, after the one real change.
    assert debian.calls == [['/usr/sbin/apache2ctl', '-t']]


def test_rollback_restores_every_path_byte_for_byte(host):
    root, debian = host
    changes = role_set()
    changes['files'].append({'path': APACHE + '/conf-available/zz-broken.conf', 'content': BROKEN})
    changes['links'].append({'path': APACHE + '/conf-enabled/zz-broken.conf',
                             'src': '../conf-available/zz-broken.conf'})
    before = tree_digest(root)
    with pytest.raises(ConfigFilesError) as error:
        run(root, debian, **changes)
    assert error.value.msg == (
        'Apache rejects the new configuration, so every file was restored as it was. Apache '
        'says: AH00526: Syntax error on line 1 of /etc/apache2/conf-enabled/zz-broken.conf:\n'
        "Invalid command 'ThisIsNotADirective', perhaps misspelled or defined by a module not "
        'included in the server configuration')
    assert error.value.result['changed'] is False
    # Files, links, the removed file with its mode, and no backup directory left behind.
    assert tree_digest(root) == before
    assert not os.path.exists(real(root, '/var'))
    assert stat.S_IMODE(os.stat(real(root, LEGACY)).st_mode) == 0o640


def test_check_mode_before_apache_is_installed(tmp_path):
    root = str(tmp_path)
    result = apply_set(check_mode=True, sysroot=root, **role_set())
    assert result['changed'] is True
    assert [c['action'] for c in result['changes']] == ['write', 'write', 'link', 'link']
    assert result['backups'] == []
    assert os.listdir(root) == []
    assert result['diff'][1] == {
        'before_header': APACHE + '/sites-available/modwsgi-shop.conf (absent)',
        'after_header': APACHE + '/sites-available/modwsgi-shop.conf (file)',
        'before': '', 'after': '<VirtualHost *:80>\n    ServerName shop.example\n</VirtualHost>\n'}
    assert result['diff'][2]['after'] == 'symlink to ../conf-available/modwsgi.conf\n'


def test_real_run_makes_missing_directories(tmp_path):
    root = str(tmp_path)
    path = '/usr/local/share/modwsgi-probe/probe.wsgi'
    result = apply_set(files=[{'path': path, 'content': 'x = 1\n', 'mode': '0644'}], sysroot=root)
    assert result['changes'] == [{'path': path, 'action': 'write', 'on_change': 'reload'}]
    assert stat.S_IMODE(os.stat(os.path.dirname(real(root, path))).st_mode) == 0o755
    assert apply_set(files=[{'path': path, 'content': 'x = 1\n'}], sysroot=root)['changed'] is False


def test_mode_change_alone_is_a_change(host):
    root, debian = host
    path = APACHE + '/sites-available/000-default.conf'
    with open(real(root, path)) as handle:
        content = handle.read()
    result = run(root, debian, files=[{'path': path, 'content': content, 'mode': '0600'}])
    assert result['changes'] == [{'path': path, 'action': 'attributes', 'on_change': 'reload'}]
    assert result['diff'][0]['before'] == 'mode 0644\n' and result['diff'][0]['after'] == 'mode 0600\n'
    assert stat.S_IMODE(os.stat(real(root, path)).st_mode) == 0o600


def test_diff_of_a_rewritten_file(host):
    root, debian = host
    path = APACHE + '/conf-available/modwsgi.conf'
    run(root, debian, files=[{'path': path, 'content': 'WSGIRestrictEmbedded Off\n'}])
    result = run(root, debian, check_mode=True,
                 files=[{'path': path, 'content': 'WSGIRestrictEmbedded On\n'}])
    assert result['diff'] == [{'before_header': path + ' (file)', 'after_header': path + ' (file)',
                               'before': 'WSGIRestrictEmbedded Off\n',
                               'after': 'WSGIRestrictEmbedded On\n'}]


@pytest.mark.parametrize('changes, message', [
    ({'files': [{'path': 'etc/x.conf', 'content': ''}]},
     "files[0].path: 'etc/x.conf' is not an absolute path to a file"),
    ({'files': [{'path': '/etc/x.conf', 'content': '', 'mode': 'rw-r--r--'}]},
     "files[0].mode: 'rw-r--r--' is not an octal mode such as 0644"),
    ({'files': [{'path': '/etc/x.conf', 'content': '', 'owner': 'no-such-user-here'}]},
     "files[0].owner: no user named 'no-such-user-here' on this host"),
    ({'files': [{'path': '/etc/x.conf', 'content': ''}], 'absent': [{'path': '/etc/x.conf'}]},
     'absent[0].path: /etc/x.conf is also files[0]'),
    ({'links': [{'path': '/etc/x.conf', 'src': 'a\nInclude /tmp/evil'}]},
     "links[0].src: 'a\\nInclude /tmp/evil' is not a link target"),
    ({'absent': [{'path': '/etc/apache2/../shadow'}]},
     "absent[0].path: '/etc/apache2/../shadow' is not an absolute path to a file"),
])
def test_bad_input_changes_nothing(host, changes, message):
    root, debian = host
    before = tree_digest(root)
    with pytest.raises(ConfigFilesError) as error:
        run(root, debian, **changes)
    assert error.value.msg == message
    assert tree_digest(root) == before
    assert debian.calls == []
