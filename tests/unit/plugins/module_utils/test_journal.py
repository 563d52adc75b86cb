# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The journal a committed transaction keeps, and its restore (the role's rollback): every path
back byte for byte, with mode and owner, links as links, made directories removed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _config_files
from ansible_collections.modwsgi.apache.plugins.module_utils import _transaction


def fingerprint(root):
    """Every path under ``root``: kind, bytes or link target, mode and owner."""
    found = {}
    for here, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(here, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                found[path] = ('link', os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                found[path] = ('dir', stat.S_IMODE(info.st_mode))
            else:
                with open(path, 'rb') as handle:
                    found[path] = ('file', handle.read(), stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid)
    return found


@pytest.fixture
def host(tmp_path):
    """A sysroot with an Apache-like tree: a site with its link, a conf, a file to remove."""
    etc = tmp_path / 'etc' / 'apache2'
    for sub in ('sites-available', 'sites-enabled', 'conf-available'):
        (etc / sub).mkdir(parents=True)
    (etc / 'sites-available' / 'shop.conf').write_bytes(b'<VirtualHost *:80>\r\n  WSGIScriptAlias / /srv/shop.wsgi\n</VirtualHost>\n')
    os.chmod(str(etc / 'sites-available' / 'shop.conf'), 0o640)
    os.symlink('../sites-available/shop.conf', str(etc / 'sites-enabled' / 'shop.conf'))
    (etc / 'conf-available' / 'old.conf').write_bytes(b'# old\n')
    return tmp_path


def change(root, test=None):
    return _config_files.apply_set(
        files=[{'path': '/etc/apache2/sites-available/shop.conf', 'content': 'rewritten\n', 'mode': '0644'},
               {'path': '/usr/local/share/modwsgi-probe/probe.wsgi', 'content': 'probe\n'}],
        links=[{'path': '/etc/apache2/sites-enabled/shop.conf', 'src': '../sites-available/other.conf'}],
        absent=[{'path': '/etc/apache2/conf-available/old.conf'}],
        backup_dir='/var/backups/modwsgi', test=test, sysroot=str(root),
        before=lambda: [{'url': 'http://127.0.0.1/', 'host': 'shop.test', 'status': 200}])


def test_restore_puts_back_every_path_byte_for_byte(host):
    before = fingerprint(str(host / 'etc'))
    result = change(host)
    assert result['journal'] == '/var/backups/modwsgi/last-run'
    assert result['answers_before'] == [{'url': 'http://127.0.0.1/', 'host': 'shop.test', 'status': 200}]
    assert fingerprint(str(host / 'etc')) != before
    journal = str(host) + result['journal']
    restored, left = _transaction.restore_journal(journal, str(host))
    assert left == []
    assert sorted(restored) == ['/etc/apache2/conf-available/old.conf', '/etc/apache2/sites-available/shop.conf',
                                '/etc/apache2/sites-enabled/shop.conf', '/usr/local/share/modwsgi-probe/probe.wsgi']
    assert fingerprint(str(host / 'etc')) == before
    # The directories the run made for the probe (the whole /usr here) are gone again; the
    # journal stays for a later call.
    assert not (host / 'usr').exists()
    assert os.path.isfile(journal + '/journal.json')
    # A second restore finds nothing to put back.
    assert _transaction.restore_journal(journal, str(host)) == ([], [])


def test_the_journal_holds_no_content_in_its_index_and_copies_are_root_only(host):
    change(host)
    journal = host / 'var' / 'backups' / 'modwsgi' / 'last-run'
    index = _transaction.read_journal(str(journal))
    kinds = dict((entry['path'], entry['kind']) for entry in index['paths'])
    assert kinds == {'/etc/apache2/sites-available/shop.conf': 'file', '/etc/apache2/sites-enabled/shop.conf': 'link',
                     '/etc/apache2/conf-available/old.conf': 'file', '/usr/local/share/modwsgi-probe/probe.wsgi': 'absent'}
    assert b'WSGIScriptAlias' not in (journal / 'journal.json').read_bytes()
    assert sorted(oct(stat.S_IMODE(os.stat(str(path)).st_mode)) for path in journal.iterdir()) == ['0o600'] * 3


def test_a_failed_config_test_keeps_the_journal_of_the_run_before(host):
    change(host)
    journal = str(host / 'var' / 'backups' / 'modwsgi' / 'last-run')
    kept = fingerprint(journal)
    with pytest.raises(_config_files.ConfigFilesError):
        _config_files.apply_set(files=[{'path': '/etc/apache2/conf-available/new.conf', 'content': 'x\n'}],
                                backup_dir='/var/backups/modwsgi', sysroot=str(host),
                                test=lambda: (False, 'AH00526: Syntax error'))
    assert fingerprint(journal) == kept
    assert not (host / 'etc' / 'apache2' / 'conf-available' / 'new.conf').exists()


def test_nothing_to_change_records_nothing_and_keeps_no_journal(host):
    asked = []
    result = _config_files.apply_set(
        links=[{'path': '/etc/apache2/sites-enabled/shop.conf', 'src': '../sites-available/shop.conf'}],
        sysroot=str(host), before=lambda: asked.append(1) or [])
    assert (result['changed'], result['journal'], result['answers_before'], asked) == (False, None, [], [])
    assert not (host / 'var').exists()


def test_check_mode_records_nothing(host):
    asked = []
    result = _config_files.apply_set(files=[{'path': '/etc/apache2/conf-available/new.conf', 'content': 'x\n'}],
                                     sysroot=str(host), check_mode=True, before=lambda: asked.append(1) or [])
    assert (result['changed'], result['journal'], asked) == (True, None, [])


def test_a_directory_without_a_journal_is_refused(tmp_path):
    with pytest.raises(ValueError, match='holds no journal'):
        _transaction.restore_journal(str(tmp_path))
    (tmp_path / 'journal.json').write_text('[]')
    with pytest.raises(ValueError, match='is not a journal'):
        _transaction.restore_journal(str(tmp_path))
