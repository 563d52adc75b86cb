# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mod_wsgi's semantics, applied to a configuration read by :mod:`_config`.

PRIVATE to the collection: this is not a public API and may change at any time.

The rules follow mod_wsgi's source (``src/server/mod_wsgi.c``) and its directive docs
(``docs/configuration-directives/*.rst``):

- ``WSGIProcessGroup`` and ``WSGIApplicationGroup`` are allowed in server config, virtual host
  and directory context. The per-directory value (``<Directory>``, ``<Files>``, ``<Location>``,
  merged the way httpd merges sections) wins over the virtual host's, which wins over the main
  server's; within one scope the last line wins (``wsgi_set_process_group`` overwrites).
- The ``process-group=`` and ``application-group=`` options of ``WSGIScriptAlias(Match)`` are
  put in the request notes by ``wsgi_hook_intercept`` and override both.
- The process group defaults to ``%{GLOBAL}`` (embedded); ``%{GLOBAL}`` is the empty name.
  The application group defaults to ``%{RESOURCE}``: ``host|SCRIPT_NAME``, with ``:port``
  after the host unless the port is 80 or 443 (``wsgi_application_group``). ``%{SERVER}`` is
  the host (and port) alone. ``%{ENV:x}`` is looked up per request, so it is not known here.
- A daemon group defined in a ``<VirtualHost>`` can only be selected by a virtual host with
  the same ``ServerName``; one defined in the main server by all ("Daemon process called '%s'
  cannot be accessed by this WSGI application"). Names are unique for the whole server.
- ``processes`` unset means 1 process (and ``wsgi.multiprocess`` false); ``threads``
  defaults to 15.
- ``WSGIRestrictEmbedded On`` (server config only) makes every embedded request answer 500.
- Aliases are tried in order, the virtual host's before the main server's, and the first one
  that matches wins (``wsgi_hook_intercept``), as with mod_alias.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import os
import re
import struct

from ansible_collections.modwsgi.apache.plugins.module_utils import _facts
from ansible_collections.modwsgi.apache.plugins.module_utils._config import host_path

DEFAULT_PROCESSES = 1
DEFAULT_THREADS = 15
HANDLER = 'wsgi-script'
GLOBAL = '%{GLOBAL}'
RESOURCE = '%{RESOURCE}'

_ENV_RE = re.compile(r'^%\{ENV:([^}]*)\}$')
# Where httpd says its configuration is wrong: "AH00526: Syntax error on line 1 of /x.conf:".
_SYNTAX_ERROR_RE = re.compile(r'line (\d+) of (/[^:\s]+)')
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

_DIR_SECTIONS = ('directory', 'directorymatch')
_FILE_SECTIONS = ('files', 'filesmatch')
_LOCATION_SECTIONS = ('location', 'locationmatch')
_PER_DIR_SECTIONS = _DIR_SECTIONS + _FILE_SECTIONS + _LOCATION_SECTIONS
_ALIAS_DIRECTIVES = ('wsgiscriptalias', 'wsgiscriptaliasmatch')


# -- small helpers ---------------------------------------------------------------------------

def _text(node):
    return ' '.join([node.name] + list(node.args))


def _where(node):
    return {'file': node.file, 'line': node.line}


def _decided(node, text=None):
    if node is None:
        return {'directive': text, 'file': None, 'line': None}
    return {'directive': text or _text(node), 'file': node.file, 'line': node.line}


def parse_options(words):
    """``['processes=2', "lang='C'"]`` -> ``({'processes': '2', 'lang': 'C'}, [bad words])``."""
    options, bad = {}, []
    for word in words:
        if '=' not in word:
            bad.append(word)
            continue
        key, value = word.split('=', 1)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in '"\'':
            value = value[1:-1]
        options[key] = value
    return options, bad


def _int(text, default):
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


def _split_hostport(text, default_port=None):
    """``www.example.com:8080`` / ``https://h`` / ``[::1]:80`` -> ``(host, port or default)``."""
    scheme = None
    if '://' in text:
        scheme, text = text.split('://', 1)
    text = text.rstrip('/')
    port = default_port
    if text.startswith('['):
        host, rest = text[1:].partition(']')[::2]
        if rest.startswith(':'):
            port = rest[1:]
    elif text.count(':') == 1:
        host, port = text.split(':', 1)
    else:
        host = text
    if port in (None, '') and scheme:
        port = '443' if scheme == 'https' else '80'
    return host, port


def parse_url(url):
    """Split a URL given to ``resolve``: ``(scheme, host, port, path)``.

    Raises ``ValueError`` with a message that says what is wrong.
    """
    if not url or not hasattr(url, 'strip'):
        raise ValueError('%r is not a URL' % (url,))
    if any(c.isspace() for c in url):
        raise ValueError('%r contains whitespace' % url)
    match = re.match(r'^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<netloc>[^/?#]*)(?P<path>[^?#]*)',
                     url)
    if not match:
        raise ValueError('%r is not an absolute URL (http://host/path)' % url)
    scheme = match.group('scheme').lower()
    if scheme not in ('http', 'https'):
        raise ValueError('%r: the scheme must be http or https, not %s' % (url, scheme))
    netloc = match.group('netloc').rpartition('@')[2]
    host, port = _split_hostport(netloc, '443' if scheme == 'https' else '80')
    if not host:
        raise ValueError('%r has no host' % url)
    if not str(port).isdigit() or not 0 < int(port) < 65536:
        raise ValueError('%r has an invalid port %r' % (url, port))
    return scheme, host.lower(), int(port), match.group('path') or '/'


# -- the module file: installed, version, Python ---------------------------------------------

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
    for stanza in stanzas:
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


# -- servers ---------------------------------------------------------------------------------

def answers_to(names, host):
    """httpd's name match: ``host`` equals a ServerName, or matches a ServerAlias pattern."""
    host = host.lower()
    return any(fnmatch.fnmatchcase(host, name.lower()) for name in names)


class Server(object):
    """The main server (``node is None``) or one ``<VirtualHost>``."""

    def __init__(self, node, name, aliases, addresses, port):
        self.node = node
        self.name = name
        self.aliases = aliases
        self.addresses = addresses  # [(host, port or '*')]
        self.port = port

    @property
    def label(self):
        return '%s:%s' % (self.name or '*', self.port)

    @property
    def names(self):
        """The ServerName (when set), then the ServerAlias patterns."""
        return ([self.name] if self.name else []) + self.aliases

    def serves(self, host):
        return answers_to(self.names, host)

    def listens_on(self, port):
        return any(address[1] in ('*', str(port)) for address in self.addresses)


def _last_child(node, lname):
    found = None
    for child in node.children or ():
        if child.children is None and child.lname == lname:
            found = child
    return found


def servers(parsed):
    """``(main, [vhosts])`` as :class:`Server` objects."""
    main_name = parsed.last('ServerName')
    ports = []
    for node in parsed.server_directives('Listen'):
        if node.args:
            ports.append(_split_hostport(node.args[0])[1] if ':' in node.args[0] else node.args[0])
    name, port = _split_hostport(main_name.args[0]) if main_name and main_name.args else (None, None)
    main = Server(None, name, [], [('*', p) for p in ports] or [('*', '80')],
                  port or (ports[0] if ports else '80'))
    vhosts = []
    for node in parsed.root.children:
        if node.children is None or node.lname != 'virtualhost':
            continue
        addresses = [_split_hostport(arg, '*') for arg in node.args]
        server_name = _last_child(node, 'servername')
        if server_name and server_name.args:
            vname, vport = _split_hostport(server_name.args[0])
        else:
            vname, vport = main.name, None
        aliases = []
        for child in node.children:
            if child.children is None and child.lname == 'serveralias':
                aliases.extend(child.args)
        concrete = [address[1] for address in addresses if address[1] != '*']
        vhosts.append(Server(node, vname, aliases, addresses,
                             vport or (concrete[0] if concrete else main.port)))
    return main, vhosts


# -- httpd's per-directory sections ----------------------------------------------------------

def _regex_of(node):
    if node.lname.endswith('match'):
        return node.args[0] if node.args else None
    if len(node.args) >= 2 and node.args[0] == '~':
        return node.args[1]
    return None


def _wild_to_regex(pattern):
    """An fnmatch pattern where wildcards do not cross ``/`` (APR_FNM_PATHNAME)."""
    out = []
    for char in pattern:
        if char == '*':
            out.append('[^/]*')
        elif char == '?':
            out.append('[^/]')
        else:
            out.append(re.escape(char))
    return ''.join(out)


def location_matches(node, path):
    regex = _regex_of(node)
    if regex is not None:
        return re.search(regex, path) is not None
    if not node.args:
        return False
    location = re.sub('/+', '/', node.args[0])
    path = re.sub('/+', '/', path)
    if re.search(r'[*?\[]', location):
        return re.match(_wild_to_regex(location) + r'(?:/|$)', path) is not None
    if not path.startswith(location):
        return False
    # httpd 2.4: /private1 matches /private1, /private1/ and /private1/x, not /private1other.
    return location.endswith('/') or len(path) == len(location) or path[len(location)] == '/'


def directory_matches(node, directory):
    regex = _regex_of(node)
    if regex is not None:
        return re.search(regex, directory) is not None
    if not node.args:
        return False
    wanted = node.args[0].rstrip('/') or '/'
    if wanted == '/':
        return True
    if re.search(r'[*?\[]', wanted):
        return re.match(_wild_to_regex(wanted) + r'(?:/|$)', directory) is not None
    return directory == wanted or directory.startswith(wanted + '/')


def files_matches(node, basename):
    regex = _regex_of(node)
    if regex is not None:
        return re.search(regex, basename) is not None
    return bool(node.args) and fnmatch.fnmatchcase(basename, node.args[0])


def per_dir_sections(scope):
    """The ``<Directory*>``, ``<Files*>`` and ``<Location*>`` sections of ``scope``, in order."""
    return [node for node in scope.children
            if node.children is not None and node.lname in _PER_DIR_SECTIONS]


def sections(parsed, server, url, filename, is_dir=False, main=None):
    """The sections that apply to a request, in the order httpd merges them.

    ``<Directory>`` (shortest path first, then the regex ones), ``<Files>``, then
    ``<Location>``; the main server's before the virtual host's within each kind.

    :param main: ``per_dir_sections(parsed.root)``, when the caller keeps it; computed
        otherwise.
    """
    if main is None:
        main = per_dir_sections(parsed.root)
    candidates = main + (per_dir_sections(server.node) if server.node is not None else [])
    plain, regex, files, nested, locations = [], [], [], [], []
    directory = None
    if filename:
        directory = filename.rstrip('/') if is_dir else os.path.dirname(filename)
        basename = '' if is_dir else os.path.basename(filename)
    for order, node in enumerate(candidates):
        if node.lname in _DIR_SECTIONS and directory is not None:
            if directory_matches(node, directory):
                if _regex_of(node) is None:
                    depth = len([p for p in node.args[0].split('/') if p])
                    plain.append((depth, order, node))
                else:
                    regex.append(node)
                nested.extend(n for n in node.children
                              if n.children is not None and n.lname in _FILE_SECTIONS
                              and files_matches(n, basename))
        elif node.lname in _FILE_SECTIONS and directory is not None:
            if files_matches(node, basename):
                files.append(node)
        elif node.lname in _LOCATION_SECTIONS and url is not None:
            if location_matches(node, url):
                locations.append(node)
    plain.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in plain] + regex + files + nested + locations


def _per_dir(found_sections, lname):
    found = None
    for section in found_sections:
        node = _last_child(section, lname)
        if node is not None:
            found = node
    return found


def _server_level(parsed, server, lname):
    if server.node is not None:
        node = _last_child(server.node, lname)
        if node is not None:
            return node
    return parsed.last(lname)


def expand_application_group(value, host, port, script_name):
    """``wsgi_application_group``: the name, or None when it depends on the request.

    Without a ``ServerName`` httpd uses the host's own name, which the configuration does not
    tell: ``%{RESOURCE}`` and ``%{SERVER}`` are then None too.
    """
    if value is None:
        value = RESOURCE
    hostport = None
    if host:
        hostport = host if int(port) in (80, 443) else '%s:%s' % (host, port)
    if value == RESOURCE:
        return '%s|%s' % (hostport, script_name) if hostport and script_name is not None else None
    if value == '%{SERVER}':
        return hostport
    if value == GLOBAL:
        return ''
    if _ENV_RE.match(value):
        return None
    return value


# -- the analysis ----------------------------------------------------------------------------

class Analysis(object):
    """mod_wsgi's view of one :class:`_config.ParsedConfig`.

    :param apache: the ``apache`` facts of :func:`_facts.apache_facts` (MPM, limits, modules).
    :param module: what :func:`module_file` found (the Python mod_wsgi links).
    """

    def __init__(self, parsed, apache=None, module=None, sysroot='/'):
        self.parsed = parsed
        self.apache = apache or {}
        self.module = module or {}
        self.sysroot = sysroot
        self.main, self.vhosts = servers(parsed)
        # The main server's part of sections() and aliases(): the same for every request.
        self.main_sections = per_dir_sections(parsed.root)
        self.main_aliases = [n for n in parsed.server_directives()
                             if n.lname in _ALIAS_DIRECTIVES]
        self.findings = []
        self.groups = {}
        self.daemon_groups = self._daemon_groups()
        self.imports = self._imports()
        self.mounts = self._mounts()
        self._check()

    # findings ---------------------------------------------------------------------------

    def finding(self, code, severity, message, node=None, file=None, line=None):
        entry = {'code': code, 'severity': severity, 'message': message,
                 'file': node.file if node is not None else file,
                 'line': node.line if node is not None else line}
        if entry not in self.findings:
            self.findings.append(entry)

    # servers ----------------------------------------------------------------------------

    def request_servers(self):
        """The servers that answer requests: the virtual hosts, or the main server alone."""
        return self.vhosts or [self.main]

    def server_of(self, node):
        while node is not None and node.parent is not None:
            if node.lname == 'virtualhost':
                for server in self.vhosts:
                    if server.node is node:
                        return server
            node = node.parent
        return self.main

    # daemon groups ----------------------------------------------------------------------

    def _daemon_groups(self):
        result = []
        scopes = [(self.main, self.parsed.root)] + [(v, v.node) for v in self.vhosts]
        nodes = []
        for server, scope in scopes:
            nodes.extend((n.file, n.line, server, n) for n in scope.children
                         if n.children is None and n.lname == 'wsgidaemonprocess')
        # Apache reads the config in file order; the vhost split above must not reorder it.
        order = dict((id(n), i) for i, n in enumerate(self.parsed.root.iter('WSGIDaemonProcess')))
        nodes.sort(key=lambda item: order.get(id(item[3]), 0))
        for item in nodes:
            server, node = item[2], item[3]
            if not node.args:
                self.finding('group_invalid', 'error', 'WSGIDaemonProcess needs a name', node)
                continue
            name = node.args[0]
            options, bad = parse_options(node.args[1:])
            if bad:
                self.finding('group_invalid', 'error',
                             'Invalid option to WSGI daemon process definition: %s' % ' '.join(bad),
                             node)
            if name in self.groups:
                first = self.groups[name]['node']
                self.finding('duplicate_group', 'error',
                             "Name duplicates previous WSGI daemon definition: '%s' is already "
                             "defined at %s; Apache refuses to start" % (name, first.where), node)
                continue
            processes = _int(options.get('processes'), DEFAULT_PROCESSES)
            threads = _int(options.get('threads'), DEFAULT_THREADS)
            entry = {'name': name, 'server': server.label, 'file': node.file, 'line': node.line,
                     'processes': processes, 'threads': threads, 'options': options}
            self.groups[name] = {'node': node, 'server': server, 'entry': entry}
            result.append(entry)
        return result

    def _imports(self):
        imports = []
        for node in self.parsed.root.iter('WSGIImportScript'):
            options = parse_options(node.args[1:])[0]
            imports.append({'script': node.args[0] if node.args else None,
                            'process_group': options.get('process-group'),
                            'application_group': options.get('application-group'),
                            'node': node, 'server': self.server_of(node)})
        return imports

    # the decision for one request context -------------------------------------------------

    def decide(self, server, port, url, script_name, filename, alias=None, alias_options=None,
               is_dir=False):
        """Process group, application group and mode of one request context."""
        alias_options = alias_options or {}
        applying = sections(self.parsed, server, url, filename, is_dir, self.main_sections)

        def pick(option, lname):
            if option in alias_options:
                return alias_options[option], _decided(alias)
            node = _per_dir(applying, lname) or _server_level(self.parsed, server, lname)
            if node is None:
                return None, None
            return (node.args[0] if node.args else ''), _decided(node)

        group, decided_by = pick('process-group', 'wsgiprocessgroup')
        app_value = pick('application-group', 'wsgiapplicationgroup')[0]
        result = {
            'process_group': group if group is not None else GLOBAL,
            'application_group': expand_application_group(app_value, server.name, port,
                                                          script_name),
            'decided_by': decided_by or _decided(None, 'WSGIProcessGroup %s (default)' % GLOBAL),
            'reason': None,
        }
        env = _ENV_RE.match(group or '')
        if group in (None, '', GLOBAL):
            result['mode'] = 'embedded'
            result['process_group'] = ''
        elif env:
            result['mode'] = 'unknown'
            result['process_group'] = None
            result['reason'] = ('the process group is %s: it is read from the request '
                                '(SetEnv, RewriteRule [E=...], the environment) when the request '
                                'arrives, so it cannot be known from the configuration' % group)
        else:
            result['mode'] = 'daemon'
            known = self.groups.get(group)
            if known is None:
                result['reason'] = ("No WSGI daemon process called '%s' has been configured: "
                                    "requests answer 500" % group)
            elif not self.visible(known['server'], server):
                result['reason'] = ("Daemon process called '%s' (defined in the virtual host %s) "
                                    "cannot be accessed by this WSGI application: requests "
                                    "answer 500" % (group, known['server'].label))
        return result

    @staticmethod
    def visible(group_server, server):
        if group_server.node is None or group_server is server:
            return True
        return (group_server.name or '') == (server.name or '')

    # mounts -----------------------------------------------------------------------------

    def aliases(self, server):
        """``WSGIScriptAlias(Match)`` in the order mod_wsgi tries them for ``server``."""
        own = []
        if server.node is not None:
            own = [n for n in server.node.children
                   if n.children is None and n.lname in _ALIAS_DIRECTIVES]
        return own + self.main_aliases

    def _alias_mount(self, server, node):
        if len(node.args) < 2:
            self.finding('mount_invalid', 'error', '%s needs a URL and a path' % node.name, node)
            return None
        url, target = node.args[0], node.args[1]
        options, bad = parse_options(node.args[2:])
        if bad:
            self.finding('mount_invalid', 'error', 'Invalid option to %s: %s'
                         % (node.name, ' '.join(bad)), node)
        regex = node.lname == 'wsgiscriptaliasmatch'
        is_dir = target.endswith('/')
        script_name = None if regex else url.rstrip('/')
        decision = self.decide(server, server.port, None if regex else url, script_name,
                               None if regex else target, node, options, is_dir)
        return self._mount(server, url, target, node, decision, options)

    def _mount(self, server, url, script, node, decision, options=None):
        options = options or {}
        mount = {'server': server.label, 'url': url, 'script': script,
                 'directive': node.name, 'file': node.file, 'line': node.line}
        mount.update(decision)
        preloaded = 'process-group' in options and 'application-group' in options
        for entry in self.imports:
            if entry['script'] == script and entry['process_group'] == options.get(
                    'process-group', decision['process_group']):
                preloaded = True
        mount['preloaded'] = preloaded
        return mount

    def _handler_mounts(self):
        """Mounts made by ``SetHandler wsgi-script`` / ``AddHandler wsgi-script .ext``."""
        mounts = []
        for node in self.parsed.root.iter():
            if node.children is not None or node.lname not in ('sethandler', 'addhandler'):
                continue
            if not node.args or node.args[0].lower() != HANDLER:
                continue
            section = node.parent
            if section is None or section.lname not in _PER_DIR_SECTIONS:
                continue
            targets = [self.server_of(node)]
            if targets[0].node is None:
                targets = self.request_servers()
            for server in targets:
                url, script, filename, is_dir = None, None, None, False
                if section.lname in _LOCATION_SECTIONS:
                    url = section.args[-1] if section.args else None
                elif section.lname in _DIR_SECTIONS:
                    script = section.args[-1] if section.args else None
                    filename, is_dir = script, True
                    url = self.url_of_directory(server, script)
                    if node.lname == 'addhandler' and len(node.args) > 1:
                        script = '%s/*%s' % (script.rstrip('/'), node.args[1])
                else:
                    script = section.args[-1] if section.args else None
                script_name = url.rstrip('/') if url and _regex_of(section) is None else None
                decision = self.decide(server, server.port,
                                       url if _regex_of(section) is None else None,
                                       script_name, filename, is_dir=is_dir)
                mounts.append(self._mount(server, url, script, node, decision))
        return mounts

    def url_of_directory(self, server, directory):
        """The URL that maps to ``directory``: an ``Alias`` to it, or the ``DocumentRoot``."""
        directory = directory.rstrip('/')
        scopes = ([server.node] if server.node is not None else []) + [self.parsed.root]
        for scope in scopes:
            for node in scope.children:
                if node.children is None and node.lname == 'alias' and len(node.args) >= 2:
                    if node.args[1].rstrip('/') == directory:
                        return node.args[0]
        root = _server_level(self.parsed, server, 'documentroot')
        if root is not None and root.args:
            base = root.args[0].rstrip('/')
            if directory == base:
                return '/'
            if directory.startswith(base + '/'):
                return directory[len(base):]
        return None

    def _mounts(self):
        mounts = []
        for server in self.request_servers():
            for node in self.aliases(server):
                mount = self._alias_mount(server, node)
                if mount is not None:
                    mounts.append(mount)
        mounts.extend(self._handler_mounts())
        return mounts

    # findings ---------------------------------------------------------------------------

    def _check_config(self):
        """A configuration Apache rejects, or that could not be read whole, makes the audit
        below incomplete: say so first, with file and line where they are known."""
        if self.apache.get('config_ok') is False:
            message = self.apache.get('config_error') or 'no message'
            where = _SYNTAX_ERROR_RE.search(message)
            self.finding('config_invalid', 'error',
                         'Apache rejects its configuration, so it would not start or reload '
                         'with it: %s' % message,
                         file=where.group(2) if where else self.apache.get('config_file'),
                         line=int(where.group(1)) if where else None)
        for error in self.parsed.errors:
            self.finding('config_unreadable', 'warning',
                         'Part of the configuration could not be read as Apache would: %s'
                         % error['message'], file=error['file'], line=error['line'])

    def _check(self):
        self._check_config()
        restrict = self.restrict_embedded_node()
        restricted = self.restrict_embedded
        selected = set()
        dynamic = False
        for mount in self.mounts:
            where = {'file': mount['file'], 'line': mount['line']}
            if mount['mode'] == 'embedded':
                if restricted:
                    self.finding('embedded_restricted', 'error',
                                 '%s on %s runs in embedded mode, but WSGIRestrictEmbedded is On: '
                                 'every request answers 500' % (mount['url'], mount['server']),
                                 **where)
                else:
                    self.finding('mount_embedded', 'warning',
                                 '%s on %s runs in embedded mode, inside the Apache children '
                                 '(decided by %s)' % (mount['url'], mount['server'],
                                                      mount['decided_by']['directive']), **where)
            elif mount['mode'] == 'unknown':
                dynamic = True
                self.finding('mode_unknown', 'warning', '%s on %s: %s'
                             % (mount['url'], mount['server'], mount['reason']), **where)
            else:
                group = mount['process_group']
                selected.add(group)
                known = self.groups.get(group)
                decided = mount['decided_by']
                if known is None:
                    self.finding('group_undefined', 'error', '%s on %s: %s'
                                 % (mount['url'], mount['server'], mount['reason']),
                                 file=decided['file'], line=decided['line'])
                elif mount['reason']:
                    self.finding('group_not_visible', 'error', '%s on %s: %s'
                                 % (mount['url'], mount['server'], mount['reason']),
                                 file=decided['file'], line=decided['line'])
        for entry in self.imports:
            group = entry['process_group']
            if group in (None, '', GLOBAL):
                continue
            selected.add(group)
            if group not in self.groups:
                self.finding('group_undefined', 'error',
                             "WSGIImportScript preloads into the process group '%s', which is "
                             "not defined" % group, entry['node'])
        for name, group in sorted(self.groups.items(), key=lambda i: i[1]['node'].line):
            if name not in selected:
                self.finding('group_unused', 'info' if dynamic else 'warning',
                             "The daemon group '%s' is defined but no mount selects it%s"
                             % (name, ' (a %{ENV:...} process group might, per request)'
                                if dynamic else ''), group['node'])
        if self.mounts or self.groups:
            if not restricted:
                loaded = self.parsed.modules.get('wsgi_module') or {}
                self.finding('restrict_embedded_off', 'info',
                             'WSGIRestrictEmbedded is Off: an app that misses its process group '
                             'silently runs inside the Apache children; set it On when every app '
                             'runs in daemon mode',
                             node=restrict, file=loaded.get('file'), line=loaded.get('line'))
        self._check_shadowed()
        self._check_mpm(selected)
        self._check_python(selected)

    def _check_shadowed(self):
        """An alias after a shorter one that already matches its URL never receives requests."""
        for server in self.request_servers():
            earlier = []
            for node in self.aliases(server):
                if node.lname != 'wsgiscriptalias' or len(node.args) < 2:
                    continue
                for first in earlier:
                    if alias_match_length(node.args[0], first.args[0]):
                        self.finding('alias_shadowed', 'warning',
                                     'WSGIScriptAlias %s is never used: %s at %s comes first and '
                                     'matches every URL below it (mod_wsgi takes the first alias '
                                     'that matches)' % (node.args[0], first.args[0], first.where),
                                     node)
                        break
                earlier.append(node)

    def restrict_embedded_node(self):
        return self.parsed.last('WSGIRestrictEmbedded')

    @property
    def restrict_embedded(self):
        node = self.restrict_embedded_node()
        return bool(node and node.args and node.args[0].lower() == 'on')

    def _check_mpm(self, selected):
        mpm = (self.apache.get('mpm') or {})
        name = mpm.get('name')
        used = [self.groups[g]['entry'] for g in sorted(selected) if g in self.groups]
        if not used or not name:
            return
        where = mpm.get('selected_by') or {}
        if name == 'prefork':
            unsafe = [m['name'] for m in self.apache.get('thread_unsafe_modules') or ()]
            if unsafe:
                self.finding('prefork_with_daemon', 'info',
                             'The prefork MPM serves daemon-mode apps; it is kept for %s, which '
                             'is not thread-safe' % ', '.join(unsafe),
                             file=where.get('file'), line=where.get('line'))
            else:
                self.finding('prefork_with_daemon', 'warning',
                             'The prefork MPM serves daemon-mode apps: each Apache child only '
                             'proxies to the daemons, so the event or worker MPM does the same '
                             'job with far fewer processes',
                             file=where.get('file'), line=where.get('line'))
        limits = self.apache.get('limits') or {}
        workers = limits.get('MaxRequestWorkers')
        capacity = sum(g['processes'] * g['threads'] for g in used)
        if workers is not None and workers < capacity:
            source = (self.apache.get('limits_from') or {}).get('MaxRequestWorkers') or ''
            file, line = source.rpartition(':')[::2]
            self.finding('frontend_capacity', 'warning',
                         'MaxRequestWorkers is %s but the daemon groups in use can serve %d '
                         'requests at once: the front end cannot keep them busy'
                         % (workers, capacity),
                         file=file or None, line=_int(line, None) if file else None)

    def _check_python(self, selected):
        python = (self.module.get('python') or {}).get('version')
        if not python:
            return
        server_home = self.parsed.last('WSGIPythonHome')
        for name, group in self.groups.items():
            home = group['entry']['options'].get('python-home')
            node = group['node']
            if not home and server_home is not None and server_home.args:
                home, node = server_home.args[0], server_home
            if not home:
                continue
            version = venv_python(home, self.sysroot)
            if version and version != python:
                self.finding('python_mismatch', 'error',
                             "mod_wsgi is built for Python %s but the daemon group '%s' uses "
                             "python-home %s, which is Python %s: its packages will not import"
                             % (python, name, home, version), node)

    # resolve ----------------------------------------------------------------------------

    def choose_server(self, host, port):
        listening = [v for v in self.vhosts if v.listens_on(port)]
        if not listening:
            return self.main
        for server in listening:
            if server.serves(host):
                return server
        return listening[0]

    def resolve(self, url):
        """The static twin of the live probe: where ``url`` runs, by this configuration."""
        host, port, path = parse_url(url)[1:]
        server = self.choose_server(host, port)
        result = {'url': url, 'server': '%s:%s' % (server.name or '*', port), 'mount': None,
                  'process_group': None, 'application_group': None, 'mode': None,
                  'decided_by': None, 'reason': None}
        for node in self.aliases(server):
            if len(node.args) < 2:
                continue
            options = parse_options(node.args[2:])[0]
            target = node.args[1]
            if node.lname == 'wsgiscriptaliasmatch':
                match = re.search(node.args[0], path)
                if not match or match.end() == 0:
                    continue
                length = match.end()
                filename = re.sub(r'\$(\d)', lambda m: match.group(int(m.group(1))) or '', target)
            else:
                length = alias_match_length(path, node.args[0])
                if not length:
                    continue
                filename = target
            script_name = path[:length].rstrip('/')
            if target.endswith('/') and node.lname == 'wsgiscriptalias':
                segment = path[length:].lstrip('/').split('/', 1)[0]
                filename = target + segment
                script_name = '%s/%s' % (script_name, segment)
            decision = self.decide(server, port, path, script_name, filename, node, options)
            result.update(decision)
            result['mount'] = {'url': node.args[0], 'script': filename,
                               'directive': node.name, 'file': node.file, 'line': node.line}
            return result
        filename = self.filename_of_url(server, path)
        applying = sections(self.parsed, server, path, filename, main=self.main_sections)
        handler = _per_dir(applying, 'sethandler')
        if handler is None and filename:
            for section in applying:
                for child in section.children:
                    if child.children is None and child.lname == 'addhandler' and \
                            child.args and child.args[0].lower() == HANDLER and \
                            any(filename.endswith(ext) for ext in child.args[1:]):
                        handler = child
        if handler is not None and handler.args and handler.args[0].lower() == HANDLER:
            decision = self.decide(server, port, path, path.rstrip('/'), filename)
            result.update(decision)
            result['mount'] = {'url': path, 'script': filename, 'directive': handler.name,
                               'file': handler.file, 'line': handler.line}
            return result
        result['reason'] = 'no WSGI mount serves this URL'
        return result

    def filename_of_url(self, server, path):
        """mod_alias ``Alias`` (first match), else ``DocumentRoot`` + path."""
        scopes = ([server.node] if server.node is not None else []) + [self.parsed.root]
        for scope in scopes:
            for node in scope.children:
                if node.children is None and node.lname == 'alias' and len(node.args) >= 2:
                    length = alias_match_length(path, node.args[0])
                    if length:
                        return node.args[1] + path[length:]
        root = _server_level(self.parsed, server, 'documentroot')
        if root is not None and root.args:
            return root.args[0].rstrip('/') + path
        return None

    def vhost_facts(self):
        """Every ``<VirtualHost>``: the names it answers to, its ports and where it is."""
        result = []
        for server in self.vhosts:
            result.append({'server': server.label,
                           'names': [name.lower() for name in server.names],
                           'ports': sorted(set(address[1] for address in server.addresses)),
                           'file': server.node.file, 'line': server.node.line})
        return result

    def facts(self):
        return {'restrict_embedded': self.restrict_embedded,
                'daemon_groups': self.daemon_groups,
                'mounts': self.mounts,
                'vhosts': self.vhost_facts(),
                'findings': self.findings}


def alias_match_length(uri, alias):
    """mod_alias's ``alias_matches``: the length of ``uri`` matched by ``alias``, or 0.

    Runs of ``/`` match runs of ``/``; an alias not ending in ``/`` must end at a segment.
    """
    i = j = 0
    while i < len(alias):
        if alias[i] == '/':
            if j >= len(uri) or uri[j] != '/':
                return 0
            while i < len(alias) and alias[i] == '/':
                i += 1
            while j < len(uri) and uri[j] == '/':
                j += 1
            continue
        if j >= len(uri) or uri[j] != alias[i]:
            return 0
        i += 1
        j += 1
    if not alias.endswith('/') and j < len(uri) and uri[j] != '/':
        return 0
    return j


def wsgi_facts(run, find_bin, sysroot='/', binary=None, resolve=None):
    """Everything ``wsgi_facts`` reports: the same locate/parse path as ``mpm_facts``."""
    return gather(run, find_bin, sysroot, binary=binary, resolve=resolve)[0]


def gather(run, find_bin, sysroot='/', binary=None, resolve=None, processes=False, proc_root='/proc'):
    """``(mod_wsgi facts, apache facts)`` from one reading of Apache: the second is what
    ``mpm_facts`` reports (with ``processes`` measured when asked), so one module call can
    return both."""
    apache, parsed = _facts.gather(run, find_bin, sysroot, proc_root=proc_root, binary=binary,
                                   processes=processes)
    return _mod_wsgi_facts(apache, parsed, sysroot, resolve), apache


def _mod_wsgi_facts(apache, parsed, sysroot, resolve):
    module = module_file(parsed, apache.get('layout'), sysroot)
    facts = {
        'installed': module['installed'],
        'loaded': 'wsgi_module' in (apache.get('modules') or {}),
        'version': module['version'],
        'python': module['python'],
        'module_path': module['path'],
        'restrict_embedded': False,
        'daemon_groups': [],
        'mounts': [],
        'vhosts': [],
        'findings': [],
    }
    if parsed is None:
        if resolve:
            facts['resolved'] = [{'url': url, 'server': None, 'mount': None,
                                  'process_group': None, 'application_group': None,
                                  'mode': None, 'decided_by': None,
                                  'reason': 'Apache is not installed'} for url in resolve]
        return facts
    analysis = Analysis(parsed, apache, module, sysroot)
    facts.update(analysis.facts())
    if resolve:
        facts['resolved'] = [analysis.resolve(url) for url in resolve]
    return facts
