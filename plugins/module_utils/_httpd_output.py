# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parse what ``httpd``/``apachectl`` print, and the version banner in the binary: pure, no I/O.

PRIVATE to the collection: this is not a public API and may change at any time.

The parsers take the text of ``-V``, ``-M``, ``-S``, ``-v`` and ``-l`` (always produced under
``LANG=C``) and return plain dicts; they never raise on odd input. The runner that produces
that text (``run``, ``start``) is in :mod:`_httpd_runs`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


_VERSION_RE = re.compile(r'^Server version:\s*(?P<full>\S+/(?P<version>[0-9][0-9.]*)\S*(?:\s.*)?)$',
                         re.M)
_KV_RE = re.compile(r'^\s*-D\s+(?P<name>[A-Za-z0-9_]+)(?:="?(?P<value>.*?)"?)?\s*$')
_MODULE_RE = re.compile(r'^\s+(?P<name>[A-Za-z0-9_]+)\s+\((?P<kind>static|shared)\)\s*$')
_RUNCFG_RE = re.compile(r'^(?P<key>ServerRoot|Main DocumentRoot|Main ErrorLog|PidFile|Define|User|Group'
                        r'|Mutex [^:]+):\s*(?P<value>.*)$')
_VHOST_PATTERNS = (
    ('default', re.compile(r'^\s+default server (?P<name>\S+) \((?P<file>.+):(?P<line>\d+)\)$')),
    ('namevhost', re.compile(r'^\s+port (?P<port>\d+) namevhost (?P<name>\S+) '
                             r'\((?P<file>.+):(?P<line>\d+)\)$')),
    ('single', re.compile(r'^(?P<addr>\S+)\s+(?P<name>\S+) \((?P<file>.+):(?P<line>\d+)\)$')),
)
_ALIAS_RE = re.compile(r'^\s+(?:wild )?alias (?P<alias>\S+)$')
# The banner, as a C string in the binary: "Apache/2.4.62 (Debian)", then NUL.
_BANNER_RE = re.compile(br'Apache/[0-9]+\.[0-9]+\.[0-9]+[^\0\s()]* \([^\0()]*\)(?=\0)')

# Lines httpd prints on stderr that are not errors (ServerName guessing, and the like), and
# the two lines Debian's apache2ctl adds on stdout after a failed action.
_NOISE_RE = re.compile(r"^AH00558:|^AH00557:|^Syntax OK$|^Action '[^']*' failed\.$"
                       r'|^The Apache error log may have more information\.$')


def parse_version(text):
    """Parse ``-v`` (or the top of ``-V``): ``{'version': '2.4.62', 'server_version': ...}``."""
    match = _VERSION_RE.search(text or '')
    if not match:
        return {}
    result = {'version': match.group('version'), 'server_version': match.group('full').strip()}
    built = re.search(r'^Server built:\s*(.+)$', text, re.M)
    if built:
        result['built'] = built.group(1).strip()
    return result


def banner_version(data):
    """What ``-v`` tells (``version``, ``server_version``), read from the bytes of the httpd
    binary; ``{}`` unless it holds exactly one banner.

    httpd's ``-v`` prints ``ap_get_server_description()`` and exits before it reads any
    configuration (server/main.c); until the configuration is read, that is the literal
    ``AP_SERVER_BASEVERSION " (" PLATFORM ")"`` (server/core.c), which the compiler stores
    whole in the binary: the line ``-v`` prints is there to read, without running httpd.
    """
    data = data or b''
    found = set()
    # Where a C string starts with "Apache/" (a handful in 700 kB: bytes.find is quick where
    # a regular expression that starts with NUL is not).
    start = data.find(b'\0Apache/')
    while start >= 0:
        match = _BANNER_RE.match(data, start + 1)
        if match:
            found.add(match.group(0))
        start = data.find(b'\0Apache/', start + 1)
    if len(found) != 1:
        return {}
    return parse_version('Server version: %s\n' % found.pop().decode('ascii', 'replace'))


