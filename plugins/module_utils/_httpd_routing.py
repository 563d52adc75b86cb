# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""httpd's request routing, as far as the configuration tells it: which server answers a request
(``<VirtualHost>`` name and port matching), which per-directory sections apply to it and in
which order httpd merges them, and how mod_alias maps a URL.

PRIVATE to the collection: this is not a public API and may change at any time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import os
import re

from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_url import split_hostport

DIR_SECTIONS = ('directory', 'directorymatch')
FILE_SECTIONS = ('files', 'filesmatch')
LOCATION_SECTIONS = ('location', 'locationmatch')
PER_DIR_SECTIONS = DIR_SECTIONS + FILE_SECTIONS + LOCATION_SECTIONS


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


def last_child(node, lname):
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
            ports.append(split_hostport(node.args[0])[1] if ':' in node.args[0] else node.args[0])
    name, port = split_hostport(main_name.args[0]) if main_name and main_name.args else (None, None)
    main = Server(None, name, [], [('*', p) for p in ports] or [('*', '80')],
                  port or (ports[0] if ports else '80'))
    vhosts = []
    for node in parsed.root.children:
        if node.children is None or node.lname != 'virtualhost':
            continue
        addresses = [split_hostport(arg, '*') for arg in node.args]
        server_name = last_child(node, 'servername')
        if server_name and server_name.args:
            vname, vport = split_hostport(server_name.args[0])
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


def main_server_ports(main, vhosts):
    """The main server on each port it listens on where no virtual host answers, as one
    :class:`Server` per port."""
    ports = []
    for address in main.addresses:
        if address[1] not in ports and not any(v.listens_on(address[1]) for v in vhosts):
            ports.append(address[1])
    return [Server(None, main.name, [], main.addresses, port) for port in ports]


# -- httpd's per-directory sections ----------------------------------------------------------

def regex_of(node):
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
    regex = regex_of(node)
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
    regex = regex_of(node)
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
    regex = regex_of(node)
    if regex is not None:
        return re.search(regex, basename) is not None
    return bool(node.args) and fnmatch.fnmatchcase(basename, node.args[0])


def per_dir_sections(scope):
    """The ``<Directory*>``, ``<Files*>`` and ``<Location*>`` sections of ``scope``, in order."""
    return [node for node in scope.children
            if node.children is not None and node.lname in PER_DIR_SECTIONS]


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
        if node.lname in DIR_SECTIONS and directory is not None:
            if directory_matches(node, directory):
                if regex_of(node) is None:
                    depth = len([p for p in node.args[0].split('/') if p])
                    plain.append((depth, order, node))
                else:
                    regex.append(node)
                nested.extend(n for n in node.children
                              if n.children is not None and n.lname in FILE_SECTIONS
                              and files_matches(n, basename))
        elif node.lname in FILE_SECTIONS and directory is not None:
            if files_matches(node, basename):
                files.append(node)
        elif node.lname in LOCATION_SECTIONS and url is not None:
            if location_matches(node, url):
                locations.append(node)
    plain.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in plain] + regex + files + nested + locations


def per_dir(found_sections, lname):
    found = None
    for section in found_sections:
        node = last_child(section, lname)
        if node is not None:
            found = node
    return found


def server_level(parsed, server, lname):
    if server.node is not None:
        node = last_child(server.node, lname)
        if node is not None:
            return node
    return parsed.last(lname)


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


# -- mod_alias -------------------------------------------------------------------------------
#
# httpd's modules/mappers/mod_alias.c: translate_alias_redir() tries the server's Redirect*
# list (try_alias_list with is_redir), then its Alias*/ScriptAlias* list. Each list holds the
# virtual host's entries before the main server's (merge_alias_config appends the base after
# the overrides), and the first entry that matches wins, not the longest. A Redirect inside a
# <Location> or <Directory> is tried later, by fixup_redir(), but still before any handler.
#
# mod_wsgi's translate_name hook (src/server/mod_wsgi.c, wsgi_register_hooks) is registered
# APR_HOOK_MIDDLE with "mod_alias.c" as its predecessor, so when mod_alias has mapped the URL
# (an Alias or a Redirect matched), wsgi_hook_intercept never sees it: a static Alias inside
# a `WSGIScriptAlias /` serves files, as mod_wsgi's docs say for /static and /media.

