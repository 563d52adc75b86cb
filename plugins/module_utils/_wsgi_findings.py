# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The findings of ``wsgi_facts``: what is wrong or risky in a configuration, read from the
decisions of :mod:`_wsgi_mounts` (their ``code``), never from their prose.

PRIVATE to the collection: this is not a public API and may change at any time.

Every finding names the file and line to change. The codes and their fixes are listed in
``docs/findings.md``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.modwsgi.apache.plugins.module_utils import _httpd_routing as routing
from ansible_collections.modwsgi.apache.plugins.module_utils._httpd_regex import regex
from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_module import venv_python
from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_mounts import GLOBAL
from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_url import port_number, split_hostport

# Where httpd says its configuration is wrong: "AH00526: Syntax error on line 1 of /x.conf:".
_SYNTAX_ERROR_RE = re.compile(r'line (\d+) of (/[^:\s]+)')


def _int(text, default):
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


def _decided_where(mount):
    return {'file': mount['decided_by']['file'], 'line': mount['decided_by']['line']}


def _check_config(a):
    """A configuration Apache rejects, or that could not be read whole, makes the audit
    below incomplete: say so first, with file and line where they are known."""
    rejected = None
    if a.apache.get('config_ok') is False:
        message = a.apache.get('config_error') or 'no message'
        where = _SYNTAX_ERROR_RE.search(message)
        rejected = (where.group(2), int(where.group(1))) if where else None
        a.finding('config_invalid', 'error',
                  'Apache rejects its configuration, so it would not start or reload '
                  'with it: %s' % message,
                  file=where.group(2) if where else a.apache.get('config_file'),
                  line=int(where.group(1)) if where else None)
    for error in a.parsed.errors:
        a.finding('config_unreadable', 'warning',
                  'Part of the configuration could not be read as Apache would: %s'
                  % error['message'], file=error['file'], line=error['line'])
    _check_values(a, rejected)


# The directives whose pattern is a regular expression (mod_alias, mod_wsgi); RedirectMatch's
# may follow a status.
_REGEX_DIRECTIVES = ('redirectmatch', 'aliasmatch', 'scriptaliasmatch', 'wsgiscriptaliasmatch')


def _pattern(node):
    """The regular expression ``node`` (a section or a directive) gives, or None."""
    if node.children is not None:
        return routing.regex_of(node) if node.lname in routing.PER_DIR_SECTIONS else None
    if node.lname not in _REGEX_DIRECTIVES or not node.args:
        return None
    if node.lname == 'redirectmatch':
        from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_resolve import redirect_of
        found = redirect_of(node)
        return found[1] if found else None
    return node.args[0]


def _check_values(a, rejected):
    """What httpd refuses while it reads the configuration, found by the audit with file and
    line: a regular expression that does not compile (the analysis takes it as matching
    nothing), an address or ``Listen`` without a valid port. ``rejected``: the ``(file,
    line)`` of Apache's own message, which says it already."""
    for node in a.parsed.root.iter():
        if (node.file, node.line) == rejected:
            continue
        pattern = _pattern(node)
        why = regex(pattern)[1] if pattern is not None else None
        if why:
            a.finding('config_invalid', 'error',
                      '%s: the regular expression %r does not compile (%s); Apache refuses '
                      'to start with a pattern it cannot compile, and the audit takes it as '
                      'matching nothing' % (_label(node), pattern, why), node)
        if node.lname in ('virtualhost', 'listen') and node.args:
            words = node.args if node.lname == 'virtualhost' else node.args[:1]
            bad = [w for w in words if not _valid_address(w, node.lname == 'listen')]
            if bad:
                a.finding('config_invalid', 'error',
                          '%s: %s has no valid port (a number from 1 to 65535): Apache '
                          'refuses it, or ignores the address' % (_label(node), ', '.join(bad)),
                          node)


def _label(node):
    return '<%s>' % node.name if node.children is not None else node.name


def _valid_address(word, listen):
    """A ``<VirtualHost>`` address (``*``, ``*:*``, ``host``, ``host:port``, ``[v6]:port``) or
    a ``Listen`` word (``port`` or ``address:port``) whose port, if any, is valid."""
    if listen and ':' not in word:
        return port_number(word) is not None
    port = split_hostport(word, '*')[1]
    return port == '*' or port_number(port) is not None


