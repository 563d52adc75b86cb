# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where one URL runs (``wsgi_facts``'s ``resolve``): httpd's request mapping, applied to a
:class:`_wsgi_mounts.Analysis`.

PRIVATE to the collection: this is not a public API and may change at any time.

mod_alias's translate_name, then mod_wsgi's aliases, then the core's ``DocumentRoot``; the
directory walk; a ``Redirect`` in a section; the handler. Only ``resolve`` needs it, so
:meth:`_wsgi_mounts.Analysis.resolve` imports it when a URL is resolved: AnsiballZ compiles
each module_util from source on every call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.modwsgi.apache.plugins.module_utils import _httpd_routing as routing
from ansible_collections.modwsgi.apache.plugins.module_utils._httpd_regex import search
from ansible_collections.modwsgi.apache.plugins.module_utils._layout import host_path
from ansible_collections.modwsgi.apache.plugins.module_utils._httpd_routing import (
    LOCATION_SECTIONS,
    alias_match_length,
    server_scopes,
)
from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_mounts import HANDLER, _text, parse_options
from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_url import parse_url

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
# mod_alias reads a numeric status with apr_isdigit: ASCII digits only.
_STATUS_RE = re.compile(r'^[0-9]+$')


def redirect_of(node):
    """``(status, regex or path, target)`` of a Redirect* directive, or None when malformed."""
    args = list(node.args)
    status = _REDIRECTS[node.lname]
    if status is None and args and (args[0].lower() in REDIRECT_STATUS or _STATUS_RE.match(args[0])):
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
        found = search(pattern, uri)
        return (found.end() or -1, found) if found else (0, None)
    return alias_match_length(uri, pattern), None


def _substitute(target, found):
    """``$N`` in ``target`` replaced by group N of ``found`` (ap_pregsub): empty when the
    pattern has no such group, or it did not take part in the match."""
    if found is None:
        return target

    def group(match):
        number = int(match.group(1))
        return (found.group(number) or '') if number <= found.re.groups else ''
    return re.sub(r'\$([0-9])', group, target)


def translate_alias(parsed, server, uri):
    """What mod_alias's translate_name does with ``uri``, or None when it declines.

    ``{'kind': 'redirect', 'status': 301, 'target': ..., 'node': node}`` or
    ``{'kind': 'alias', 'filename': ..., 'handler': 'cgi-script' or None, 'node': node}``.
    """
    directives = server_scopes(parsed, server)
    for node in directives:
        if node.lname not in _REDIRECTS:
            continue
        redirect = redirect_of(node)
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
            redirect = redirect_of(node)
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


def choose_server(a, host, port):
    listening = [v for v in a.vhosts if v.listens_on(port)]
    if not listening:
        return a.main
    for server in listening:
        if server.serves(host):
            return server
    return listening[0]


def resolve(a, url):
    """The static twin of the live probe: where ``url`` runs, by this configuration.

    httpd's order: mod_alias's translate_name (Redirect*, then Alias*/ScriptAlias*), then
    mod_wsgi's (``WSGIScriptAlias(Match)``), then the core's DocumentRoot; a Redirect in a
    section (fixup_redir) comes before any handler; then the handler (``SetHandler`` /
    ``AddHandler wsgi-script``). See :func:`translate_alias`.
    """
    host, port, path = parse_url(url)[1:]
    server = choose_server(a, host, port)
    result = {'url': url, 'server': '%s:%s' % (server.name or '*', port), 'mount': None,
              'process_group': None, 'application_group': None, 'mode': None,
              'decided_by': None, 'code': None, 'reason': None, 'served_by': None}
    mapped = translate_alias(a.parsed, server, path)
    alias = None
    if mapped is None:
        alias = _wsgi_alias(a, server, path)
        if alias is not None:
            filename = alias[2]
        else:
            filename, node = document_root(a, server, path)
        handler = None
    elif mapped['kind'] == 'redirect':
        return _redirected(result, mapped)
    else:
        filename, node, handler = mapped['filename'], mapped['node'], mapped['handler']
    # ap_directory_walk: the first regular file along the path is r->filename, the rest is
    # PATH_INFO; the sections, handlers and the script are those of that file.
    script, path_info = walk(a, filename) if filename else (None, None)
    applying = routing.sections(a.parsed, server, path, script or filename,
                                main=a.main_sections)
    redirect = section_redirect(applying, path)
    if redirect is not None:
        return _redirected(result, redirect)
    if alias is not None:
        node, options = alias[0], alias[1]
        result['mount'] = {'url': node.args[0], 'script': script or filename,
                           'directive': node.name, 'file': node.file, 'line': node.line}
    else:
        wsgi = _handler(applying, script or filename) if filename else None
        if wsgi is None:
            return _not_wsgi(result, filename, node, handler)
        node, options = None, None
        result['mount'] = {'url': path, 'script': script or filename,
                           'directive': wsgi.name, 'file': wsgi.file, 'line': wsgi.line}
    if script is None:
        return _missing(result, filename)
    # wsgi_script_name: the URI without its PATH_INFO, runs of "/" made one.
    script_name = re.sub('/+', '/', path[:len(path) - len(path_info)] if path_info else path)
    result.update(a.decide(server, port, path, script_name, script, node, options))
    return result


