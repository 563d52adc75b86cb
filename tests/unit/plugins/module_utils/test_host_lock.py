# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_host_lock: one run at a time, with real processes on a temp lock file.

Each holder is a real second process (multiprocessing, fork) that takes the lock and waits to
be told to let go, or is killed. The waiting side uses a bound of 0 or 1 second and the tests
assert the message it fails with, never how long anything took.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _host_lock
from ansible_collections.modwsgi.apache.plugins.module_utils._host_lock import HostLockError, acquire
from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES
from ansible_collections.modwsgi.apache.tests.unit.lock_holder import Holder, own_command


@pytest.fixture
def lock_path(tmp_path):
    return str(tmp_path / 'lock' / 'modwsgi-apache.lock')


def test_second_run_waits_then_fails_naming_the_holder(lock_path):
    holder = Holder(lock_path)
    try:
        with pytest.raises(HostLockError) as failed:
            acquire('modwsgi.apache.mpm', 1, path=lock_path)
    finally:
        holder.let_go()
    msg = failed.value.msg
    assert msg.startswith('another run holds the host lock %s: pid %d (modwsgi.apache.config_files '
                          'since ' % (lock_path, holder.pid))
    assert '; process: %s' % own_command() in msg
    assert msg.endswith('Waited 1 seconds (lock_timeout); nothing was changed. Run again once it '
                        'has finished')
    # Once the holder let go, the lock is ours, and it names us.
    with acquire('modwsgi.apache.mpm', 0, path=lock_path) as lock:
        record = _host_lock.read_record(lock.fd)
        assert (record['pid'], record['what']) == (os.getpid(), 'modwsgi.apache.mpm')
    with open(lock_path) as handle:
        assert handle.read() == ''   # released: the line is cleared, the file stays


def test_a_killed_holder_leaves_no_lock(lock_path):
    holder = Holder(lock_path)
    holder.kill()
    # Its line is still in the file, but the kernel released its lock.
    with open(lock_path) as handle:
        assert '"pid": %d' % holder.pid in handle.read()
    with acquire('modwsgi.apache.config_files', 0, path=lock_path):
        pass


def test_check_mode_without_a_lock_file_creates_none(lock_path):
    with acquire('modwsgi.apache.config_files', 0, shared=True, path=lock_path) as lock:
        assert lock.fd is None
    assert not os.path.lexists(os.path.dirname(lock_path))


def test_check_mode_waits_for_a_writer(lock_path):
    holder = Holder(lock_path)
    try:
        with pytest.raises(HostLockError) as failed:
            acquire('modwsgi.apache.config_files', 0, shared=True, path=lock_path)
    finally:
        holder.let_go()
    assert 'pid %d (modwsgi.apache.config_files since' % holder.pid in failed.value.msg


def test_check_modes_share_and_a_writer_waits_for_them(lock_path):
    with acquire('modwsgi.apache.config_files', 0, path=lock_path):
        pass   # a real run made the file
    holder = Holder(lock_path, shared=True)
    try:
        with acquire('modwsgi.apache.mpm', 0, shared=True, path=lock_path) as lock:
            assert lock.fd is not None
        with pytest.raises(HostLockError) as failed:
            acquire('modwsgi.apache.mpm', 0, path=lock_path)
    finally:
        holder.let_go()
    # A shared holder writes no line: the kernel's /proc/locks names it, /proc says what it is.
    assert 'the host lock %s: pid %d (process: %s' % (lock_path, holder.pid, own_command()) \
        in failed.value.msg


def test_the_file_is_never_followed_through_a_symlink(lock_path, tmp_path):
    target = tmp_path / 'target'
    target.write_text(u'keep\n')
    os.makedirs(os.path.dirname(lock_path))
    os.symlink(str(target), lock_path)
    for shared in (False, True):
        with pytest.raises(HostLockError) as failed:
            acquire('modwsgi.apache.config_files', 0, shared=shared, path=lock_path)
        assert failed.value.msg.startswith('cannot open the host lock %s: ' % lock_path)
    assert target.read_text() == u'keep\n'


@pytest.mark.parametrize('value', [-1, 3601, True, '5', None])
def test_bad_timeout_is_refused(value, lock_path):
    with pytest.raises(HostLockError) as failed:
        acquire('modwsgi.apache.config_files', value, path=lock_path)
    assert failed.value.msg == ('lock_timeout: must be a whole number of seconds from 0 to 3600, '
                                'not %r; nothing was changed' % (value,))
    assert not os.path.lexists(os.path.dirname(lock_path))


def test_parse_locks_on_a_captured_proc_locks():
    with open(os.path.join(FIXTURES, 'locks', 'proc-locks.txt')) as handle:
        text = handle.read()
    # fixtures/locks/README.md: f is inode 2212371, g 2212372, both on device fe:00.
    assert _host_lock.parse_locks(text, 0xfe, 0, 2212371) == [(28534, 'WRITE')]
    assert _host_lock.parse_locks(text, 0xfe, 0, 2212372) == [(28562, 'READ')]
    assert _host_lock.parse_locks(text, 0xfe, 1, 2212371) == []


def test_without_proc_locks_the_line_in_the_file_names_the_holder(lock_path, tmp_path):
    holder = Holder(lock_path)
    try:
        with pytest.raises(HostLockError) as failed:
            acquire('modwsgi.apache.mpm', 0, path=lock_path, proc_root=str(tmp_path / 'no-proc'))
    finally:
        holder.let_go()
    assert ': pid %d (modwsgi.apache.config_files since ' % holder.pid in failed.value.msg
    assert 'process:' not in failed.value.msg