REDIRECT_STATUS = {'permanent': 301, 'temp': 302, 'seeother': 303, 'gone': 410}
_REDIRECTS = {'redirect': None, 'redirectmatch': None, 'redirectpermanent': 301,
              'redirecttemp': 302}
_ALIASES = ('alias', 'aliasmatch', 'scriptalias', 'scriptaliasmatch')


def _redirect(node):
    """``(status, regex or path, target)`` of a Redirect* directive, or None when malformed."""
    args = list(node.args)
    status = _REDIRECTS[node.lname]
    if status is None and args and (args[0].lower() in REDIRECT_STATUS or args[0].isdigit()):
        word = args.pop(0).lower()
        status = REDIRECT_STATUS.get(word) or int(word)
    status = status or 302
    if not args:
        return None
    return status, args[0], (args[1] if len(args) > 1 else None)


def _match(node, pattern, uri):
    """The length of ``uri`` an alias-like directive matches (``*Match``: a regex), and the
    regex match object (or None)."""
    if node.lname.endswith('match'):
        try:
            found = re.search(pattern, uri)
        except re.error:
            return 0, None
        return (found.end() or -1, found) if found else (0, None)
    return alias_match_length(uri, pattern), None


def _substitute(target, found):
    if found is None:
        return target
    return re.sub(r'\$(\d)', lambda m: found.group(int(m.group(1))) or '', target)


def server_scopes(parsed, server):
    """The directives of ``server`` then of the main server, as mod_alias merges its lists."""
    own = []
    if server.node is not None:
        own = [n for n in server.node.children if n.children is None]
    return own + [n for n in parsed.root.children if n.children is None]


def translate_alias(parsed, server, uri):
    """What mod_alias's translate_name does with ``uri``, or None when it declines.

    ``{'kind': 'redirect', 'status': 301, 'target': ..., 'node': node}`` or
    ``{'kind': 'alias', 'filename': ..., 'handler': 'cgi-script' or None, 'node': node}``.
    """
    directives = server_scopes(parsed, server)
    for node in directives:
        if node.lname not in _REDIRECTS:
            continue
        redirect = _redirect(node)
        if redirect is None:
            continue
        length, found = _match(node, redirect[1], uri)
        if length:
            return {'kind': 'redirect', 'status': redirect[0], 'node': node,
                    'target': _substitute(redirect[2], found) if redirect[2] else None}
    for node in directives:
        if node.lname not in _ALIASES or len(node.args) < 2:
            continue
        length, found = _match(node, node.args[0], uri)
        if not length:
            continue
        rest = uri[length:] if length > 0 else ''
        if found is not None:
            filename = _substitute(node.args[1], found)
        elif rest.lstrip('/'):
            # apr_filepath_merge(real, rest without its leading slashes)
            filename = node.args[1].rstrip('/') + '/' + rest.lstrip('/')
        else:
            filename = node.args[1] + rest
        handler = 'cgi-script' if node.lname.startswith('script') else None
        return {'kind': 'alias', 'filename': filename, 'handler': handler, 'node': node}
    return None


def section_redirect(found_sections, uri):
    """fixup_redir(): a ``Redirect`` inside one of the sections that apply, or None."""
    for section in reversed(found_sections):
        for node in section.children:
            if node.children is not None or node.lname not in _REDIRECTS:
                continue
            redirect = _redirect(node)
            if redirect is None:
                continue
            if redirect[2] is None and section.lname in LOCATION_SECTIONS and \
                    redirect[0] // 100 == 3:
                # <Location /x> Redirect /y </Location>: the one-argument form.
                return {'kind': 'redirect', 'status': redirect[0], 'node': node,
                        'target': redirect[1]}
            length, found = _match(node, redirect[1], uri)
            if length:
                return {'kind': 'redirect', 'status': redirect[0], 'node': node,
                        'target': _substitute(redirect[2], found) if redirect[2] else None}
    return None