def _not_wsgi(result, filename, node, handler):
    result['code'] = 'not_wsgi'
    result['served_by'] = {'kind': handler or 'file', 'path': filename,
                           'directive': _text(node) if node is not None else None,
                           'file': node.file if node is not None else None,
                           'line': node.line if node is not None else None}
    result['reason'] = '%s serves this URL, not mod_wsgi' % (
        'the CGI script %s' % filename if handler else
        'the file %s' % filename if filename else 'no file')
    return result


def _wsgi_alias(a, server, path):
    """wsgi_hook_intercept: the first ``WSGIScriptAlias(Match)`` of ``server`` that matches
    ``path``, as ``(node, options, filename)``, or None."""
    for node in a.aliases(server):
        if len(node.args) < 2:
            continue
        if node.lname == 'wsgiscriptaliasmatch':
            match = search(node.args[0], path)
            if not match or match.end() == 0:
                continue
            length = match.end()
            location = path[:length]
            application = _substitute(node.args[1], match)
        else:
            length = routing.alias_match_length(path, node.args[0])
            if not length:
                continue
            location, application = node.args[0], node.args[1]
        # r->filename = application + (the whole URI when the alias is "/", else the rest
        # of the URI after the matched part): /moin/ -> moin.wsgi + "FrontPage".
        rest = path if location == '/' else path[length:]
        return node, parse_options(node.args[2:])[0], application + rest
    return None


def _redirected(result, mapped):
    node = mapped['node']
    result['code'] = 'redirect'
    result['served_by'] = {'kind': 'redirect', 'status': mapped['status'],
                           'target': mapped['target'], 'directive': _text(node),
                           'file': node.file, 'line': node.line}
    result['reason'] = 'mod_alias answers %s%s before mod_wsgi sees the request' % (
        mapped['status'], ' to %s' % mapped['target'] if mapped['target'] else '')
    return result


def _missing(result, filename):
    result['code'] = 'script_missing'
    result['served_by'] = {'kind': 'not_found', 'path': filename, 'directive': None,
                           'file': None, 'line': None}
    result['reason'] = ('mod_wsgi would run %s, which does not exist: Apache answers 404'
                        % filename)
    return result


def walk(a, filename):
    """httpd's directory walk: ``(script, path_info)`` where ``script`` is the first
    regular file along ``filename``, or ``(None, None)`` when there is none."""
    parts = filename.split('/')
    for index in range(2, len(parts) + 1):
        prefix = '/'.join(parts[:index]) or '/'
        host = host_path(a.sysroot, prefix)
        if os.path.isfile(host):
            rest = '/'.join(parts[index:])
            return prefix, ('/' + rest if index < len(parts) else '')
        if not os.path.isdir(host):
            return None, None
    return None, None


def _handler(applying, filename):
    """The ``SetHandler``/``AddHandler wsgi-script`` that makes ``filename`` a WSGI script."""
    handler = routing.per_dir(applying, 'sethandler')
    if handler is not None:
        return handler if handler.args and handler.args[0].lower() == HANDLER else None
    found = None
    for section in applying:
        for child in section.children:
            if child.children is None and child.lname == 'addhandler' and \
                    child.args and child.args[0].lower() == HANDLER and \
                    any(filename.endswith(ext) for ext in child.args[1:]):
                found = child
    return found


def document_root(a, server, path):
    """The core's translate_name: ``(DocumentRoot + path, the DocumentRoot directive)``."""
    root = routing.server_level(a.parsed, server, 'documentroot')
    if root is not None and root.args:
        return root.args[0].rstrip('/') + path, root
    return None, None
