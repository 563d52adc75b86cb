# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What we know about Apache's MPMs: names, limits and their defaults, thread safety.

PRIVATE to the collection: this is not a public API and may change at any time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

THREADED = {'prefork': False, 'worker': True, 'event': True}

# Compiled-in defaults of httpd 2.4 (server/mpm/*/*.c, DEFAULT_* macros). MaxRequestWorkers
# defaults to ServerLimit (prefork) or ServerLimit x ThreadsPerChild (threaded MPMs).
DEFAULTS = {
    'prefork': {
        'StartServers': 5, 'MinSpareServers': 5, 'MaxSpareServers': 10,
        'ServerLimit': 256, 'MaxRequestWorkers': 256, 'MaxConnectionsPerChild': 0,
    },
    'worker': {
        'StartServers': 3, 'MinSpareThreads': 75, 'MaxSpareThreads': 250,
        'ThreadLimit': 64, 'ThreadsPerChild': 25, 'ServerLimit': 16,
        'MaxRequestWorkers': 400, 'MaxConnectionsPerChild': 0,
    },
    'event': {
        'StartServers': 3, 'MinSpareThreads': 75, 'MaxSpareThreads': 250,
        'ThreadLimit': 64, 'ThreadsPerChild': 25, 'ServerLimit': 16,
        'MaxRequestWorkers': 400, 'MaxConnectionsPerChild': 0, 'AsyncRequestWorkerFactor': 2,
    },
}

# Names httpd 2.2 used, still accepted by 2.4.
ALIASES = {'maxclients': 'MaxRequestWorkers', 'maxrequestsperchild': 'MaxConnectionsPerChild'}

# Modules that must not run in a threaded MPM, and why.
THREAD_UNSAFE = (
    (re.compile(r'^php\d*_module$'),
     'mod_php is not thread-safe as distributions build it; it needs the prefork MPM'),
    (re.compile(r'^ruid2_module$'), 'mod_ruid2 works only with the prefork MPM'),
    (re.compile(r'^mpm_itk_module$'), 'mpm-itk is a prefork-based MPM'),
)


def choose(setting, unsafe_names):
    """The MPM the role daemon_mode makes active: ``setting`` itself (``prefork``, ``worker``,
    ``event``), or for ``auto`` prefork while a thread-unsafe module is loaded (the names from
    :func:`thread_unsafe`) and event otherwise."""
    if setting != 'auto':
        return setting
    return 'prefork' if unsafe_names else 'event'


def thread_unsafe(module_names):
    """``[{'name': ..., 'reason': ...}]`` for the loaded modules that need prefork."""
    found = []
    for name in module_names:
        for pattern, reason in THREAD_UNSAFE:
            if pattern.match(name):
                found.append({'name': name, 'reason': reason})
                break
    return found


def mpm_of_module(module_id):
    """``mpm_event_module`` -> ``event``; anything else -> ``None``."""
    match = re.match(r'^mpm_([a-z0-9]+)_module$', module_id or '')
    return match.group(1) if match else None


def _number(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        try:
            return float(text)
        except (TypeError, ValueError):
            return None


def limits(parsed, mpm):
    """The limits in force for ``mpm`` in a :class:`_config.ParsedConfig`.

    Returns ``(values, sources)``: each limit's value after httpd's own adjustments, and where
    it came from (``file:line``, ``compiled default`` or ``adjusted by httpd``).
    """
    if mpm not in DEFAULTS:
        return {}, {}
    values = dict(DEFAULTS[mpm])
    sources = dict((name, 'compiled default') for name in values)
    canonical = dict((name.lower(), name) for name in values)
    canonical.update((alias, name) for alias, name in ALIASES.items() if name in values)
    for node in parsed.server_directives():
        name = canonical.get(node.lname)
        if not name or not node.args:
            continue
        value = _number(node.args[0])
        if value is None:
            continue
        values[name] = value
        sources[name] = node.where
    _adjust(mpm, values, sources)
    return values, sources


def _adjust(mpm, values, sources):
    """Apply the clamping httpd does at start (and logs as AH00xxx warnings).

    MaxRequestWorkers keeps its compiled default (256, or 16 x 25 = 400) when unset, whatever
    ServerLimit and ThreadsPerChild say: httpd fixes it in pre_config, then lowers it here.
    """
    def change(name, value):
        if values[name] != value:
            values[name] = value
            sources[name] = 'adjusted by httpd (was %s)' % sources[name]

    if mpm == 'prefork':
        if values['MaxRequestWorkers'] > values['ServerLimit']:
            change('MaxRequestWorkers', values['ServerLimit'])
        return
    threads = values['ThreadsPerChild']
    if threads > values['ThreadLimit']:
        change('ThreadsPerChild', values['ThreadLimit'])
        threads = values['ThreadsPerChild']
    workers = values['MaxRequestWorkers']
    if workers < threads:
        workers = threads
    if workers > values['ServerLimit'] * threads:
        workers = values['ServerLimit'] * threads
    if workers % threads:
        workers = workers // threads * threads
    change('MaxRequestWorkers', workers)


def selected_by(parsed, mpm):
    """The ``LoadModule mpm_*`` directive that loads ``mpm``, as ``{file, line}``, or None."""
    module = parsed.modules.get('mpm_%s_module' % mpm)
    if module and module.get('file'):
        return {'file': module['file'], 'line': module['line']}
    return None
