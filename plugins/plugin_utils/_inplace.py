# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``takeover: in_place``: convert a hand-written virtual host to daemon mode, keeping the file.

PRIVATE to the collection: this is not a public API and may change at any time.

Runs on the controller, standard library only. The input is what ``wsgi_facts`` says
(``vhosts``, ``mounts``, ``daemon_groups``), the role's applications (defaults applied) and the
current text of the files concerned. The output is each file's whole new text, which the role
hands to ``modwsgi.apache.config_files`` (backups, Apache's config test, restore on failure,
diff). Nothing else in a file changes, byte for byte:

- One marked block per application, right after its ``<VirtualHost ...>`` line: its
  ``WSGIDaemonProcess``, the probe mounted at ``<probe url>/<app name>`` in the app's group, and
  the selection (``WSGIProcessGroup`` and ``WSGIApplicationGroup`` in ``<Directory>`` and
  ``<Files>`` sections of the app's script: every URL mapped to that script, and no other mount
  of the virtual host, whatever its URL path).
- With ``preload`` (the default), the site's own ``WSGIScriptAlias`` line gets
  ``process-group=`` and ``application-group=``: it is replaced by a second marked block that
  keeps the original line as a comment, so that removing the blocks restores it exactly.

- Every other virtual host of the app (Certbot's pair: the ``*:80`` site that still mounts the
  app beside its ``-le-ssl.conf`` copy on ``*:443``), on any port, that answers to its names and
  mounts its script with a ``WSGIScriptAlias``, gets one marked block after its ``<VirtualHost
  ...>`` line: the selection only, of the one group the app's own virtual host defines (and its
  alias block with ``preload``, where mod_wsgi accepts it: :func:`_plan_companions`). A virtual
  host that answers to the names but mounts another script, or none (a redirect), is left alone.

