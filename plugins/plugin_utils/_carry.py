# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What embedded mode gave an application, carried into the daemon group the role makes for it.

PRIVATE to the collection: this is not a public API and may change at any time.

Runs on the controller, standard library only. Django's deployment guide puts
``WSGIPythonPath /path/to/mysite.com`` at server level; embedded mode applies it, daemon
processes do not (they take ``python-path=`` of their group), so an app converted without it
fails to import its own package. The host reads the server-level directives
(``module_utils/_preflight.py``, ``embedded_python``); :func:`carry` puts each into the daemon
group of every application the role converts from embedded mode, as the field that writes that
option, unless the application sets that field itself:

- ``WSGIPythonPath`` -> ``python_path`` (``python-path=``);
- ``WSGIPythonHome`` -> ``python_home`` (``python-home=``; daemon processes already use the
  server's, so the group only says it);
- ``WSGIPythonEggs`` -> ``daemon_options['python-eggs']`` (``python-eggs=``).

The applications converted: ``takeover: in_place`` (its site's mount ran embedded, or runs in
the group an earlier run made), and ``takeover: replace`` when a mount of a site it takes over
runs embedded, or the role's group of that name already carries the value (a second run).
What cannot be carried as it is, the role refuses before any change, naming file:line and the
field to set: a value inside ``<IfDefine>``, ``<IfVersion>`` (...), several different values,
and a path the role's validation refuses (relative, with a space or a quote). Except
``WSGIPythonHome``: daemon processes use the server's anyway, so one that cannot be carried is
left to them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.modwsgi.apache.plugins.plugin_utils._role_input import RE_ABS_PATH, shown
from ansible_collections.modwsgi.apache.plugins.plugin_utils._takeover import claims

# directive (lower case) -> (its name, the WSGIDaemonProcess option, the application's field).
CARRIED = (
    ('wsgipythonpath', 'WSGIPythonPath', 'python-path', 'python_path'),
    ('wsgipythonhome', 'WSGIPythonHome', 'python-home', 'python_home'),
    ('wsgipythoneggs', 'WSGIPythonEggs', 'python-eggs', 'daemon_options.python-eggs'),
)


def _where(entries):
    return ', '.join('%s:%s' % (entry['file'], entry['line']) for entry in entries)


def _value(lname, entry):
    """``(value, None)``: the field's value for one directive; or ``(None, reason)``."""
    if entry.get('condition'):
        return None, 'it is inside %s, which only Apache decides when it starts' % entry['condition']
    if len(entry['args']) != 1:
        return None, 'it has %d arguments, not one' % len(entry['args'])
    text = entry['args'][0]
    parts = text.split(':') if lname == 'wsgipythonpath' else [text]
    bad = [part for part in parts if not RE_ABS_PATH.match(part)]
    if bad:
        return None, ("%s is not an absolute path as the role writes one (letters, digits, '._@+-'; no "
                      "space, no quote, no '.' or '..')" % shown(bad[0]))
    return (parts if lname == 'wsgipythonpath' else text), None


def server_values(directives):
    """``{directive (lower case): {'name', 'option', 'field', 'entries', 'value', 'problem'}}``
    for each carried directive the configuration has (the role's own files left out):
    ``value`` is what the field gets, or ``problem`` says, with file:line, why it cannot be
    carried."""
    found = {}
    for lname, name, option, field in CARRIED:
        entries = [entry for entry in directives or ()
                   if entry['directive'].lower() == lname and not entry.get('managed')]
        if not entries:
            continue
        values = []
        problem = None
        for entry in entries:
            value, reason = _value(lname, entry)
            if reason:
                problem = 'the server-level %s at %s:%s, and %s' % (name, entry['file'], entry['line'], reason)
                break
            if value not in values:
                values.append(value)
        if problem is None and len(values) > 1:
            problem = 'the server-level %s, set %d times to different values (%s)' % (name, len(entries), _where(entries))
        found[lname] = {'name': name, 'option': option, 'field': field, 'entries': entries,
                        'value': None if problem else values[0], 'problem': problem}
    return found


def _ran_embedded(app, facts):
    """Whether a site that ``takeover: replace`` takes over for ``app`` mounts anything that runs
    in embedded mode."""
    vhosts = [vhost for vhost in facts.get('vhosts') or () if claims(vhost, app)]
    return any(mount.get('mode') == 'embedded' and (mount['server'], mount['file']) == (vhost['server'], vhost['file'])
               for mount in facts.get('mounts') or () for vhost in vhosts)


def _group_carries(app, facts, option, value):
    """Whether the daemon group named like ``app`` already has ``option`` at ``value``."""
    text = ':'.join(value) if isinstance(value, list) else value
    return any(group['name'] == app['name'] and (group.get('options') or {}).get(option) == text
               for group in facts.get('daemon_groups') or ())


def _has_field(app, field):
    if field == 'daemon_options.python-eggs':
        return 'python-eggs' in app['daemon_options']
    return bool(app[field]) if field == 'python_path' else app[field] is not None


def _set_field(app, field, value):
    if field == 'daemon_options.python-eggs':
        app['daemon_options'] = dict(app['daemon_options'], **{'python-eggs': value})
    else:
        app[field] = value


def carry(apps, directives, facts):
    """Carry the server-level directives into the applications the role converts.

    :param apps: the role's applications, normalized (``_role_input.validate``).
    :param directives: ``embedded_python`` of the host's preflight: each ``{directive, args,
        file, line, condition, managed}``.
    :param facts: ``wsgi_facts``' ``mod_wsgi`` of the host (``vhosts``, ``mounts``,
        ``daemon_groups``).
    :returns: ``(apps, carried, errors)``: the applications with the carried fields set (new
        dicts; the others as they were); for each value carried ``{app, index, directive,
        option, value, file, line, message}`` (``message``: the line the role prints); and ``modwsgi_apps[i].field: reason`` for each value
        that cannot be carried.
    """
    values = server_values(directives)
    facts = facts or {}
    result = []
    carried = []
    errors = []
    for index, app in enumerate(apps):
        takeover = app.get('takeover')
        if not values or app.get('state') != 'present' or takeover not in ('in_place', 'replace'):
            result.append(app)
            continue
        app = dict(app)
        for lname, name, option, field in CARRIED:
            found = values.get(lname)
            if found is None or _has_field(app, field):
                continue
            if takeover == 'replace' and not _ran_embedded(app, facts) and not (
                    found['value'] is not None and _group_carries(app, facts, option, found['value'])):
                continue
            prefix = 'modwsgi_apps[%d]' % index
            if found['problem'] and lname == 'wsgipythonhome':
                continue  # daemon processes use the server's WSGIPythonHome anyway, as embedded mode did
            if found['problem']:
                errors.append('%s.%s: %s ran in embedded mode with %s; its daemon group would not have it, and the '
                              'role does not carry it as it is: set %s.%s' % (
                                  prefix, field, app['name'], found['problem'], prefix, field))
                continue
            _set_field(app, field, found['value'])
            last = found['entries'][-1]
            entry = {'app': app['name'], 'index': index, 'directive': name, 'option': option,
                     'value': ':'.join(found['value']) if isinstance(found['value'], list) else found['value'],
                     'file': last['file'], 'line': last['line']}
            entry['message'] = ('%(app)s: %(option)s=%(value)s, from %(directive)s at %(file)s:%(line)s (embedded '
                                'mode applied it; daemon processes take it from their group only)' % entry)
            carried.append(entry)
        result.append(app)
    return result, carried, errors
