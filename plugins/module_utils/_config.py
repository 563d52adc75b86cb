# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Apache httpd configuration reader.

PRIVATE to the collection: this is not a public API and may change at any time.

It reads a configuration the way httpd 2.4 does while it starts, and keeps the file and the
line of every directive:

- logical lines: backslash continuations (a comment ending in a backslash continues too, as
  in httpd), ``#`` comments, case-insensitive directive names;
- words split like ``ap_getword_conf``: whitespace, double or single quotes, ``\\"`` inside;
- ``${VAR}`` from ``Define`` first, then the process environment (``envvars`` on Debian);
- the directives httpd runs while reading (EXEC_ON_READ), in order: ``ServerRoot``,
  ``Define``/``UnDefine``, ``LoadModule``, ``Include``/``IncludeOptional`` (wildcards in any
  path segment, directories, httpd's sort order), and the conditional sections
  ``<IfModule>``, ``<IfDefine>``, ``<IfVersion>``, ``<IfFile>``, ``<IfDirective>`` and
  ``<IfSection>``, each with ``!`` negation.

Conditionals and includes are flattened away: what remains is the configuration httpd would
act on, as a tree of :class:`Node` (``<VirtualHost>``, ``<Location>`` and other real sections
keep their children). Problems (a missing include, a cycle, an unclosed section, an
undefined variable) are collected in ``errors`` with file and line; they never raise.

Every path is read through ``sysroot`` so that a captured tree can be read as if it were ``/``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import os
import re

from ansible_collections.modwsgi.apache.plugins.module_utils._constants import MPMS
from ansible_collections.modwsgi.apache.plugins.module_utils._httpd_regex import regex
from ansible_collections.modwsgi.apache.plugins.module_utils._layout import host_path

MAX_INCLUDE_DEPTH = 128
MAX_INCLUDE_DIR_DEPTH = 128  # httpd's AP_MAX_INCLUDE_DIR_DEPTH
# httpd stops at the first line it cannot use, so an Include of "/" fails on the first binary
# file; this reader goes on after errors, so it stops at a size no real configuration reaches.
MAX_CONFIG_BYTES = 64 * 1024 * 1024

CONDITIONAL_SECTIONS = frozenset(
    ('ifmodule', 'ifdefine', 'ifversion', 'iffile', 'ifdirective', 'ifsection'))

_VAR_RE = re.compile(r'\$\{([A-Za-z0-9_:.\-]+)\}')
_WILDCARD_RE = re.compile(r'[*?\[]')

# Modules whose source file name does not follow the mod_<name>.c rule, or whose .so is often
# renamed: mod_wsgi is built from mod_wsgi.c whatever its .so is called (EL's
# mod_wsgi_python3.so, pip's mod_wsgi-py311.cpython-311-x86_64-linux-gnu.so), and
# <IfModule mod_wsgi.c> holds for all of them.
_ID_TO_SOURCE = {
    'core_module': 'core.c',
    'http_module': 'http_core.c',
    'so_module': 'mod_so.c',
    'wsgi_module': 'mod_wsgi.c',
}
_SOURCE_TO_ID = dict((v, k) for k, v in _ID_TO_SOURCE.items())
MPM_NAMES = MPMS + ('itk', 'winnt', 'netware', 'mpmt_os2')


def module_source_name(module_id):
    """``wsgi_module`` -> ``mod_wsgi.c``; ``mpm_event_module`` -> ``event.c``."""
    if module_id in _ID_TO_SOURCE:
        return _ID_TO_SOURCE[module_id]
    base = module_id[:-len('_module')] if module_id.endswith('_module') else module_id
    if base.startswith('mpm_') and base[4:] in MPM_NAMES:
        return base[4:] + '.c'
    return 'mod_%s.c' % base


def module_id_from_source(source):
    """``mod_wsgi.c`` -> ``wsgi_module``; ``prefork.c`` -> ``mpm_prefork_module``."""
    if source in _SOURCE_TO_ID:
        return _SOURCE_TO_ID[source]
    base = source[:-2] if source.endswith('.c') else source
    if base in MPM_NAMES:
        return 'mpm_%s_module' % base
    if base.startswith('mod_'):
        base = base[4:]
    return '%s_module' % base


class Node(object):
    """One directive (``children is None``) or section (``children`` is a list).

    ``lname`` is ``name`` in lower case, computed once: ``name`` is never reassigned.
    ``conditions``: the conditional sections (``<IfModule>``, ``<IfDefine>``, ...) that hold it,
    outermost first, as written (``'<IfDefine PRODUCTION>'``), across the ``Include`` lines that
    led to its file; the reader keeps only what they let through, so each of them held.
    """

    __slots__ = ('name', 'lname', 'args', 'file', 'line', 'children', 'parent', 'conditions')

    def __init__(self, name, args, file, line, children=None, parent=None, conditions=()):
        self.name = name
        self.lname = name.lower()
        self.args = args
        self.file = file
        self.line = line
        self.children = children
        self.parent = parent
        self.conditions = conditions

    @property
    def is_section(self):
        return self.children is not None

    @property
    def where(self):
        return '%s:%s' % (self.file, self.line)

    def iter(self, name=None, recursive=True):
        """Yield the nodes below this one, depth first, in file order."""
        want = name.lower() if name else None
        stack = [iter(self.children or ())]
        while stack:
            node = next(stack[-1], None)
            if node is None:
                stack.pop()
                continue
            if want is None or node.lname == want:
                yield node
            if recursive and node.children:
                stack.append(iter(node.children))

    def __repr__(self):
        return 'Node(%r, %r, %s)' % (self.name, self.args, self.where)


class ParsedConfig(object):
    """The result of :func:`parse`.

    The tree is read-only once :func:`parse` has returned. :meth:`server_directives` and
    :meth:`last` index the main server's directives on their first call and never
    rebuild that index, so nothing may change ``root.children`` after that.
    """

    def __init__(self, root, server_root):
        self.root = root
        self.server_root = server_root
        self.errors = []
        self.files = []
        self.defines = {}
        # module id -> {'source': 'mod_x.c', 'path': ..., 'file': ..., 'line': ...}
        self.modules = {}
        self._directives = None  # the main server's directives, in file order
        self._by_name = None  # lower-case name -> the same directives, in file order
        # The names <IfModule> asked about and found not loaded (see with_compiled_in).
        self.absent_asked = set()

    def error(self, message, file=None, line=None):
        self.errors.append({'message': message, 'file': file, 'line': line})

    def _index(self):
        if self._directives is None:
            self._directives = [n for n in self.root.children if n.children is None]
            self._by_name = {}
            for node in self._directives:
                self._by_name.setdefault(node.lname, []).append(node)

    def server_directives(self, name=None):
        """Directives in the main server context (outside every section), in file order."""
        self._index()
        if not name:
            return list(self._directives)
        return list(self._by_name.get(name.lower(), ()))

    def last(self, name):
        """The directive that wins in the main server context, or None."""
        self._index()
        found = self._by_name.get(name.lower()) if name else self._directives
        return found[-1] if found else None


def split_words(text):
    """Split directive arguments the way httpd's ``ap_getword_conf`` does."""
    if '"' not in text and "'" not in text:
        # Most lines: no quote, so words are what str.split() finds (the same isspace()).
        return text.split()
    words = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return words
        quote = text[i] if text[i] in '"\'' else None
        if quote:
            i += 1
            buf = []
            while i < n and text[i] != quote:
                if text[i] == '\\' and i + 1 < n and text[i + 1] == quote:
                    i += 1
                buf.append(text[i])
                i += 1
            i += 1  # closing quote (or end of text)
            words.append(''.join(buf))
        else:
            start = i
            while i < n and not text[i].isspace():
                i += 1
            words.append(text[start:i])


def logical_lines(text):
    """Yield ``(line_number, text)`` for each logical line, continuations joined.

    A NUL byte ends its line, as httpd's C strings end there.
    """
    pending = None
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.partition('\0')[0].rstrip()
        if pending is None:
            start = number
            pending = ''
        if line.endswith('\\'):
            pending += line[:-1]
            continue
        pending += line
        yield start, pending
        pending = None
    if pending is not None:
        yield start, pending


def _compiled_in(modules):
    """``(module_id, source)`` of each compiled-in module, given as ids or source names."""
    for mod in modules or ():
        if mod.endswith('.c'):
            yield module_id_from_source(mod), mod
        else:
            yield mod, module_source_name(mod)


def _version_tuple(text):
    parts = re.findall(r'\d+', text or '')
    return tuple(int(p) for p in parts[:3])


class _Reader(object):

    def __init__(self, result, sysroot, defines, env, modules, version):
        self.result = result
        self.sysroot = sysroot
        self.env = env or {}
        self.version = _version_tuple(version) if version else None
        self.version_text = version
        result.defines.update(defines or {})
        self.sources = set()
        for module_id, source in _compiled_in(modules):
            result.modules[module_id] = {'source': source, 'path': None, 'file': None, 'line': None}
            self.sources.add(source)
        self.stack = []  # files being read, for cycle detection
        self.budget = MAX_CONFIG_BYTES  # bytes left to read
        self.conditions = ()  # the conditional sections that hold the line being read (Node)

    # -- paths -------------------------------------------------------------------------------

    def host_path(self, path):
        return host_path(self.sysroot, path)

    def absolute(self, path):
        if os.path.isabs(path):
            return os.path.normpath(path)
        return os.path.normpath(os.path.join(self.result.server_root, path))

    # -- variables ---------------------------------------------------------------------------

    def expand(self, text, file, line):
        if '${' not in text:
            return text

        def repl(match):
            name = match.group(1)
            if name in self.result.defines:
                return self.result.defines[name]
            if name in self.env:
                return self.env[name]
            self.result.error('Config variable ${%s} is not defined' % name, file, line)
            return match.group(0)
        return _VAR_RE.sub(repl, text)

    # -- includes ----------------------------------------------------------------------------

    def include(self, pattern, optional, parent, file, line, depth):
        path = self.absolute(pattern)
        if _WILDCARD_RE.search(path):
            matches = self.glob(path)
            if not matches and not optional:
                self.result.error("No matches for the wildcard '%s', failing" % pattern, file, line)
            for match in matches:
                self.read_path(match, parent, file, line, depth, optional, 0)
        else:
            self.read_path(path, parent, file, line, depth, optional, 0)

    def glob(self, path):
        """Expand wildcards in any segment, sorted per directory like httpd (strcmp)."""
        segments = path.strip('/').split('/')
        found = ['/']
        for index, segment in enumerate(segments):
            last = index == len(segments) - 1
            nxt = []
            for base in found:
                if not _WILDCARD_RE.search(segment):
                    candidate = os.path.join(base, segment)
                    if os.path.lexists(self.host_path(candidate)):
                        nxt.append(candidate)
                    continue
                try:
                    names = sorted(os.listdir(self.host_path(base)))
                except OSError:
                    continue
                for name in names:
                    # httpd matches with APR_FNM_PERIOD: a wildcard never matches a leading dot.
                    if name.startswith('.') and not segment.startswith('.'):
                        continue
                    if not fnmatch.fnmatchcase(name, segment):
                        continue
                    candidate = os.path.join(base, name)
                    if last or os.path.isdir(self.host_path(candidate)):
                        nxt.append(candidate)
            found = nxt
        return found

    def read_path(self, path, parent, file, line, depth, optional, dir_depth):
        host = self.host_path(path)
        if os.path.isdir(host):
            if dir_depth >= MAX_INCLUDE_DIR_DEPTH:
                self.result.error('Directory %s exceeds the maximum include directory nesting '
                                  'level of %d' % (path, MAX_INCLUDE_DIR_DEPTH), file, line)
                return
            try:
                names = sorted(os.listdir(host))
            except OSError as exc:
                self.result.error('Could not read directory %s: %s' % (path, exc), file, line)
                return
            for name in names:
                self.read_path(os.path.join(path, name), parent, file, line, depth, optional,
                               dir_depth + 1)
            return
        if not os.path.exists(host):
            if not optional:
                self.result.error('Could not open configuration file %s: No such file or directory'
                                  % path, file, line)
            return
        self.read_file(path, parent, depth + 1, file, line)

    def read_file(self, path, parent, depth, from_file=None, from_line=None):
        real = os.path.realpath(self.host_path(path))
        if real in self.stack:
            self.result.error('Include cycle: %s includes itself through %s'
                              % (path, ' -> '.join(self.stack)), from_file, from_line)
            return
        if depth > MAX_INCLUDE_DEPTH:
            self.result.error('Exceeded the maximum include depth of %d' % MAX_INCLUDE_DEPTH,
                              from_file, from_line)
            return
        if self.budget < 0:
            return  # said once, below
        if path != '/dev/null' and not os.path.isfile(real):
            # ap_pcfg_openfile: a device or a FIFO could be read forever.
            self.result.error('Access to file %s denied by server: not a regular file' % path,
                              from_file, from_line)
            return
        try:
            with open(real, 'rb') as handle:
                data = handle.read(self.budget + 1)
        except (IOError, OSError) as exc:
            self.result.error('Could not open configuration file %s: %s'
                              % (path, exc.strerror or exc), from_file, from_line)
            return
        self.budget -= len(data)
        if self.budget < 0:
            self.result.error('The configuration is larger than %d MiB: stopped reading at %s'
                              % (MAX_CONFIG_BYTES // (1024 * 1024), path), from_file, from_line)
            return
        text = data.decode('utf-8', 'replace')
        self.result.files.append(path)
        self.stack.append(real)
        try:
            self.read_text(text, path, parent, depth)
        finally:
            self.stack.pop()

    # -- the reader proper -------------------------------------------------------------------

    def read_text(self, text, path, parent, depth):
        # Each frame: (node that receives children, lower-case section name or None,
        # active flag, line where it opened).  Inactive conditionals are still tracked so
        # that their closing tags balance.
        frames = [(parent, None, True, 0)]
        outer = self.conditions
        for number, raw in logical_lines(text):
            stripped = raw.strip()
            if not stripped or stripped.startswith('#'):
                continue
            target, active = frames[-1][0], frames[-1][2]
            if stripped.startswith('</'):
                name = stripped[2:].rstrip('>').strip().lower()
                if len(frames) == 1:
                    self.result.error('</%s> without matching <%s> section' % (name, name),
                                      path, number)
                    continue
                if frames[-1][1] != name:
                    self.result.error('Expected </%s> but saw </%s>' % (frames[-1][1], name),
                                      path, number)
                closed = frames.pop()
                if closed[1] in CONDITIONAL_SECTIONS and closed[2]:
                    self.conditions = self.conditions[:-1]
                continue
            if stripped.startswith('<'):
                # httpd ends a section's arguments at the last '>' of the line (strrchr) and
                # ignores what follows: "<VirtualHost *:80> x" is "<VirtualHost *:80>".
                body = stripped[1:]
                if '>' in body:
                    body = body[:body.rindex('>')]
                else:
                    self.result.error('Section <%s lacks its closing >' % body, path, number)
                parts = body.split(None, 1)
                name = parts[0] if parts else ''
                args_text = parts[1] if len(parts) > 1 else ''
                lname = name.lower()
                if not active:
                    frames.append((target, lname, False, number))
                    continue
                args = split_words(self.expand(args_text, path, number))
                if lname in CONDITIONAL_SECTIONS:
                    holds = self.condition(lname, args, path, number)
                    frames.append((target, lname, holds, number))
                    if holds:
                        self.conditions += ('<%s>' % body.strip(),)
                    continue
                node = Node(name, args, path, number, [], target, self.conditions)
                target.children.append(node)
                frames.append((node, lname, True, number))
                continue
            if not active:
                continue
            line = self.expand(stripped, path, number)
            parts = line.split(None, 1)
            name = parts[0]
            args = split_words(parts[1]) if len(parts) > 1 else []
            self.directive(name, args, target, path, number, depth)
        for frame in frames[1:]:
            self.result.error('<%s> section opened here was never closed' % frame[1], path, frame[3])
        self.conditions = outer

    def directive(self, name, args, target, path, number, depth):
        lname = name.lower()
        node = Node(name, args, path, number, None, target, self.conditions)
        if lname in ('include', 'includeoptional'):
            if not args:
                self.result.error('%s needs a path' % name, path, number)
                return
            self.include(args[0], lname == 'includeoptional', target, path, number, depth)
            return
        target.children.append(node)
        if lname == 'define' and args:
            self.result.defines[args[0]] = args[1] if len(args) > 1 else ''
        elif lname == 'undefine' and args:
            self.result.defines.pop(args[0], None)
        elif lname == 'serverroot' and args:
            self.result.server_root = os.path.normpath(args[0])
        elif lname == 'loadmodule' and len(args) >= 2:
            module_id = args[0]
            if module_id in self.result.modules:
                return  # httpd: "module %s is already loaded, skipping"
            base = os.path.basename(args[1])
            source = module_source_name(module_id)
            if (base.startswith('mod_') and base.endswith('.so') and not module_id.startswith('mpm_')
                    and module_id not in _ID_TO_SOURCE):
                source = base[:-3] + '.c'
            self.result.modules[module_id] = {
                'source': source, 'path': self.absolute(args[1]), 'file': path, 'line': number}
            self.sources.add(source)

    # -- conditions --------------------------------------------------------------------------

    def condition(self, lname, args, path, number):
        if not args:
            self.result.error('<%s> needs an argument' % lname, path, number)
            return False
        arg = args[0]
        negate = arg.startswith('!')
        if negate:
            arg = arg[1:]
        if lname == 'ifmodule':
            result = arg in self.result.modules or arg in self.sources
            if not result:
                self.result.absent_asked.add(arg)
        elif lname == 'ifdefine':
            result = arg in self.result.defines
        elif lname == 'iffile':
            result = os.path.exists(self.host_path(self.absolute(arg)))
        elif lname == 'ifversion':
            return self.version_condition(args, path, number)
        else:
            # <IfDirective>/<IfSection>: which directives modules register cannot be read
            # statically; assume the directive or section exists.
            result = True
        return result != negate

    def version_condition(self, args, path, number):
        if self.version is None:
            self.result.error('<IfVersion> cannot be evaluated without the httpd version; '
                              'assumed true', path, number)
            return True
        negate = False
        if len(args) == 1:
            op, value = '=', args[0]
        else:
            op, value = args[0], args[1]
        if op.startswith('!'):
            negate, op = True, op[1:]
        if op == '~' or (value.startswith('/') and value.endswith('/') and len(value) > 1):
            compiled, why = regex(value.strip('/') if op != '~' else value)
            if compiled is None:
                self.result.error('<IfVersion> has a regular expression that does not compile '
                                  '(%s); assumed false' % why, path, number)
                return False
            found = compiled.search('%d.%d.%d' % (self.version + (0, 0, 0))[:3]) is not None
            return found != negate
        wanted = _version_tuple(value)
        have = self.version[:len(wanted)]
        result = {
            '=': have == wanted, '==': have == wanted,
            '>': have > wanted, '>=': have >= wanted,
            '<': have < wanted, '<=': have <= wanted,
        }.get(op)
        if result is None:
            self.result.error('<IfVersion> has an unknown operator %r' % op, path, number)
            return False
        return result != negate


def parse(config_file, server_root, defines=None, env=None, modules=None, version=None,
          sysroot='/'):
    """Read ``config_file`` and everything it includes.

    :param config_file: the main file, absolute or relative to ``server_root``.
    :param server_root: the compiled-in ``HTTPD_ROOT`` (``ServerRoot`` may change it).
    :param defines: names defined on httpd's command line (``-D NAME``), as a dict.
    :param env: the environment httpd starts with (``${VAR}`` falls back to it).
    :param modules: modules compiled in, as ids (``core_module``) or sources (``core.c``).
    :param version: the httpd version, such as ``2.4.62``, for ``<IfVersion>``.
    :param sysroot: read every path below this directory instead of ``/``.
    """
    result = ParsedConfig(Node('', [], None, 0, []), os.path.normpath(server_root))
    reader = _Reader(result, sysroot, defines, env, modules, version)
    path = reader.absolute(config_file)
    result.root.file = path
    reader.read_file(path, result.root, 0)
    return result


def with_compiled_in(parsed, modules):
    """``parsed``, read by :func:`parse` without ``modules``, as it would have been read with
    ``modules`` compiled in; ``None`` when they would have changed what it read.

    They change nothing unless an ``<IfModule>`` found one of them absent, or a ``LoadModule``
    loaded one of them (httpd skips it: it is already loaded). Otherwise only
    ``parsed.modules`` lacks them, and they come first there, as :func:`parse` enters them. So
    a caller can read the configuration before httpd has listed its compiled-in modules, then
    check the reading against them, and :func:`parse` again only when it must.
    """
    compiled_in = list(_compiled_in(modules))
    names = set(name for pair in compiled_in for name in pair)
    if names & parsed.absent_asked or any(module_id in parsed.modules for module_id, dummy in compiled_in):
        return None
    loaded = parsed.modules
    parsed.modules = {}
    for module_id, source in compiled_in:
        parsed.modules[module_id] = {'source': source, 'path': None, 'file': None, 'line': None}
    parsed.modules.update(loaded)
    return parsed
