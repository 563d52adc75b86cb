# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One run at a time on a host: the lock that the modules which write Apache's files hold.

PRIVATE to the collection: this is not a public API and may change at any time.

``config_files``, ``mpm`` and ``probe_secret`` hold it from before they read what is on disk
until they have written and tested, so two runs (a cron job and an AWX job, two controllers)
never interleave their writes: each one plans from what the other left. It is an ``flock`` on
:data:`LOCK_PATH`, which the kernel releases when the holder ends, killed or not: a dead run
never leaves the host locked. The file itself stays (removing it would let two runs lock two
different files).

The holder writes one line of JSON into the file: its pid, what it does and since when. A run
that finds the lock taken tries again until ``lock_timeout`` seconds have passed, then fails
with :class:`HostLockError`, naming the file, the pid that holds it (the kernel's
``/proc/locks``; the file's line where that cannot be read) and what that process is (its
command line, from ``/proc`` when readable).

Check mode takes the lock *shared*, and only when the file is there: it writes nothing, but
waits for a run that is writing, so that it reports the files as that run leaves them rather
than half-written or about to be restored. It never creates the file: without it no run has
written since the host booted (``/run`` is a tmpfs), and check mode must leave nothing behind.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import json
import os
import time

LOCK_PATH = '/run/lock/modwsgi-apache.lock'
DEFAULT_TIMEOUT = 60
MAX_TIMEOUT = 3600
# Seconds between two tries while another run holds the lock.
POLL = 0.2

# The modules' option (documented once, in the doc fragment modwsgi.apache.host_lock).
ARGUMENT_SPEC = {'lock_timeout': {'type': 'int', 'default': DEFAULT_TIMEOUT}}


class HostLockError(Exception):
    """The lock could not be had: bad ``lock_timeout``, an unusable lock file, or another run
    held it for longer than ``lock_timeout``. Nothing was changed."""

    def __init__(self, msg):
        super(HostLockError, self).__init__(msg)
        self.msg = msg


def check_timeout(value):
    """``value`` when it is a whole number of seconds in 0..MAX_TIMEOUT, else HostLockError."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TIMEOUT:
        raise HostLockError('lock_timeout: must be a whole number of seconds from 0 to %d, not '
                            '%r; nothing was changed' % (MAX_TIMEOUT, value))
    return value


class HostLock(object):
    """A held lock (``fd`` is ``None`` when check mode found no lock file); a context manager."""

    def __init__(self, fd, path, shared):
        self.fd = fd
        self.path = path
        self.shared = shared

    def release(self):
        if self.fd is None:
            return
        try:
            if not self.shared:
                try:
                    os.ftruncate(self.fd, 0)
                except OSError:
                    pass  # a read-only descriptor: there is no line of ours to clear
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)
            self.fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.release()


def acquire(what, timeout=DEFAULT_TIMEOUT, shared=False, path=None, proc_root='/proc',
            sleep=time.sleep, clock=time.monotonic):
    """Take the host lock (``path``, by default :data:`LOCK_PATH`) for ``what`` (for example
    ``modwsgi.apache.config_files``), waiting up to ``timeout`` seconds; exclusive, or
    ``shared`` for check mode. Returns a :class:`HostLock`; raises :class:`HostLockError`."""
    check_timeout(timeout)
    path = path or LOCK_PATH
    fd = _open(path, shared)
    if fd is None:
        return HostLock(None, path, shared)
    deadline = clock() + timeout
    while True:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            break
        except (IOError, OSError) as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise HostLockError('cannot lock the host lock %s: %s; nothing was changed'
                                    % (path, exc.strerror))
            now = clock()
            if now >= deadline:
                msg = busy_message(fd, path, timeout, proc_root)
                os.close(fd)
                raise HostLockError(msg)
            sleep(min(POLL, deadline - now))
    if not shared:
        _record(fd, what)
    return HostLock(fd, path, shared)


def _open(path, shared):
    """A descriptor on the lock file (never through a symlink), or ``None`` in check mode when
    there is no file."""
    flags = os.O_NOFOLLOW | getattr(os, 'O_CLOEXEC', 0)
    try:
        if shared:
            return os.open(path, os.O_RDONLY | flags)
        directory = os.path.dirname(path)
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o755)
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o644)
        except OSError as exc:
            # Another user's file (a non-root run, or a sticky /run/lock): flock needs no write
            # access, only the line of JSON is not written.
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
            return os.open(path, os.O_RDONLY | flags)
    except OSError as exc:
        if shared and exc.errno == errno.ENOENT:
            return None
        raise HostLockError('cannot open the host lock %s: %s; nothing was changed'
                            % (path, exc.strerror))


def _record(fd, what):
    """Write the holder's line (pid, what, since) into the lock file, when it is writable."""
    line = json.dumps({'pid': os.getpid(), 'what': what,
                       'since': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())},
                      sort_keys=True) + '\n'
    try:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, line.encode('utf-8'))
    except OSError:
        pass


