# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""httpd's request routing, as far as the configuration tells it: which server answers a request
(``<VirtualHost>`` name and port matching), and which per-directory sections apply to it and in
which order httpd merges them. How mod_alias maps one URL is in :mod:`_wsgi_resolve`.

PRIVATE to the collection: this is not a public API and may change at any time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import os
import re

from ansible_collections.modwsgi.apache.plugins.module_utils._httpd_regex import search
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
        return search(regex, path) is not None
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
        return search(regex, directory) is not None
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
        return search(regex, basename) is not None
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


def server_scopes(parsed, server):
    """The directives of ``server`` then of the main server, as mod_alias merges its lists."""
    own = []
    if server.node is not None:
        own = [n for n in server.node.children if n.children is None]
    return own + [n for n in parsed.root.children if n.children is None]
