# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the ``config_files`` module does: a whole set of Apache files as one transaction.

PRIVATE to the collection: this is not a public API and may change at any time.

:func:`apply_set` plans the files to write, the links to make and the paths to remove against
what is on disk, and in check mode stops there (nothing is read beyond the paths themselves,
so it works before Apache is installed). Otherwise it hands the plan to
:func:`_transaction.commit`, which backs up removed files, writes, runs Apache's config test
and restores every path byte for byte when the test fails.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import pwd
import re

from ansible_collections.modwsgi.apache.plugins.module_utils._layout import locate
from ansible_collections.modwsgi.apache.plugins.module_utils import _transaction
from ansible_collections.modwsgi.apache.plugins.module_utils._layout import host_path

ON_CHANGE = ('reload', 'restart')
_MODE_RE = re.compile(r'^0?[0-7]{3}$')


class ConfigFilesError(Exception):
    """Bad input, or a failed transaction; ``result`` holds what is known so far."""

    def __init__(self, msg, **result):
        super(ConfigFilesError, self).__init__(msg)
        self.msg = msg
        self.result = result


def _check_path(field, path):
    if not isinstance(path, str) or not path.startswith('/') or '\n' in path or '\0' in path \
            or '/../' in path + '/' or path.endswith('/'):
        raise ConfigFilesError('%s: %r is not an absolute path to a file' % (field, path))


def _id(field, kind, name):
    try:
        return (pwd.getpwnam if kind == 'owner' else grp.getgrnam)(name)[2]
    except KeyError:
        raise ConfigFilesError('%s.%s: no %s named %r on this host'
                               % (field, kind, 'user' if kind == 'owner' else 'group', name))


def plan(files=(), links=(), absent=(), sysroot='/'):
    """The operations that make the paths as asked, in order: files, links, removals."""
    ops = []
    seen = {}
    entries = ([('files', i, e) for i, e in enumerate(files)]
               + [('links', i, e) for i, e in enumerate(links)]
               + [('absent', i, e) for i, e in enumerate(absent)])
    for kind, index, entry in entries:
        field = '%s[%d]' % (kind, index)
        path = entry['path']
        _check_path(field + '.path', path)
        if path in seen:
            raise ConfigFilesError('%s.path: %s is also %s' % (field, path, seen[path]))
        seen[path] = field
        on_change = entry.get('on_change') or 'reload'
        if on_change not in ON_CHANGE:
            raise ConfigFilesError('%s.on_change: must be reload or restart, not %r'
                                   % (field, on_change))
        real = host_path(sysroot, path)
        before = _transaction.read_state(real)
        if before[0] == 'other':
            raise ConfigFilesError('%s.path: %s is neither a file nor a symlink' % (field, path))
        meta = None
        if kind == 'files':
            mode = entry.get('mode') or '0644'
            if not _MODE_RE.match(mode):
                raise ConfigFilesError('%s.mode: %r is not an octal mode such as 0644'
                                       % (field, mode))
            meta = (int(mode, 8), _id(field, 'owner', entry.get('owner') or 'root'),
                    _id(field, 'group', entry.get('group') or 'root'))
            after = ('file', entry['content'].encode('utf-8'))
        elif kind == 'links':
            src = entry['src']
            if not src or '\n' in src or '\0' in src:
                raise ConfigFilesError('%s.src: %r is not a link target' % (field, src))
            after = ('link', src)
        else:
            after = _transaction.ABSENT
        op = _transaction.operation(path, before, after, meta=meta,
                                    before_meta=_transaction.read_meta(real),
                                    backup=kind == 'absent' and entry.get('backup', True),
                                    on_change=on_change)
        if op:
            ops.append(op)
    return ops


def _action(op):
    if op['after'] == _transaction.ABSENT:
        return 'remove'
    if op['after'][0] == 'link':
        return 'link'
    return 'write' if op['before'] != op['after'] else 'attributes'


JOURNAL = 'last-run'


def journal_dir(backup_dir):
    """Where a committed set keeps the state before it (:func:`_transaction.save_journal`)."""
    return backup_dir.rstrip('/') + '/' + JOURNAL


def apply_set(files=(), links=(), absent=(), backup_dir='/var/backups/modwsgi', test=None,
              check_mode=False, sysroot='/', before=None):
    """Plan, and unless ``check_mode`` commit; return the module's result.

    ``test`` is a callable ``() -> (ok, message)`` (Apache's config test), or ``None``.
    ``before`` is a callable ``() -> list``, called once, only when something is to change and
    before anything is written: what the sites answer before the change (``answers_before``).
    A committed set keeps the state before it in :func:`journal_dir` (``journal``).
    """
    _check_path('backup_dir', backup_dir)
    ops = plan(files, links, absent, sysroot)
    backups = [{'path': op['path'], 'backup': _transaction.backup_path(backup_dir, op['path'])}
               for op in ops if op['backup']]
    result = {
        'changed': bool(ops),
        'changes': [{'path': op['path'], 'action': _action(op), 'on_change': op['on_change']}
                    for op in ops],
        'backups': backups,
        'restart_required': any(op['on_change'] == 'restart' for op in ops),
        'reload_required': any(op['on_change'] == 'reload' for op in ops),
        'diff': _transaction.diff(ops),
        'answers_before': [],
        'journal': None,
    }
    if check_mode or not ops:
        return result
    if before is not None:
        result['answers_before'] = before()
    try:
        result['backups'] = _transaction.commit(ops, test, sysroot, backup_dir, journal_dir(backup_dir))
        result['journal'] = journal_dir(backup_dir)
    except _transaction.TransactionError as exc:
        raise ConfigFilesError(exc.msg, changed=False, changes=[], backups=[],
                               restart_required=False, reload_required=False)
    return result


def runner(find_bin, sysroot='/'):
    """The command that runs Apache's config test on this layout, or ``None`` without Apache."""
    located = locate(find_bin, sysroot)
    return located['runner'] if located else None