def parse_V(text):
    """Parse ``httpd -V``.

    Returns ``version``, ``server_version``, ``built``, ``architecture``, ``mpm`` (lower case),
    ``threaded``, ``forked`` and ``compiled`` (the ``-D`` settings, ``None`` for bare flags).
    Keys that the text does not show are absent.
    """
    result = parse_version(text)
    compiled = {}
    for raw in (text or '').splitlines():
        line = raw.rstrip()
        match = _KV_RE.match(line)
        if match:
            value = match.group('value')
            compiled[match.group('name')] = value
            continue
        key, sep, value = line.partition(':')
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if key == 'Server MPM':
            # "event", or "Prefork" on some 2.2-era builds; 2.4 prints the name only.
            result['mpm'] = value.split()[0].lower() if value else None
        elif key == 'threaded':
            result['threaded'] = value.startswith('yes')
        elif key == 'forked':
            result['forked'] = value.startswith('yes')
        elif key == 'Architecture':
            result['architecture'] = value
    if compiled:
        result['compiled'] = compiled
    return result


def parse_M(text):
    """Parse ``httpd -M``: a list of ``{'name': 'wsgi_module', 'kind': 'shared'}``.

    Only the `` name_module (static|shared)`` lines count, so the output of ``-S -M`` (one run)
    reads the same as that of ``-M``.
    """
    modules = []
    for line in (text or '').splitlines():
        match = _MODULE_RE.match(line)
        if match:
            modules.append({'name': match.group('name'), 'kind': match.group('kind')})
    return modules


def parse_l(text):
    """Parse ``httpd -l``: the source names of compiled-in modules (``core.c``, ``prefork.c``)."""
    return [line.strip() for line in (text or '').splitlines()
            if line.strip().endswith('.c') and line.startswith((' ', '\t'))]


def parse_S(text):
    """Parse ``httpd -S`` (``-D DUMP_VHOSTS -D DUMP_RUN_CFG``), or ``-S -M`` (one run: the
    module lines match nothing here; ``defines`` then also holds ``DUMP_MODULES``).

    Returns ``server_root``, ``document_root``, ``error_log``, ``pid_file``, ``defines``
    (names, in order), ``user``, ``group`` and ``vhosts`` (``{address, name, file, line,
    default, aliases}``).
    """
    result = {'defines': [], 'vhosts': []}
    address = None
    seen = set()
    for raw in (text or '').splitlines():
        line = raw.rstrip()
        match = _RUNCFG_RE.match(line)
        if match:
            key, value = match.group('key'), match.group('value').strip()
            if key == 'Define':
                result['defines'].append(value.split('=', 1)[0])
            elif key in ('User', 'Group'):
                name = re.search(r'name="([^"]*)"', value)
                result[key.lower()] = name.group(1) if name else value
            elif not key.startswith('Mutex'):
                field = {'ServerRoot': 'server_root', 'Main DocumentRoot': 'document_root',
                         'Main ErrorLog': 'error_log', 'PidFile': 'pid_file'}[key]
                result[field] = value.strip('"')
            continue
        if line.endswith(' is a NameVirtualHost'):
            address = line.split()[0]
            continue
        alias = _ALIAS_RE.match(line)
        if alias and result['vhosts']:
            result['vhosts'][-1]['aliases'].append(alias.group('alias'))
            continue
        for kind, pattern in _VHOST_PATTERNS:
            match = pattern.match(line)
            if match:
                break
        else:
            continue
        groups = match.groupdict()
        if kind == 'single':
            address = groups['addr']
        key = (address, groups['file'], groups['line'])
        if key in seen:
            continue  # httpd lists the default server again as a namevhost line
        seen.add(key)
        result['vhosts'].append({
            'address': address, 'name': groups['name'], 'file': groups['file'],
            'line': int(groups['line']), 'default': kind != 'namevhost', 'aliases': []})
    return result


def error_text(stdout, stderr):
    """Apache's own error message from a failed run, without the usual noise."""
    lines = [line for line in ((stderr or '') + '\n' + (stdout or '')).splitlines()
             if line.strip() and not _NOISE_RE.match(line.strip())]
    return '\n'.join(lines).strip()
