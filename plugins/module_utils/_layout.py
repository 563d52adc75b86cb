# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Find Apache on a host (its layout, binary, control script) and read its files below a sysroot.

PRIVATE to the collection: this is not a public API and may change at any time.

:func:`locate` finds the layout of a host (one of :data:`_constants.LAYOUTS`) and its commands; :func:`host_path` reads a path
below a sysroot (a captured tree in the unit tests).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.modwsgi.apache.plugins.module_utils._constants import DETECT_ORDER, LAYOUTS


def host_path(sysroot, path):
    """``path`` as Apache names it, read below ``sysroot`` (``/`` or ``None``: as it is)."""
    return path if sysroot in ('', '/', None) else os.path.join(sysroot, path.lstrip('/'))


def detect(sysroot='/'):
    """Return the layout name whose marker file exists, or ``None``."""
    for name in DETECT_ORDER:
        if os.path.exists(host_path(sysroot, LAYOUTS[name]['marker'])):
            return name
    return None


def read_bytes(path, sysroot='/'):
    """The bytes of a file, or ``None`` when it cannot be read."""
    try:
        with open(host_path(sysroot, path), 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def read_text(path, sysroot='/'):
    """The text of a file, or ``None`` when it cannot be read."""
    data = read_bytes(path, sysroot)
    return None if data is None else data.decode('utf-8', 'replace')


_ASSIGN_RE = re.compile(r'^\s*(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$')
_SHVAR_RE = re.compile(r'\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)')


def parse_shell_assignments(text, env=None):
    """Read ``NAME=value`` and ``export NAME=value`` lines of a shell fragment.

    This is what Debian's ``envvars`` and SUSE's ``/etc/sysconfig/apache2`` hold. Quotes are
    removed and ``$VAR``/``${VAR}`` expand from earlier assignments; anything a real shell would
    compute (``if``, command substitution) is ignored, so a value depending on it may stay
    partly unexpanded. Each value is returned with the line it was set on.
    """
    env = dict(env or {})
    lines = {}
    for number, raw in enumerate((text or '').splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        match = _ASSIGN_RE.match(line)
        if not match:
            continue
        value = match.group('value').strip()
        if value[:1] in ('"', "'"):
            quote = value[0]
            end = value.find(quote, 1)
            value = value[1:end] if end > 0 else value[1:]
            if quote == "'":
                env[match.group('name')] = value
                lines[match.group('name')] = number
                continue
        else:
            value = value.split(' #', 1)[0].strip()
        if '$(' in value or '`' in value:
            continue
        value = _SHVAR_RE.sub(lambda m: env.get(m.group(1) or m.group(2), ''), value)
        env[match.group('name')] = value
        lines[match.group('name')] = number
    return env, lines


def defines_from_arguments(arguments):
    """``-DFOO -D BAR -k start`` -> ``{'FOO': '', 'BAR': ''}`` (httpd's startup defines)."""
    words = (arguments or '').split()
    defines = {}
    for index, word in enumerate(words):
        if word == '-D' and index + 1 < len(words):
            defines[words[index + 1]] = ''
        elif word.startswith('-D') and len(word) > 2:
            defines[word[2:]] = ''
    return defines


def startup_environment(layout, sysroot='/'):
    """The environment and ``-D`` defines httpd is started with on this layout.

    Returns ``(env, defines, sysconfig)`` where ``sysconfig`` maps the names set in SUSE's
    ``/etc/sysconfig/apache2`` to ``(value, line)``.
    """
    info = LAYOUTS[layout]
    env, defines, sysconfig = {}, {}, {}
    if info['envvars']:
        env = parse_shell_assignments(read_text(info['envvars'], sysroot))[0]
        defines.update(defines_from_arguments(env.get('APACHE_ARGUMENTS')))
    if info['sysconfig']:
        values, lines = parse_shell_assignments(read_text(info['sysconfig'], sysroot))
        sysconfig = dict((name, (values[name], lines[name])) for name in lines)
        defines.update(defines_from_arguments(values.get('APACHE_SERVER_FLAGS')))
        for flag in (values.get('APACHE_SERVER_FLAGS') or '').split():
            if not flag.startswith('-'):
                defines[flag] = ''  # SUSE lets flags be given without -D
    return env, defines, sysconfig


def _first(find_bin, names):
    for name in names:
        path = find_bin(name)
        if path:
            return path
    return None


def _runner(layout, binary, ctl):
    """Debian's apache2 needs envvars, which only apache2ctl sources; SUSE's apache2ctl picks
    the binary of the configured MPM. Elsewhere the binary itself is the most direct."""
    if layout in ('debian', 'suse') and ctl:
        return ctl
    return binary or ctl


def locate(find_bin, sysroot='/', binary=None):
    """Find the layout, binary, control script and service, without running anything."""
    layout = detect(sysroot)
    if binary and layout is None:
        layout = 'source'
    if layout is None:
        return None
    info = LAYOUTS[layout]
    binary = binary or _first(find_bin, info['binary'])
    ctl = None
    if binary and layout == 'source':
        sibling = os.path.join(os.path.dirname(binary), 'apachectl')
        ctl = sibling if os.path.exists(sibling) else None
    ctl = ctl or _first(find_bin, info['ctl'])
    if not binary and not ctl:
        return None
    return {'layout': layout, 'binary': binary, 'ctl': ctl, 'service': info['service'],
            'runner': _runner(layout, binary, ctl)}