Both go *before* any other line of the virtual host for a reason: mod_wsgi takes the first
``WSGIScriptAlias`` that matches, in configuration order (``wsgi_hook_intercept`` loops over the
server's alias list and returns on the first match, GrahamDumpleton/mod_wsgi
src/server/mod_wsgi.c), so the probe's alias must come before the site's ``WSGIScriptAlias /``;
and a ``process-group=`` option is checked when Apache reads it ("WSGI process group not yet
configured."), so ``WSGIDaemonProcess`` must come first.

Every run first strips the blocks (restoring the alias lines), then adds the blocks of the
present in-place applications again: a second run gives the same text, and an absent
application's blocks are gone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.modwsgi.apache.plugins.plugin_utils._takeover import answers_names, claims

MARKER = 'modwsgi.apache.daemon_mode'
ORIGINAL = '# original line: '
_RE_BEGIN = re.compile(r'^\s*# BEGIN modwsgi\.apache\.daemon_mode (\S+?)( alias)?:')
_RE_END = re.compile(r'^\s*# END modwsgi\.apache\.daemon_mode (\S+?)( alias)?\s*$')
_RE_VHOST_END = re.compile(r'^\s*</VirtualHost\s*>', re.I)
_RE_SERVER_NAME = re.compile(r'^\s*ServerName\s', re.I)
_RE_SECTION = re.compile(r'^\s*<(Location|LocationMatch|Directory|DirectoryMatch|Files|FilesMatch)[\s>]', re.I)
_RE_SECTION_END = re.compile(r'^\s*</(Location|LocationMatch|Directory|DirectoryMatch|Files|FilesMatch)\s*>', re.I)
_RE_OVERRIDE = re.compile(r'^\s*(WSGIProcessGroup|WSGIApplicationGroup)\s|^\s*(SetHandler|AddHandler)\s+wsgi-script', re.I)
_RE_GROUP_OPTIONS = re.compile(r'\s+(process-group|application-group)=\S+', re.I)


class InPlaceError(Exception):
    """The conversion is refused; ``errors`` lists every ``modwsgi_apps[i].field: reason``."""

    def __init__(self, errors):
        self.errors = list(errors)
        super(InPlaceError, self).__init__('; '.join(self.errors))


def probe_address(scheme, port, probe_url, name):
    """Where the role asks an application's probe: on the loopback, at ``<probe url>/<name>``."""
    return '%s://127.0.0.1:%s%s/%s' % (scheme, port, probe_url, name)


def probe_target(app, in_place_apps, probe_url):
    """The probe request for one present application (the role's verify and reload steps):
    ``{'url': ..., 'validate_certs': bool}``. An application converted in place is asked where
    :func:`plan` found its site (``in_place_apps``: the plan's ``apps``), and that site's own
    certificate is not checked; one of the role's virtual hosts is asked over https when it has
    ``tls``, with the certificate checked unless ``tls.self_signed``."""
    if app['name'] in in_place_apps:
        return {'url': in_place_apps[app['name']]['url'], 'validate_certs': False}
    tls = app.get('tls') or {}
    return {'url': probe_address('https' if tls else 'http', app['port'], probe_url, app['name']),
            'validate_certs': not tls.get('self_signed', False)}


def daemon_options(app):
    """The options of the app's ``WSGIDaemonProcess``, in the order vhost.conf.j2 writes them."""
    opts = ['processes=%d' % int(app['processes']), 'threads=%d' % int(app['threads']),
            'display-name=%s' % app['display_name']]
    for field in ('user', 'group'):
        if app.get(field) is not None:
            opts.append('%s=%s' % (field, app[field]))
    if app.get('python_home') is not None:
        opts.append('python-home=%s' % app['python_home'])
    if 'home' not in app['daemon_options']:
        opts.append('home=%s' % app['wsgi_script'].rsplit('/', 1)[0])
    if app['python_path']:
        opts.append('python-path=%s' % ':'.join(app['python_path']))
    # mod_wsgi's server_metrics() answers only with it: modwsgi.apache.group_metrics reads the
    # front end's scoreboard through the probe. daemon_options may turn it off.
    if 'server-metrics' not in app['daemon_options']:
        opts.append('server-metrics=On')
    for key in sorted(app['daemon_options']):
        value = app['daemon_options'][key]
        opts.append('%s=%s' % (key, ('On' if value else 'Off') if isinstance(value, bool) else value))
    return opts


def strip(text, path='file'):
    """The file as it was before the role: every block removed, each alias line restored.

    :returns: ``(lines, where, names)``: the original lines (with their line endings); for each
        current line number (1-based) the index of its original line and the application whose
        block holds it (``None`` outside blocks); the application names that have blocks.
    """
    lines = []
    where = {}
    names = set()
    block = None
    start = 0
    for number, line in enumerate(text.splitlines(True), 1):
        if block is None:
            begin = _RE_BEGIN.match(line)
            if begin:
                block, start, original = (begin.group(1), bool(begin.group(2))), number, None
                names.add(block[0])
                members = [number]
                continue
            where[number] = (len(lines), None)
            lines.append(line)
            continue
        members.append(number)
        end = _RE_END.match(line)
        if end and (end.group(1), bool(end.group(2))) == block:
            if block[1]:
                if original is None:
                    raise InPlaceError(['%s:%d: the block of %s has lost its "%s" line; restore it by hand'
                                        % (path, start, block[0], ORIGINAL.strip())])
                lines.append(original)
            for member in members:
                where[member] = (max(len(lines) - 1, 0), block[0])
            block = None
        elif block[1] and line.startswith(ORIGINAL):
            original = line[len(ORIGINAL):]
        elif _RE_BEGIN.match(line) or _RE_END.match(line):
            break
    if block is not None:
        raise InPlaceError(['%s:%d: the block of %s is not closed; fix the file by hand'
                            % (path, start, block[0])])
    return lines, where, names


def _vhost_range(lines, index):
    """Indexes of the lines inside the ``<VirtualHost>`` at ``index``, up to its end."""
    end = index + 1
    while end < len(lines) and not _RE_VHOST_END.match(lines[end]):
        end += 1
    return range(index + 1, end)


def _newline(line):
    return '\r\n' if line.endswith('\r\n') else '\n'


def _indent(line):
    """The leading white space of ``line``, which the lines written beside it take."""
    return line[:len(line) - len(line.lstrip())]


def head_block(app, indent, newline, probe_url, probe_dir):
    """The block after the ``<VirtualHost>`` line: the daemon group, the probe, the selection."""
    name = app['name']
    group_opts = 'process-group=%s application-group=%s' % (name, app['application_group'])
    body = ['# BEGIN %s %s: daemon mode for %s; state: absent removes this block' % (MARKER, name, name),
            'WSGIDaemonProcess %s %s' % (name, ' '.join(daemon_options(app)))]
    if probe_url:
        body += ['WSGIScriptAlias %s/%s %s/probe.wsgi %s' % (probe_url, name, probe_dir, group_opts),
                 '<Location %s/%s>' % (probe_url, name), '    Require local', '</Location>']
    body += _selection(app)
    body.append('# END %s %s' % (MARKER, name))
    return [indent + line + newline for line in body]


def _selection(app):
    """The app's script, not a URL, selects its group: every request mapped to it, and no other
    mount of the virtual host."""
    directory, script = app['wsgi_script'].rsplit('/', 1)
    return ['<Directory %s>' % directory, '    <Files %s>' % script,
            '        WSGIProcessGroup %s' % app['name'], '        WSGIApplicationGroup %s' % app['application_group'],
            '    </Files>', '</Directory>']


def companion_block(app, primary, indent, newline):
    """The block after the ``<VirtualHost>`` line of another virtual host of the app (Certbot's
    pair): the selection of the group that ``primary`` defines (named by its server and file, not
    its line, which the blocks of other applications may move: a second run gives the same text)."""
    name = app['name']
    body = ['# BEGIN %s %s: daemon group %s, defined in %s; state: absent removes this block' % (
        MARKER, name, name, primary)] + _selection(app) + ['# END %s %s' % (MARKER, name)]
    return [indent + line + newline for line in body]


def alias_block(app, original, indent, newline):
    """The site's ``WSGIScriptAlias`` line with the app's groups, and the original kept as a comment."""
    name = app['name']
    line = _RE_GROUP_OPTIONS.sub('', original.rstrip('\r\n').rstrip())
    return [indent + '# BEGIN %s %s alias: preloaded in %s; state: absent restores the original line'
            % (MARKER, name, name) + newline,
            ORIGINAL + original,
            '%s process-group=%s application-group=%s%s' % (line, name, app['application_group'], newline),
            indent + '# END %s %s alias' % (MARKER, name) + newline]


def _line_of(where, index):
    """The current line number of the original line at ``index`` (for messages)."""
    for number in sorted(where):
        if where[number] == (index, None):
            return number
    return index + 1


class _File(object):
    """One file being converted: its original lines, and the changes planned in it."""

    def __init__(self, path, source):
        self.path = path
        self.source = source
        self.lines, self.where, self.names = strip(source['content'], path)
        self.heads = {}
        self.aliases = {}

    def original_index(self, line):
        return self.where.get(line, (line - 1, None))

    def render(self):
        out = []
        for index, line in enumerate(self.lines):
            out.extend(self.aliases.get(index, [line]))
            out.extend(self.heads.get(index, []))
        return ''.join(out)


def _none_serves(app, facts):
    """Why no virtual host serves the app, and where its script is mounted instead (a server-level
    mount, as Django's basic configuration writes it, or another name or port), by file:line."""
    seen = []
    for mount in facts['mounts']:
        # A server-level mount appears once per virtual host that inherits it: name it once.
        key = (mount['directive'], mount['url'], mount['file'], mount['line'])
        if mount.get('script') == app['wsgi_script'] and key not in seen:
            seen.append(key)
    if not seen:
        return 'there is none'
    return 'there is none; the script is mounted by %s: set server_name and port to its virtual host, or, ' \
        'for a mount outside any virtual host, use takeover: replace' % ', '.join(
            '%s %s at %s:%s' % key for key in seen)


def _check_mount(prefix, app, site, vhost, vindex, mount, files, preload, errors):
    """The index of ``mount``'s ``WSGIScriptAlias`` line in ``site``, when in_place can convert it
    there; ``None`` with the reason appended to ``errors`` otherwise."""
    aindex = site.original_index(mount['line'])[0]
    if site.lines[aindex].rstrip('\r\n').endswith('\\'):
        errors.append('%s.url_path: the WSGIScriptAlias at %s:%s continues on the next line; write it on one line first'
                      % (prefix, mount['file'], mount['line']))
        return None
    decided = mount.get('decided_by') or {}
    if decided.get('file') is not None:
        owner = files[decided['file']].original_index(decided['line'])[1] if decided['file'] in files else None
        if owner != app['name']:
            errors.append('%s.takeover: the process group of %s on %s is set by "%s" at %s:%s; in_place would not '
                          'override it: remove it first' % (prefix, mount['url'], vhost['server'],
                                                            decided['directive'], decided['file'], decided['line']))
            return None
    for inner in _vhost_range(site.lines, vindex):
        # With preload, the alias's own process-group= and application-group= win over any
        # WSGIProcessGroup of a section; a handler in a section still makes a mount of its own.
        if _RE_SECTION.match(site.lines[inner]):
            depth = 1
            for deeper in range(inner + 1, len(site.lines)):
                if _RE_SECTION.match(site.lines[deeper]):
                    depth += 1
                elif _RE_SECTION_END.match(site.lines[deeper]):
                    depth -= 1
                    if not depth:
                        break
                elif _RE_OVERRIDE.match(site.lines[deeper]) and not (
                        preload and _RE_OVERRIDE.match(site.lines[deeper]).group(1)):
                    errors.append('%s.takeover: "%s" at %s:%d, inside a section, would decide the mode of some '
                                  'URLs of this virtual host; in_place does not change sections: move it out first'
                                  % (prefix, site.lines[deeper].strip(), vhost['file'], _line_of(site.where, deeper)))
                    return None
    return aindex


def _plan_app(index, app, facts, files, ours_re, errors):
    """Where one present in-place app goes: ``(file, vhost index, alias index, vhost)``; errors appended."""
    prefix = 'modwsgi_apps[%d]' % index
    where = '%s:%s' % (app['server_name'], app['port'])
    vhosts = [v for v in facts['vhosts'] if not ours_re.search(v['file']) and claims(v, app)]
    if len(vhosts) != 1:
        errors.append('%s.takeover: in_place converts the one virtual host that serves %s; %s' % (
            prefix, where, _none_serves(app, facts) if not vhosts else 'there are %d: %s' % (
                len(vhosts), ', '.join('%s:%s' % (v['file'], v['line']) for v in vhosts))))
        return None
    vhost = vhosts[0]
    site = files[vhost['file']]
    vindex = site.original_index(vhost['line'])[0]
    mounts = [m for m in facts['mounts'] if m['server'] == vhost['server'] and m['file'] == vhost['file']
              and m['url'] == app['url_path']]
    if len(mounts) != 1 or mounts[0]['directive'].lower() != 'wsgiscriptalias':
        found = ', '.join('%s at %s:%s' % (m['directive'], m['file'], m['line']) for m in mounts)
        errors.append('%s.url_path: in_place converts a WSGIScriptAlias %s in %s:%s; %s. Use takeover: replace'
                      % (prefix, app['url_path'], vhost['file'], vhost['line'], found or 'there is none'))
        return None
    mount = mounts[0]
    if mount['script'] != app['wsgi_script']:
        errors.append('%s.wsgi_script: %s, but the site mounts %s at %s:%s'
                      % (prefix, app['wsgi_script'], mount['script'], mount['file'], mount['line']))
        return None
    aindex = _check_mount(prefix, app, site, vhost, vindex, mount, files, app['preload'], errors)
    if aindex is None:
        return None
    return site, vindex, aindex, vhost


def _mounts_script(mount, vhost, app):
    """Whether ``mount`` is a ``WSGIScriptAlias`` of the app's script in ``vhost``'s file and name."""
    return (mount['server'], mount['file']) == (vhost['server'], vhost['file']) and \
        mount.get('script') == app['wsgi_script'] and (mount.get('directive') or '').lower() == 'wsgiscriptalias'


def app_vhosts(facts, app, ours_re):
    """Every virtual host, not the role's own, that answers to the app's names (on any port) and
    mounts its script with a ``WSGIScriptAlias``, with those mounts: ``[(vhost, mounts)]``. The
    plan converts each (the app's own, and the others of Certbot's pair); the files to read and
    the restriction rule (:mod:`_collateral`) count the same ones."""
    found = []
    for vhost in facts['vhosts']:
        if ours_re.search(vhost['file']) or not answers_names(vhost, app):
            continue
        mounts = [m for m in facts['mounts'] if _mounts_script(m, vhost, app)]
        if mounts:
            found.append((vhost, mounts))
    return found


def _server_name(lines, vindex, before=None):
    """Whether the ``<VirtualHost>`` at ``vindex`` sets its own ``ServerName`` (before the line
    ``before``, when given)."""
    return any(_RE_SERVER_NAME.match(lines[inner]) for inner in _vhost_range(lines, vindex)
               if before is None or inner < before)


def _plan_companions(index, app, primary, facts, files, ours_re, errors):
    """The other virtual hosts of the app (Certbot's pair): every one, not the role's own and not
    ``primary``, on any port, that answers to the app's names and mounts its script with a
    ``WSGIScriptAlias``. Each selects the app's daemon group, defined in ``primary``.

    :returns: ``[(site, vhost index, [(alias index, preload)], vhost)]`` (``site``: its
        :class:`_File`); errors appended.

    mod_wsgi lets a daemon group defined in a ``<VirtualHost>`` be used only from virtual hosts
    with the same ServerName (or from the one that defines it): ``wsgi_execute_remote`` answers
    500 ("Daemon process called '%s' cannot be accessed by this WSGI application") otherwise, and
    a ``process-group=`` option is refused when Apache reads it ("WSGI process group not
    accessible.", wsgi_add_script_alias; GrahamDumpleton/mod_wsgi src/server/mod_wsgi.c 4.9.4,
    src/server/wsgi_config.c today). A companion with another ServerName is refused.

    ``process-group=`` on a companion's alias is checked when Apache reads that line: the group
    must be defined before it ("WSGI process group not yet configured.") and both virtual hosts
    must have their ServerName by then ("WSGI process group not matchable."). When that does not
    hold, the companion selects the group through its ``<Files>`` block only, which mod_wsgi
    checks per request; the primary's alias preloads the app in the group either way.
    """
    prefix = 'modwsgi_apps[%d]' % index
    psite, pvindex, pvhost = primary[0], primary[1], primary[3]
    pname = pvhost['server'].rsplit(':', 1)[0]
    order = dict(((v['file'], v['line']), number) for number, v in enumerate(facts['vhosts']))
    found = []
    # A virtual host of another script, or of none (a redirect), is not among them: left as it is.
    for vhost, mounts in app_vhosts(facts, app, ours_re):
        if (vhost['file'], vhost['line']) == (pvhost['file'], pvhost['line']):
            continue
        site = files[vhost['file']]
        vindex = site.original_index(vhost['line'])[0]
        inside = _vhost_range(site.lines, vindex)
        mounts = [m for m in mounts if site.original_index(m['line'])[0] in inside]
        if not mounts:
            continue
        name = vhost['server'].rsplit(':', 1)[0]
        if name != pname:
            errors.append(
                '%s.takeover: in_place defines the daemon group %s in %s:%s (ServerName %s), and %s:%s (ServerName %s) '
                'also mounts %s for the app\'s names at %s:%s; mod_wsgi lets only virtual hosts with the same ServerName '
                'use a group defined in a virtual host ("WSGI process group not accessible."): give it ServerName %s, '
                'or remove that mount first' % (
                    prefix, app['name'], pvhost['file'], pvhost['line'], pname, vhost['file'], vhost['line'], name,
                    app['wsgi_script'], mounts[0]['file'], mounts[0]['line'], pname))
            continue
        aliases = []
        for mount in mounts:
            aindex = site.original_index(mount['line'])[0]
            preload = app['preload'] and order[(vhost['file'], vhost['line'])] > order[(pvhost['file'], pvhost['line'])] \
                and _server_name(psite.lines, pvindex) and _server_name(site.lines, vindex, aindex)
            if _check_mount(prefix, app, site, vhost, vindex, mount, files, preload, errors) is None:
                break
            aliases.append((aindex, preload))
        else:
            found.append((site, vindex, aliases, vhost))
    return found


def plan(facts, apps, sources, ours, probe_url, probe_dir, probe=True):
    """The new text of every file that changes, and how to reach each in-place app.

    :param facts: ``ansible_facts.mod_wsgi`` of ``wsgi_facts`` (``vhosts``, ``mounts``,
        ``daemon_groups``).
    :param apps: the role's applications, defaults applied (``takeover`` is ``False``,
        ``replace`` or ``in_place``).
    :param sources: ``{path as wsgi_facts names it: {content, real, mode, owner, group}}`` for
        every path of :func:`files_to_read`; ``real`` is the file a link points to.
    :param ours: a regular expression that matches the files the role writes itself.
    :returns: ``{'files': [{path, content, mode, owner, group, on_change}], 'apps': {name:
        {url, file, files}}}``: only the files whose text changes, and for each present in-place
        application its probe URL, the file of its own virtual host, and every file it converts
        (that one first, then those of its other virtual hosts).
    :raises InPlaceError: naming the application's field and the file:line, before anything
        changes.
    """
    ours_re = re.compile(ours)
    errors = []
    files = {}
    for path in sorted(sources):
        try:
            files[path] = _File(path, sources[path])
        except InPlaceError as exc:
            errors.extend(exc.errors)
    if errors:
        raise InPlaceError(errors)
    reach = {}
    for index, app in enumerate(apps):
        if app['state'] != 'present' or app.get('takeover') != 'in_place':
            continue
        found = _plan_app(index, app, facts, files, ours_re, errors)
        if found is None:
            continue
        site, vindex, aindex, vhost = found
        original = site.lines[aindex]
        indent = _indent(original)
        newline = _newline(site.lines[vindex])
        site.heads.setdefault(vindex, []).extend(head_block(app, indent, newline, probe and probe_url, probe_dir))
        if app['preload']:
            site.aliases[aindex] = alias_block(app, original, indent, newline)
        converted = [vhost['file']]
        for other, oindex, aliases, ovhost in _plan_companions(index, app, found, facts, files, ours_re, errors):
            oindent = _indent(other.lines[aliases[0][0]])
            onewline = _newline(other.lines[oindex])
            other.heads.setdefault(oindex, []).extend(
                companion_block(app, 'the virtual host %s of %s' % (vhost['server'], vhost['file']), oindent, onewline))
            for alias, preload in aliases:
                if preload:
                    line = other.lines[alias]
                    other.aliases[alias] = alias_block(app, line, _indent(line), onewline)
            if ovhost['file'] not in converted:
                converted.append(ovhost['file'])
        # The vhost's TLS as Apache reads it (wsgi_facts: its SSLEngine, from an Include too).
        reach[app['name']] = {'url': probe_address('https' if vhost['tls'] else 'http', app['port'], probe_url,
                                                   app['name']),
                              'file': vhost['file'], 'files': converted}
    if errors:
        raise InPlaceError(errors)
    changed = []
    for path in sorted(files):
        site = files[path]
        content = site.render()
        if content != site.source['content']:
            changed.append({'path': site.source.get('real') or path, 'content': content,
                            'mode': site.source.get('mode') or '0644', 'owner': site.source.get('owner'),
                            'group': site.source.get('group'), 'on_change': 'restart'})
    return {'files': changed, 'apps': reach}


def files_to_read(facts, apps, ours):
    """The files :func:`plan` needs: each present in-place app's virtual host and the other
    virtual hosts that answer to its names and mount its script (Certbot's pair), and every file
    (not the role's own) that defines a daemon group named like one of the apps or mounts a
    script in such a group (the blocks left by an earlier run, a companion's selection too)."""
    ours_re = re.compile(ours)
    names = set(app['name'] for app in apps)
    paths = set(group['file'] for group in facts['daemon_groups']
                if group['name'] in names and group.get('file') and not ours_re.search(group['file']))
    paths.update(mount['file'] for mount in facts['mounts']
                 if mount.get('process_group') in names and mount.get('file') and not ours_re.search(mount['file']))
    for app in apps:
        if app['state'] == 'present' and app.get('takeover') == 'in_place':
            paths.update(v['file'] for v in facts['vhosts'] if not ours_re.search(v['file']) and claims(v, app))
            paths.update(v['file'] for v, dummy in app_vhosts(facts, app, ours_re))
    return sorted(paths)