def check(a):
    """Add every finding of the analysis ``a`` (a :class:`_wsgi_mounts.Analysis`)."""
    _check_config(a)
    restricted = a.restrict_embedded
    selected = set()
    dynamic = False
    for mount in a.mounts:
        where = {'file': mount['file'], 'line': mount['line']}
        label = '%s on %s' % (mount['url'], mount['server'])
        if mount['mode'] == 'embedded':
            if restricted:
                a.finding('embedded_restricted', 'error',
                          '%s runs in embedded mode, but WSGIRestrictEmbedded is On: every '
                          'request answers 500' % label, **where)
            else:
                a.finding('mount_embedded', 'warning',
                          '%s runs in embedded mode, inside the Apache children (decided by %s)'
                          % (label, mount['decided_by']['directive']), **where)
            continue
        if mount['mode'] == 'daemon':
            selected.add(mount['process_group'])
        if mount['code'] == 'group_from_request':
            dynamic = True
            a.finding('mode_unknown', 'warning', '%s: %s' % (label, mount['reason']), **where)
        elif mount['code'] == 'group_undefined':
            a.finding('group_undefined', 'error', '%s: %s' % (label, mount['reason']),
                      **_decided_where(mount))
        elif mount['code'] == 'group_not_visible':
            a.finding('group_not_visible', 'error', '%s: %s' % (label, mount['reason']),
                      **_decided_where(mount))
    for entry in a.imports:
        group = entry['process_group']
        if group in (None, '', GLOBAL):
            continue
        selected.add(group)
        if group not in a.groups:
            a.finding('group_undefined', 'error',
                      "WSGIImportScript preloads into the process group '%s', which is "
                      "not defined" % group, entry['node'])
    for name, group in sorted(a.groups.items(), key=lambda i: i[1]['node'].line):
        if name not in selected:
            a.finding('group_unused', 'info' if dynamic else 'warning',
                      "The daemon group '%s' is defined but no mount selects it%s"
                      % (name, ' (a %{ENV:...} process group might, per request)'
                         if dynamic else ''), group['node'])
    if (a.mounts or a.groups) and not restricted:
        loaded = a.parsed.modules.get('wsgi_module') or {}
        a.finding('restrict_embedded_off', 'info',
                  'WSGIRestrictEmbedded is Off: an app that misses its process group '
                  'silently runs inside the Apache children; set it On when every app '
                  'runs in daemon mode',
                  node=a.restrict_embedded_node(), file=loaded.get('file'),
                  line=loaded.get('line'))
    _check_shadowed(a)
    _check_mpm(a, selected)
    _check_python(a, selected)


def _check_shadowed(a):
    """An alias after a shorter one that already matches its URL never receives requests."""
    for server in a.request_servers():
        earlier = []
        for node in a.aliases(server):
            if node.lname != 'wsgiscriptalias' or len(node.args) < 2:
                continue
            for first in earlier:
                if routing.alias_match_length(node.args[0], first.args[0]):
                    a.finding('alias_shadowed', 'warning',
                              'WSGIScriptAlias %s is never used: %s at %s comes first and '
                              'matches every URL below it (mod_wsgi takes the first alias '
                              'that matches)' % (node.args[0], first.args[0], first.where),
                              node)
                    break
            earlier.append(node)


def _check_mpm(a, selected):
    mpm = (a.apache.get('mpm') or {})
    name = mpm.get('name')
    used = [a.groups[g]['entry'] for g in sorted(selected) if g in a.groups]
    if not used or not name:
        return
    where = mpm.get('selected_by') or {}
    if name == 'prefork':
        unsafe = [m['name'] for m in a.apache.get('thread_unsafe_modules') or ()]
        if unsafe:
            a.finding('prefork_with_daemon', 'info',
                      'The prefork MPM serves daemon-mode apps; it is kept for %s, which '
                      'is not thread-safe' % ', '.join(unsafe),
                      file=where.get('file'), line=where.get('line'))
        else:
            a.finding('prefork_with_daemon', 'warning',
                      'The prefork MPM serves daemon-mode apps: each Apache child only '
                      'proxies to the daemons, so the event or worker MPM does the same '
                      'job with far fewer processes',
                      file=where.get('file'), line=where.get('line'))
    limits = a.apache.get('limits') or {}
    workers = limits.get('MaxRequestWorkers')
    capacity = sum(g['processes'] * g['threads'] for g in used)
    if workers is not None and workers < capacity:
        source = (a.apache.get('limits_from') or {}).get('MaxRequestWorkers') or ''
        file, line = source.rpartition(':')[::2]
        a.finding('frontend_capacity', 'warning',
                  'MaxRequestWorkers is %s but the daemon groups in use can serve %d '
                  'requests at once: the front end cannot keep them busy'
                  % (workers, capacity),
                  file=file or None, line=_int(line, None) if file else None)


def _check_python(a, selected):
    python = (a.module.get('python') or {}).get('version')
    if not python:
        return
    server_home = a.parsed.last('WSGIPythonHome')
    for name, group in a.groups.items():
        home = group['entry']['options'].get('python-home')
        node = group['node']
        if not home and server_home is not None and server_home.args:
            home, node = server_home.args[0], server_home
        if not home:
            continue
        version = venv_python(home, a.sysroot)
        if version and version != python:
            a.finding('python_mismatch', 'error',
                      "mod_wsgi is built for Python %s but the daemon group '%s' uses "
                      "python-home %s, which is Python %s: its packages will not import. Make the "
                      "venv with Python %s, or build mod_wsgi with the venv's Python (the role "
                      "modwsgi.apache.daemon_mode with modwsgi_install: pip builds it with the Python "
                      "of the applications' venvs, or the one modwsgi_pip_python names)"
                      % (python, name, home, version, python), node)
