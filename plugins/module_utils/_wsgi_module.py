# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The mod_wsgi shared object: where it is, its upstream version, the Python it is built for.

PRIVATE to the collection: this is not a public API and may change at any time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import os
import re
import struct

from ansible_collections.modwsgi.apache.plugins.module_utils._layout import host_path

_PYTHON_RE = re.compile(r'libpython(\d+)\.(\d+)')
# The mod_wsgi shared object holds its version only as a bare "4.9.4" next to "mod_wsgi/%s",
# so the version comes from what installed it: dpkg's database, or pip's metadata.
_DPKG_LIST_RE = re.compile(r'^libapache2-mod-wsgi[^/]*\.list$')
_DIST_INFO_RE = re.compile(r'^mod_wsgi-([0-9][^-]*?)(?:-py[0-9.]+)?\.(?:dist|egg)-info$', re.I)
_SO_PYTHON_RES = (
    re.compile(r'mod_wsgi\.so-(\d+)\.(\d+)$'),        # Debian: mod_wsgi.so-3.11
    re.compile(r'cpython-(\d)(\d+)'),                   # pip: mod_wsgi-py311.cpython-311-...so
    re.compile(r'py(\d)(\d+)'),
)

# Where packages put mod_wsgi, when the configuration does not load it.
MODULE_GLOBS = {
    'debian': ('/usr/lib/apache2/modules/mod_wsgi*.so*',),
    'redhat': ('/usr/lib64/httpd/modules/mod_wsgi*.so', '/usr/lib/httpd/modules/mod_wsgi*.so'),
    'suse': ('/usr/lib64/apache2/mod_wsgi*.so', '/usr/lib/apache2/mod_wsgi*.so'),
    'source': ('/usr/local/apache2/modules/mod_wsgi*.so',),
}


def elf_needed(data):
    """The ``DT_NEEDED`` names of an ELF shared object given as bytes, or None."""
    if data[:4] != b'\x7fELF' or len(data) < 64:
        return None
    klass, endian = struct.unpack('BB', data[4:6])
    e = '<' if endian == 1 else '>'
    try:
        if klass == 2:
            phoff, = struct.unpack(e + 'Q', data[0x20:0x28])
            phentsize, phnum = struct.unpack(e + 'HH', data[0x36:0x3a])
            ph_fmt, dyn_fmt = e + 'IIQQQQQQ', e + 'qQ'
        else:
            phoff, = struct.unpack(e + 'I', data[0x1c:0x20])
            phentsize, phnum = struct.unpack(e + 'HH', data[0x2a:0x2e])
            ph_fmt, dyn_fmt = e + 'IIIIIIII', e + 'iI'
        loads, dynamic = [], None
        for index in range(phnum):
            start = phoff + index * phentsize
            fields = struct.unpack(ph_fmt, data[start:start + struct.calcsize(ph_fmt)])
            if klass == 2:
                p_type, offset, vaddr, filesz = fields[0], fields[2], fields[3], fields[5]
            else:
                p_type, offset, vaddr, filesz = fields[0], fields[1], fields[2], fields[4]
            if p_type == 1:
                loads.append((vaddr, offset, filesz))
            elif p_type == 2:
                dynamic = (offset, filesz)
        if dynamic is None:
            return []
        size = struct.calcsize(dyn_fmt)
        needed, strtab = [], None
        for start in range(dynamic[0], dynamic[0] + dynamic[1], size):
            tag, value = struct.unpack(dyn_fmt, data[start:start + size])
            if tag == 0:
                break
            if tag == 1:
                needed.append(value)
            elif tag == 5:
                strtab = value
        if strtab is None:
            return []
        for vaddr, offset, filesz in loads:
            if vaddr <= strtab < vaddr + filesz:
                strtab = strtab - vaddr + offset
                break
        names = []
        for value in needed:
            end = data.index(b'\0', strtab + value)
            names.append(data[strtab + value:end].decode('ascii', 'replace'))
        return names
    except (struct.error, ValueError):
        return None


def _resolve_link(path, sysroot):
    """Follow symlinks of ``path`` inside ``sysroot`` (absolute targets stay in the sysroot)."""
    for dummy in range(16):
        host = host_path(sysroot, path)
        if not os.path.islink(host):
            return path
        target = os.readlink(host)
        path = target if os.path.isabs(target) else os.path.normpath(
            os.path.join(os.path.dirname(path), target))
    return path