def read_record(fd):
    """The holder's line from the lock file (a dict), or ``{}``."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        record = json.loads(os.read(fd, 4096).decode('utf-8', 'replace') or '{}')
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def holders(fd, proc_root='/proc'):
    """``[(pid, 'READ' or 'WRITE')]`` of the flock holders of ``fd``'s file, from the kernel's
    ``/proc/locks``; ``None`` when it cannot be read."""
    info = os.fstat(fd)
    try:
        with open(os.path.join(proc_root, 'locks')) as handle:
            text = handle.read()
    except (IOError, OSError):
        return None
    return parse_locks(text, os.major(info.st_dev), os.minor(info.st_dev), info.st_ino)


def parse_locks(text, major, minor, inode):
    """The flock holders of one file (device ``major:minor``, ``inode``) in ``/proc/locks``'
    text; the waiters (lines with ``->``) and pids this pid namespace cannot see (0) are left
    out."""
    found = []
    for line in text.splitlines():
        # "1: FLOCK  ADVISORY  WRITE 4242 00:1a:7 0 EOF"
        fields = line.split()
        if len(fields) < 6 or fields[1] != 'FLOCK':
            continue
        where = fields[5].split(':')
        try:
            ident = (int(where[0], 16), int(where[1], 16), int(where[2]))
            pid = int(fields[4])
        except (ValueError, IndexError):
            continue
        if ident == (major, minor, inode) and pid > 0:
            found.append((pid, fields[3]))
    return found


def describe(pid, record, proc_root='/proc'):
    """``pid N (what since T; process: its command line)``, with what is known."""
    parts = []
    if record.get('pid') == pid and record.get('what'):
        parts.append('%s since %s' % (record['what'], record.get('since', '?')))
    try:
        with open(os.path.join(proc_root, str(pid), 'cmdline'), 'rb') as handle:
            command = handle.read().replace(b'\0', b' ').decode('utf-8', 'replace').strip()
    except (IOError, OSError):
        command = ''
    if command:
        parts.append('process: %s' % (command if len(command) <= 200 else command[:197] + '...'))
    return 'pid %d%s' % (pid, ' (%s)' % '; '.join(parts) if parts else '')


def busy_message(fd, path, timeout, proc_root='/proc'):
    """What a run says when another one held the lock for ``timeout`` seconds."""
    record = read_record(fd)
    found = holders(fd, proc_root)
    if found is None and isinstance(record.get('pid'), int):
        found = [(record['pid'], 'WRITE')]
    who = ', '.join(describe(pid, record, proc_root) for pid, _kind in found or [])
    return ('another run holds the host lock %s: %s. Waited %d seconds (lock_timeout); nothing '
            'was changed. Run again once it has finished' % (path, who or 'a process whose pid '
                                                             'cannot be read', timeout))


def for_module(module, what):
    """The host lock for an AnsibleModule run (shared in check mode, for O(lock_timeout)
    seconds); the module fails with the message when it cannot be had."""
    lock = None
    try:
        lock = acquire(what, module.params['lock_timeout'], shared=module.check_mode)
    except HostLockError as exc:
        module.fail_json(msg=exc.msg, changed=False)
    return lock
