# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Count Apache's processes and their memory from ``/proc`` (Linux).

PRIVATE to the collection: this is not a public API and may change at any time.

The process tree is the Apache parent (from its pid file, or the process named like the
binary whose parent is not) and all its descendants: MPM children and mod_wsgi daemon
processes, whatever ``display-name`` renamed them to. RSS comes from ``status`` (readable by
anyone); PSS from ``smaps_rollup``, which needs the rights to trace the process. When a PSS
cannot be read, ``pss_mb`` is ``None`` rather than a wrong sum. A process that exits while it
is measured (prefork reaps idle children every second) is left out, not counted as unknown.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os


def _read(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read().decode('utf-8', 'replace')
    except (IOError, OSError):
        return None


def parse_stat(text):
    """``/proc/PID/stat`` -> ``(comm, ppid)``; the comm may hold spaces and parentheses."""
    if not text or ')' not in text:
        return None, None
    comm = text[text.index('(') + 1:text.rindex(')')]
    fields = text[text.rindex(')') + 2:].split()
    try:
        return comm, int(fields[1])
    except (IndexError, ValueError):
        return comm, None


def parse_kb(text, key):
    """The ``key:  NNN kB`` value of a ``status`` or ``smaps_rollup`` text, in kB."""
    for line in (text or '').splitlines():
        if line.startswith(key + ':'):
            parts = line.split()
            try:
                return int(parts[1])
            except (IndexError, ValueError):
                return None
    return None


def snapshot(proc_root='/proc'):
    """``{pid: (comm, ppid)}`` for every process that can be seen."""
    table = {}
    try:
        names = os.listdir(proc_root)
    except OSError:
        return table
    for name in names:
        if not name.isdigit():
            continue
        comm, ppid = parse_stat(_read(os.path.join(proc_root, name, 'stat')))
        if comm is not None:
            table[int(name)] = (comm, ppid)
    return table


def find_parent(table, names, pid_hint=None):
    """The Apache parent pid: ``pid_hint`` if alive, else the top process named in ``names``."""
    if pid_hint in table:
        return pid_hint
    candidates = [pid for pid, (comm, ppid) in table.items()
                  if comm in names and (ppid not in table or table[ppid][0] not in names)]
    return min(candidates) if candidates else None


def descendants(table, parent):
    children = {}
    for pid, (dummy, ppid) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [parent]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return sorted(found)


def measure(names, pid_file=None, proc_root='/proc'):
    """``{count, rss_mb, pss_mb, pids}`` for Apache's process tree; count 0 if not running."""
    table = snapshot(proc_root)
    hint = None
    text = _read(pid_file) if pid_file else None
    if text and text.strip().isdigit():
        hint = int(text.strip())
    parent = find_parent(table, names, hint)
    if parent is None:
        return {'count': 0, 'rss_mb': 0.0, 'pss_mb': 0.0, 'pids': []}
    rss = pss = 0
    pss_known = True
    pids = []
    for pid in descendants(table, parent):
        base = os.path.join(proc_root, str(pid))
        # smaps_rollup first, then status: when neither can be read any more, the process has
        # exited since the snapshot (prefork reaps idle children every second) and is left
        # out. A status without VmRSS is a process that no longer holds memory (a zombie).
        # Otherwise, a smaps_rollup that cannot be read is a PSS that is not ours to read.
        smaps = _read(os.path.join(base, 'smaps_rollup'))
        status = _read(os.path.join(base, 'status'))
        if smaps is None and status is None:
            continue
        pids.append(pid)
        rss_kb = parse_kb(status, 'VmRSS')
        if rss_kb is None:
            continue
        rss += rss_kb
        value = parse_kb(smaps, 'Pss')
        if value is None:
            pss_known = False
        else:
            pss += value
    return {
        'count': len(pids),
        'rss_mb': round(rss / 1024.0, 1),
        'pss_mb': round(pss / 1024.0, 1) if pss_known else None,
        'pids': pids,
    }