def module_file(parsed, layout, sysroot='/'):
    """What the mod_wsgi shared object tells: ``{installed, path, version, python}``."""
    candidates = []
    loaded = parsed.modules.get('wsgi_module') if parsed is not None else None
    if loaded and loaded.get('path'):
        candidates.append(loaded['path'])
    for pattern in MODULE_GLOBS.get(layout, ()) if layout else ():
        base = host_path(sysroot, os.path.dirname(pattern))
        try:
            names = sorted(os.listdir(base))
        except OSError:
            continue
        candidates.extend(os.path.join(os.path.dirname(pattern), n) for n in names
                          if fnmatch.fnmatchcase(n, os.path.basename(pattern)))
    for path in candidates:
        real = _resolve_link(path, sysroot)
        try:
            with open(host_path(sysroot, real), 'rb') as handle:
                data = handle.read()
        except (IOError, OSError):
            continue
        python = None
        for name in elf_needed(data) or ():
            match = _PYTHON_RE.search(name)
            if match:
                python = {'library': name, 'version': '%s.%s' % match.groups(),
                          'from': 'DT_NEEDED'}
                break
        if python is None:
            for regex in _SO_PYTHON_RES:
                match = regex.search(os.path.basename(real))
                if match:
                    python = {'library': None, 'version': '%s.%s' % match.groups(),
                              'from': 'file name'}
                    break
        return {'installed': True, 'path': path, 'version': installed_version(real, sysroot),
                'python': python}
    return {'installed': False, 'path': None, 'version': None, 'python': None}


def _listdir(path):
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def installed_version(path, sysroot='/'):
    """mod_wsgi's upstream version, from what installed the shared object at ``path``.

    pip puts it in ``SITE/mod_wsgi/server/`` beside ``SITE/mod_wsgi-X.dist-info`` (or
    ``.egg-info``). A Debian package lists it in ``/var/lib/dpkg/info/PACKAGE.list``, and
    ``/var/lib/dpkg/status`` has that package's version (``4.9.4-1+b2`` -> ``4.9.4``).
    ``None`` when neither tells.
    """
    parts = path.split('/')
    if len(parts) > 3 and parts[-3:-1] == ['mod_wsgi', 'server']:
        for name in _listdir(host_path(sysroot, '/'.join(parts[:-3]) or '/')):
            match = _DIST_INFO_RE.match(name)
            if match:
                return match.group(1)
        return None
    info = host_path(sysroot, '/var/lib/dpkg/info')
    package = None
    for name in _listdir(info):
        if not _DPKG_LIST_RE.match(name):
            continue
        try:
            with open(os.path.join(info, name)) as handle:
                if path in (line.rstrip('\n') for line in handle):
                    package = name[:-len('.list')].split(':')[0]
                    break
        except (IOError, OSError):
            continue
    if package is None:
        return None
    try:
        with open(host_path(sysroot, '/var/lib/dpkg/status')) as handle:
            stanzas = handle.read().split('\n\n')
    except (IOError, OSError):
        return None
    wanted = 'Package: %s\n' % package
    for stanza in stanzas:
        if wanted not in stanza + '\n':
            continue  # not that package's stanza: a substring test, not a parse of each one
        fields = dict(line.split(': ', 1) for line in stanza.splitlines() if ': ' in line and line[0] != ' ')
        if fields.get('Package') == package and fields.get('Status', '').endswith(' installed'):
            version = re.sub(r'^[0-9]+:', '', fields.get('Version', '')) or None
            return version.rsplit('-', 1)[0] if version and '-' in version else version
    return None


def venv_python(home, sysroot='/'):
    """The ``X.Y`` version of the Python at ``python-home``, from pyvenv.cfg or lib/pythonX.Y."""
    try:
        with open(host_path(sysroot, os.path.join(home, 'pyvenv.cfg'))) as handle:
            for line in handle:
                key, value = line.partition('=')[::2]
                if key.strip() in ('version', 'version_info'):
                    match = re.match(r'\s*(\d+)\.(\d+)', value)
                    if match:
                        return '%s.%s' % match.groups()
    except (IOError, OSError):
        pass
    try:
        names = os.listdir(host_path(sysroot, os.path.join(home, 'lib')))
    except OSError:
        return None
    found = sorted(m.group(1) for m in (re.match(r'^python(\d+\.\d+)$', n) for n in names) if m)
    return found[0] if len(found) == 1 else None
