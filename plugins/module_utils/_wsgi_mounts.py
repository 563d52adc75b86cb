# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mod_wsgi's decisions, applied to a configuration read by :mod:`_config`: the daemon groups,
the process and application group and mode of every mount, and ``resolve`` (where one URL runs:
the request mapping is in :mod:`_wsgi_resolve`).

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

import os
import re

from ansible_collections.modwsgi.apache.plugins.module_utils import _httpd_routing as routing
from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_url import port_number

DEFAULT_PROCESSES = 1
DEFAULT_THREADS = 15
HANDLER = 'wsgi-script'
GLOBAL = '%{GLOBAL}'
RESOURCE = '%{RESOURCE}'

_ENV_RE = re.compile(r'^%\{ENV:([^}]*)\}$')
ALIAS_DIRECTIVES = ('wsgiscriptalias', 'wsgiscriptaliasmatch')
# The label of what the main server defines: it is visible from every virtual host.
MAIN = 'main server'


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


def expand_application_group(value, host, port, script_name):
    """``wsgi_application_group``: the name, or None when it depends on the request.

    Without a ``ServerName`` httpd uses the host's own name, which the configuration does not
    tell: ``%{RESOURCE}`` and ``%{SERVER}`` are then None too.
    """
    if value is None:
        value = RESOURCE
    hostport = None
    if host:
        hostport = host if port_number(port) in (80, 443) else '%s:%s' % (host, port)
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

    :param apache: the ``apache`` facts of :func:`_mpm_facts.apache_facts` (MPM, limits, modules).
    :param module: what :func:`module_file` found (the Python mod_wsgi links).
    """

    def __init__(self, parsed, apache=None, module=None, sysroot='/'):
        self.parsed = parsed
        self.apache = apache or {}
        self.module = module or {}
        self.sysroot = sysroot
        self.main, self.vhosts = routing.servers(parsed)
        self.main_ports = routing.main_server_ports(self.main, self.vhosts)
        # The main server's part of routing.sections() and aliases(): the same for every request.
        self.main_sections = routing.per_dir_sections(parsed.root)
        self.main_aliases = [n for n in parsed.server_directives()
                             if n.lname in ALIAS_DIRECTIVES]
        self.findings = []
        self.groups = {}
        self.daemon_groups = self._daemon_groups()
        self.imports = self._imports()
        self.mounts = self._mounts()

    def finding(self, code, severity, message, node=None, file=None, line=None):
        entry = {'code': code, 'severity': severity, 'message': message,
                 'file': node.file if node is not None else file,
                 'line': node.line if node is not None else line}
        if entry not in self.findings:
            self.findings.append(entry)

    # servers ----------------------------------------------------------------------------

    def request_servers(self):
        """The servers that answer requests: the virtual hosts, then the main server on each
        port it listens on that no virtual host takes (every port when there is none)."""
        return self.vhosts + self.main_ports

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
            entry = {'name': name, 'server': server.label if server.node is not None else MAIN,
                     'file': node.file, 'line': node.line,
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
        applying = routing.sections(self.parsed, server, url, filename, is_dir, self.main_sections)

        def pick(option, lname):
            if option in alias_options:
                return alias_options[option], _decided(alias)
            node = routing.per_dir(applying, lname) or routing.server_level(self.parsed, server, lname)
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
            'code': None,
            'reason': None,
        }
        env = _ENV_RE.match(group or '')
        if group in (None, '', GLOBAL):
            result['mode'] = 'embedded'
            result['process_group'] = ''
        elif env:
            result['mode'] = 'unknown'
            result['process_group'] = None
            result['code'] = 'group_from_request'
            result['reason'] = ('the process group is %s: it is read from the request '
                                '(SetEnv, RewriteRule [E=...], the environment) when the request '
                                'arrives, so it cannot be known from the configuration' % group)
        else:
            result['mode'] = 'daemon'
            known = self.groups.get(group)
            if known is None:
                result['code'] = 'group_undefined'
                result['reason'] = ("No WSGI daemon process called '%s' has been configured: "
                                    "requests answer 500" % group)
            elif not self.visible(known['server'], server):
                result['code'] = 'group_not_visible'
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
                   if n.children is None and n.lname in ALIAS_DIRECTIVES]
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
        # wsgi_script_name: a request for the alias's own URL has no PATH_INFO, except for "/"
        # (r->filename is target + "/"), so "/moin/" keeps its slash and "/" gives "".
        script_name = None if regex else ('' if url == '/' else
                                          url.rstrip('/') if is_dir else url)
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
            if section is None or section.lname not in routing.PER_DIR_SECTIONS:
                continue
            targets = [self.server_of(node)]
            if targets[0].node is None:
                targets = self.request_servers()
            for server in targets:
                url, script, filename, is_dir = None, None, None, False
                if section.lname in routing.LOCATION_SECTIONS:
                    url = section.args[-1] if section.args else None
                elif section.lname in routing.DIR_SECTIONS:
                    script = section.args[-1] if section.args else None
                    filename, is_dir = script, True
                    url = self.url_of_directory(server, script)
                    if node.lname == 'addhandler' and len(node.args) > 1:
                        script = '%s/*%s' % (script.rstrip('/'), node.args[1])
                else:
                    script = section.args[-1] if section.args else None
                script_name = url.rstrip('/') if url and routing.regex_of(section) is None else None
                decision = self.decide(server, server.port,
                                       url if routing.regex_of(section) is None else None,
                                       script_name, filename, is_dir=is_dir)
                mounts.append(self._mount(server, url, script, node, decision))
        return mounts

    def url_of_directory(self, server, directory):
        """The URL that maps to ``directory``: an ``Alias`` to it or to a file in it, or the
        ``DocumentRoot``."""
        directory = directory.rstrip('/')
        for node in routing.server_scopes(self.parsed, server):
            if node.lname in ('alias', 'scriptalias') and len(node.args) >= 2:
                target = node.args[1].rstrip('/')
                if target == directory or os.path.dirname(target) == directory:
                    return node.args[0]
        root = routing.server_level(self.parsed, server, 'documentroot')
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

    def restrict_embedded_node(self):
        return self.parsed.last('WSGIRestrictEmbedded')

    @property
    def restrict_embedded(self):
        node = self.restrict_embedded_node()
        return bool(node and node.args and node.args[0].lower() == 'on')

    def resolve(self, url):
        """The static twin of the live probe: where ``url`` runs, by this configuration
        (:func:`_wsgi_resolve.resolve`, compiled only when a URL is resolved)."""
        from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_resolve import resolve
        return resolve(self, url)

    def vhost_facts(self):
        """Every ``<VirtualHost>``: the names it answers to, its ports, whether it serves TLS
        (its last ``SSLEngine``, wherever it comes from: an ``Include`` such as Certbot's
        options-ssl-apache.conf, or an ``<IfModule>`` that holds) and where it is."""
        result = []
        for server in self.vhosts:
            engine = routing.last_child(server.node, 'sslengine')
            result.append({'server': server.label,
                           'names': [name.lower() for name in server.names],
                           'ports': sorted(set(address[1] for address in server.addresses)),
                           'tls': bool(engine is not None and engine.args and engine.args[0].lower() == 'on'),
                           'file': server.node.file, 'line': server.node.line})
        return result

    def facts(self):
        return {'restrict_embedded': self.restrict_embedded,
                'daemon_groups': self.daemon_groups,
                'mounts': self.mounts,
                'vhosts': self.vhost_facts(),
                'findings': self.findings}
