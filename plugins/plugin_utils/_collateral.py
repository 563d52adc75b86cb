# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The embedded applications a run of the role daemon_mode leaves embedded, and the 500s that
``WSGIRestrictEmbedded On`` would give them: the rule of ``modwsgi_restrict_embedded_accept``.

PRIVATE to the collection: this is not a public API and may change at any time.

Runs on the controller, standard library and ansible-core only. The input is what Apache serves
before the run (``wsgi_facts``' ``mounts`` and ``vhosts``, read once by the preflight module) and
the role's normalized input. ``modwsgi_restrict_embedded: true`` writes ``WSGIRestrictEmbedded
On`` for the whole server: from then on every mount that still runs embedded answers 500
(``embedded_restricted``). The action ``modwsgi.apache.daemon_mode_preflight`` calls
:func:`collateral` before anything changes, and refuses the run unless the user has listed each
such mount in ``modwsgi_restrict_embedded_accept`` or set ``modwsgi_restrict_embedded: false``.

A mount is converted by the run, and so not listed, when:

- it is in a file that ``takeover: replace`` disables (:func:`_takeover.plan`; a claimed file the
  role may not disable is refused by that rule, naming it);
- ``takeover: in_place`` converts it: the marked block of an application selects its group for
  every mount of its ``wsgi_script`` in its virtual host, and in each other virtual host that
  answers to its names and mounts that script with a ``WSGIScriptAlias`` (:mod:`_inplace`);
- it is in a file the role writes itself (``ours``): those are rewritten or removed.

A mount that runs in the group of an application now ``state: absent`` in a file the role did
not write is the site of an application converted in place: removing its block gives the site
its original line back, and with it embedded mode. It is listed too.

An acknowledgement names a mount so that it survives edits to the file: ``SERVER:PORT/URL``
(the virtual host as ``wsgi_facts`` labels it, ``*`` for one without a name, and the URL path
the application is mounted at), or the absolute path of its script. Entries that name no such
mount are refused: a stale entry would hide the next unconverted application.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.modwsgi.apache.plugins.plugin_utils._role_input import (
    RE_ABS_PATH, RE_MOUNT_KEY, RE_URL_PATH, mount_key, shown)
from ansible_collections.modwsgi.apache.plugins.plugin_utils._inplace import app_vhosts
from ansible_collections.modwsgi.apache.plugins.plugin_utils._takeover import claims, plan

SETTING = 'modwsgi_restrict_embedded_accept'


def keys(mount):
    """The acknowledgements that name ``mount``: ``SERVER:PORT/URL`` (when its URL is a plain
    path) and its script (when that is an absolute path), as :func:`_role_input.mount_key`
    normalizes them."""
    found = []
    url = mount.get('url')
    if url and RE_URL_PATH.match(url.rstrip('/') or '/'):
        key = mount_key('%s%s' % (mount['server'], url.rstrip('/') or '/'))
        if RE_MOUNT_KEY.match(key):
            found.append(key)
    if mount.get('script') and RE_ABS_PATH.match(mount['script']):
        found.append(mount['script'])
    return found


def _converted_in_place(mounts, vhosts, apps, ours_re):
    """The indexes of the mounts that ``takeover: in_place`` puts in an application's group."""
    done = set()
    for app in apps:
        if app['state'] != 'present' or app.get('takeover') != 'in_place':
            continue
        servers = set(v['server'] for v in vhosts if not ours_re.search(v['file']) and claims(v, app))
        done.update(index for index, mount in enumerate(mounts)
                    if mount['server'] in servers and mount.get('script') == app['wsgi_script'])
        # The other virtual hosts of the app (Certbot's pair) select its group too.
        for dummy, selected in app_vhosts({'vhosts': vhosts, 'mounts': mounts}, app, ours_re):
            done.update(index for index, mount in enumerate(mounts) if mount in selected)
    return done


def left_embedded(facts, apps, ours, probe_url):
    """Every mount that runs embedded after the run: each is a mount of ``wsgi_facts``
    (``server``, ``url``, ``script``, ``directive``, ``file``, ``line``) with ``keys`` (the
    acknowledgements that name it) and ``why``: ``embedded`` (it runs so now), or ``restored``
    (the block of an absent application converted in place goes, and the site's line with it)."""
    ours_re = re.compile(ours)
    mounts = [m for m in facts.get('mounts') or [] if not ours_re.search(m.get('file') or '')]
    vhosts = facts.get('vhosts') or []
    disabled = set(entry['file'] for entry in plan(vhosts, apps, ours))
    in_place = _converted_in_place(mounts, vhosts, apps, ours_re)
    absent = set(app['name'] for app in apps if app['state'] == 'absent')
    left = []
    for index, mount in enumerate(mounts):
        url = mount.get('url') or ''
        if index in in_place or mount.get('file') in disabled or (url + '/').startswith(probe_url + '/'):
            continue
        if mount.get('mode') == 'embedded':
            why = 'embedded'
        elif mount.get('mode') == 'daemon' and mount.get('process_group') in absent:
            why = 'restored'
        else:
            continue
        entry = dict((field, mount.get(field)) for field in ('server', 'url', 'script', 'directive', 'file', 'line'))
        entry.update(keys=keys(mount), why=why)
        left.append(entry)
    return left


def _describe(mount):
    return '%s%s (%s %s at %s:%s%s)' % (
        mount['server'], mount['url'] if mount['url'] is not None else ' (no URL)', mount['directive'],
        mount['script'], mount['file'], mount['line'],
        ', embedded again once the block of its absent application goes' if mount['why'] == 'restored' else '')


def collateral(facts, apps, settings, ours, probe_url):
    """The rule: what the run leaves embedded, and why the role refuses it.

    :param facts: ``wsgi_facts``' ``mod_wsgi`` before the run (``mounts``, ``vhosts``).
    :param apps: the normalized applications (:func:`_role_input.validate`).
    :param settings: the normalized settings; ``modwsgi_restrict_embedded`` (true when not
        given) and ``modwsgi_restrict_embedded_accept`` (``[]`` when not given).
    :param ours: a regular expression that matches the files the role writes itself.
    :returns: ``(left, errors)``: :func:`left_embedded`, each with ``accepted`` (an entry of the
        setting names it); and ``modwsgi_xxx: reason`` for each entry that names none of them,
        and, with ``WSGIRestrictEmbedded On``, one error naming every mount not accepted.
    """
    accepted = settings.get(SETTING) or []
    restrict = settings.get('modwsgi_restrict_embedded', True)
    left = left_embedded(facts, apps, ours, probe_url)
    errors = []
    for mount in left:
        mount['accepted'] = any(key in accepted for key in mount['keys'])
    named = set(key for mount in left for key in mount['keys'])
    for index, entry in enumerate(accepted):
        if entry not in named:
            errors.append('%s[%d]: %s names no embedded application that this run leaves embedded; remove it'
                          % (SETTING, index, shown(entry)))
    unaccepted = [mount for mount in left if not mount['accepted']]
    if restrict and unaccepted:
        example = next((mount['keys'][0] for mount in unaccepted if mount['keys']), None)
        errors.append(
            'modwsgi_restrict_embedded: true writes WSGIRestrictEmbedded On, and every request to these '
            'applications, which run in embedded mode and which this run does not convert, would answer 500: '
            '%s. Convert them (list them in modwsgi_apps), accept the 500s by listing them in %s%s, or set '
            'modwsgi_restrict_embedded: false' % (
                '; '.join(_describe(mount) for mount in unaccepted), SETTING,
                ' (as SERVER:PORT/URL or script, for example %s)' % shown(example) if example else ''))
    return left, errors
