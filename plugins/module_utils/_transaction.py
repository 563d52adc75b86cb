# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One transaction on Apache's files: plan, back up, apply, config-test, restore byte for byte.

PRIVATE to the collection: this is not a public API and may change at any time.

Both the ``mpm`` module (through :mod:`_mpm_switch`) and the ``config_files`` module use it.

A change is a list of *operations*, one per path, each a dict with ``path``, ``before`` and
``after`` states, where a state is ``('absent',)``, ``('link', target)`` or ``('file', bytes)``,
and optionally ``meta`` (the ``(mode, uid, gid)`` the file must have; ``None`` keeps what the
file has), ``backup`` (copy a removed regular file under the backup directory first) and
``on_change`` (``reload`` or ``restart``). :func:`commit` snapshots every path (state, mode,
owner; a symlink as a symlink), makes the backups, applies the operations, runs Apache's
config test, and when the test fails puts every path back as it was and removes what it made
(backups, directories), then raises :class:`TransactionError` with Apache's message.

With ``journal``, a committed transaction also leaves the state every path had before it (its
bytes, mode and owner; a symlink as a symlink; an absent path as absent) and the directories it
made in a directory on the host (:func:`save_journal`): :func:`restore_journal` puts them back
byte for byte, later, in another call (the role's rollback). Nothing of the files' content goes
through Ansible's results.

Its callers hold the host lock (:mod:`_host_lock`) around it. :func:`write_state` fsyncs each
file before it renames it into place, and the directory after, so a run killed at any point
leaves each path as it was or as it was to be; a temporary file that such a run left beside a
path is removed by the next write of that path (under the lock, it can only be a dead run's).

TEST ONLY: the environment variable ``MODWSGI_TEST_STOP_AFTER=N`` (read by :func:`_step`, and
nowhere else) kills the process with SIGKILL right after its Nth write step, to prove in the
Molecule scenario ``concurrency`` that a run killed there leaves Apache serving and the next
run converging. Never set it anywhere else.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import os
import shutil
import signal
import stat
import tempfile

from ansible_collections.modwsgi.apache.plugins.module_utils import _httpd_output
from ansible_collections.modwsgi.apache.plugins.module_utils._layout import host_path

ABSENT = ('absent',)
DEFAULT_META = (0o644, None, None)
# What write_state names its temporary files and links: '.<name>.modwsgi-tmp.<random>'.
TMP_MARK = '.modwsgi-tmp.'
STOP_AFTER_ENV = 'MODWSGI_TEST_STOP_AFTER'
_STEPS = [0]


class TransactionError(Exception):
    """A failed transaction: ``stage`` (``write`` or ``test``), ``cause`` (the OS error or
    Apache's message), ``left`` (the paths that could not be restored; empty when every path
    is back as it was)."""

    def __init__(self, stage, cause, left):
        self.stage = stage
        self.cause = cause
        self.left = left
        self.restored = restored_text(left)
        if stage == 'write':
            msg = 'error while writing the files: %s; %s' % (cause, self.restored)
        else:
            msg = 'Apache rejects the new configuration, so %s. Apache says: %s' % (
                self.restored, cause)
        super(TransactionError, self).__init__(msg)
        self.msg = msg


# -- states ---------------------------------------------------------------------------------

def read_state(real):
    """The state of one path (a symlink is not followed)."""
    try:
        info = os.lstat(real)
    except OSError:
        return ABSENT
    if stat.S_ISLNK(info.st_mode):
        return ('link', os.readlink(real))
    if stat.S_ISREG(info.st_mode):
        with open(real, 'rb') as handle:
            return ('file', handle.read())
    return ('other',)


def read_meta(real):
    """``(mode, uid, gid)`` of a regular file, else ``None``."""
    try:
        info = os.lstat(real)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid)


def meta_differs(current, wanted):
    """Whether a file with ``current`` meta must be changed to have ``wanted``."""
    if wanted is None:
        return False
    if current is None:
        return True
    return any(want is not None and want != have for have, want in zip(current, wanted))


def operation(path, before, after, meta=None, before_meta=None, backup=False, on_change=None):
    """One operation; ``None`` when there is nothing to do at ``path``."""
    if before == after and not (after[0] == 'file' and meta_differs(before_meta, meta)):
        return None
    return {'path': path, 'before': before, 'after': after, 'meta': meta,
            'before_meta': before_meta, 'backup': backup and before[0] == 'file',
            'on_change': on_change}


def write_state(real, state, meta=None):
    """Put ``state`` at ``real`` atomically (a temp name in the same directory, renamed).

    A file gets ``meta`` (``(mode, uid, gid)``, ``None`` parts left as they are), or keeps the
    mode and owner of the file it replaces, or 0644. Its content, mode and owner are fsynced
    before the rename, and the directory after it (and after a removal).
    """
    directory = os.path.dirname(real)
    if state == ABSENT:
        if os.path.lexists(real):
            os.unlink(real)
            _sync_dir(directory)
            _step()
        return
    prefix = tmp_prefix(real)
    _sweep(directory, prefix)
    if state[0] == 'link':
        tmp = os.path.join(directory, prefix + 'link')
        os.symlink(state[1], tmp)
        _step()
        os.rename(tmp, real)
        _sync_dir(directory)
        _step()
        return
    current = read_meta(real) or DEFAULT_META
    mode, uid, gid = [want if want is not None else have
                      for have, want in zip(current, meta or (None, None, None))]
    handle, tmp = tempfile.mkstemp(prefix=prefix, dir=directory)
    try:
        with os.fdopen(handle, 'wb') as out:
            out.write(state[1])
            out.flush()
            os.fchmod(out.fileno(), mode)
            uid = os.getuid() if uid is None else uid
            gid = os.getgid() if gid is None else gid
            if (uid, gid) != (os.getuid(), os.getgid()):
                os.fchown(out.fileno(), uid, gid)
            os.fsync(out.fileno())
        _step()
        os.rename(tmp, real)
    except Exception:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
    _sync_dir(directory)
    _step()


def tmp_prefix(real):
    """How the temporary files of ``real`` begin (in its directory)."""
    return '.%s%s' % (os.path.basename(real), TMP_MARK)


def _sweep(directory, prefix):
    """Remove the temporary files of one path that a killed run left in ``directory``."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name.startswith(prefix):
            os.unlink(os.path.join(directory, name))


def _sync_dir(directory):
    """fsync a directory, so that a rename or removal in it is on disk."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno != errno.EINVAL:  # a file system that cannot sync directories
            raise
    finally:
        os.close(fd)


def _step():
    """One write step done (a temporary file or link in place, a rename, a removal).

    TEST ONLY (see the module's docstring): with ``MODWSGI_TEST_STOP_AFTER=N`` in the
    environment, the Nth step kills the process with SIGKILL, as a crash or an OOM kill would.
    """
    stop = os.environ.get(STOP_AFTER_ENV, '')
    if not stop.isdigit():
        return
    _STEPS[0] += 1
    if _STEPS[0] == int(stop):
        os.kill(os.getpid(), signal.SIGKILL)


def _make_dirs(real, mode, made):
    """Create ``real`` and its missing parents with ``mode``; record them in ``made``."""
    missing = []
    while real and not os.path.lexists(real):
        missing.append(real)
        real = os.path.dirname(real)
    for directory in reversed(missing):
        os.mkdir(directory, mode)
        os.chmod(directory, mode)
        made.append(directory)


# -- diff -----------------------------------------------------------------------------------

def _describe(state):
    if state == ABSENT:
        return 'absent', ''
    if state[0] == 'link':
        return 'symlink', 'symlink to %s\n' % state[1]
    return 'file', state[1].decode('utf-8', 'replace')


def diff(ops):
    """Ansible's diff list: one before/after per operation, headed by path and kind."""
    result = []
    for op in ops:
        before_kind, before = _describe(op['before'])
        after_kind, after = _describe(op['after'])
        if op['before'] == op['after']:
            before = 'mode %04o\n' % op['before_meta'][0] if op['before_meta'] else before
            after = 'mode %04o\n' % op['meta'][0] if op['meta'][0] is not None else after
        result.append({'before_header': '%s (%s)' % (op['path'], before_kind),
                       'after_header': '%s (%s)' % (op['path'], after_kind),
                       'before': before, 'after': after})
    return result


# -- the transaction ------------------------------------------------------------------------

def config_test(run, runner):
    """``(ok, message)`` of ``<runner> -t`` (Apache's own message when it fails)."""
    rc, out, err = run([runner, '-t'])
    return rc == 0, _httpd_output.error_text(out, err)


def backup_path(backup_dir, path):
    """Where the copy of ``path`` is kept: its whole path under ``backup_dir``."""
    return backup_dir.rstrip('/') + '/' + path.lstrip('/')


def commit(ops, test=None, sysroot='/', backup_dir=None, journal=None):
    """Apply ``ops`` as one transaction and return the backups made (``[{path, backup}]``).

    ``test()`` returns ``(ok, message)``; when it is not ok, or a write fails, every path is
    restored and :class:`TransactionError` is raised with the message. Once the test passed,
    the state before the transaction is saved in the directory ``journal`` (a host path, under
    ``sysroot``), when given: :func:`save_journal`.
    """
    saved = [{'path': op['path'], 'real': host_path(sysroot, op['path']),
              'state': read_state(host_path(sysroot, op['path'])),
              'meta': read_meta(host_path(sysroot, op['path']))} for op in ops]
    made = []
    backups = []
    try:
        for op in ops:
            if op.get('backup'):
                copy = backup_path(backup_dir, op['path'])
                real = host_path(sysroot, copy)
                _make_dirs(os.path.dirname(real), 0o700, made)
                created = not os.path.lexists(real)
                write_state(real, op['before'], (0o600, None, None))
                if created:
                    made.append(real)
                backups.append({'path': op['path'], 'backup': copy})
        for op in ops:
            real = host_path(sysroot, op['path'])
            if op['after'] != ABSENT:
                _make_dirs(os.path.dirname(real), 0o755, made)
            write_state(real, op['after'], op.get('meta'))
    except (IOError, OSError) as exc:
        raise TransactionError('write', exc, restore(saved, made))
    if test is not None:
        ok, message = test()
        if not ok:
            raise TransactionError('test', message, restore(saved, made))
    if journal is not None:
        owned = [real for real in made if os.path.isdir(real)
                 and not (backup_dir and real.startswith(host_path(sysroot, backup_dir).rstrip('/') + '/'))]
        save_journal(host_path(sysroot, journal), saved, owned, sysroot)
    return backups


def restore(saved, made=()):
    """Put back every saved path, remove what was made; return the paths that still differ."""
    for entry in reversed(saved):
        if read_state(entry['real']) != entry['state'] or read_meta(entry['real']) != entry['meta']:
            write_state(entry['real'], entry['state'], entry['meta'])
    for real in reversed(list(made)):
        if os.path.isdir(real) and not os.path.islink(real):
            if not os.listdir(real):
                os.rmdir(real)
        elif os.path.lexists(real):
            os.unlink(real)
    return [entry['path'] for entry in saved if read_state(entry['real']) != entry['state']]


JOURNAL_INDEX = 'journal.json'


def save_journal(directory, saved, made, sysroot='/'):
    """Keep, in ``directory`` (replaced whole), the state each path of ``saved`` had before the
    transaction and the directories it ``made``: ``journal.json`` lists the paths (kind, link
    target, mode, owner) and each regular file's bytes are a copy beside it (0600). The new
    journal is complete on disk before it replaces the old one."""
    parent = os.path.dirname(directory.rstrip('/'))
    made_dirs = []
    _make_dirs(parent, 0o700, made_dirs)
    fresh = tempfile.mkdtemp(prefix='.%s%s' % (os.path.basename(directory), TMP_MARK), dir=parent)
    entries = []
    for index, entry in enumerate(saved):
        record = {'path': entry['path'], 'kind': entry['state'][0]}
        if entry['state'][0] == 'link':
            record['target'] = entry['state'][1]
        elif entry['state'][0] == 'file':
            record['copy'] = '%d' % index
            record['mode'], record['uid'], record['gid'] = entry['meta']
            write_state(os.path.join(fresh, record['copy']), entry['state'], (0o600, None, None))
        entries.append(record)
    root = host_path(sysroot, '/').rstrip('/')
    index = {'format': 1, 'paths': entries,
             'made': ['/' + real[len(root):].lstrip('/') for real in made]}
    write_state(os.path.join(fresh, JOURNAL_INDEX),
                ('file', json.dumps(index, indent=1, sort_keys=True).encode('utf-8')), (0o600, None, None))
    if os.path.lexists(directory):
        old = fresh + '.old'
        os.rename(directory, old)
        os.rename(fresh, directory)
        shutil.rmtree(old)
    else:
        os.rename(fresh, directory)
    _sync_dir(parent)


def read_journal(directory):
    """The index of the journal in ``directory`` (:func:`save_journal`), or ``None`` when there
    is none; raises ``ValueError`` when it is not one."""
    try:
        with open(os.path.join(directory, JOURNAL_INDEX), 'rb') as handle:
            index = json.loads(handle.read().decode('utf-8'))
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise
    if not isinstance(index, dict) or index.get('format') != 1 or not isinstance(index.get('paths'), list):
        raise ValueError('%s is not a journal of modwsgi.apache' % os.path.join(directory, JOURNAL_INDEX))
    return index


def restore_journal(directory, sysroot='/'):
    """Put every path of the journal in ``directory`` back as it was before its transaction
    (bytes, mode and owner), and remove the directories the transaction made when they are
    empty again. Returns ``(restored, left)``: the paths changed back, and those that still
    differ. Raises ``ValueError`` when ``directory`` holds no journal."""
    index = read_journal(directory)
    if index is None:
        raise ValueError('%s holds no journal of modwsgi.apache' % directory)
    restored = []
    left = []
    for record in reversed(index['paths']):
        real = host_path(sysroot, record['path'])
        meta = None
        if record['kind'] == 'link':
            state = ('link', record['target'])
        elif record['kind'] == 'file':
            with open(os.path.join(directory, record['copy']), 'rb') as handle:
                state = ('file', handle.read())
            meta = (record['mode'], record['uid'], record['gid'])
        else:
            state = ABSENT
        if read_state(real) != state or (meta is not None and read_meta(real) != meta):
            if state != ABSENT:
                _make_dirs(os.path.dirname(real), 0o755, [])
            write_state(real, state, meta)
            restored.append(record['path'])
        if read_state(real) != state or (meta is not None and read_meta(real) != meta):
            left.append(record['path'])
    for path in reversed(index.get('made', [])):
        real = host_path(sysroot, path)
        if os.path.isdir(real) and not os.path.islink(real) and not os.listdir(real):
            os.rmdir(real)
    return restored, left


def restored_text(left):
    if left:
        return 'restoring FAILED for %s' % ', '.join(left)
    return 'every file was restored as it was'
