# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which existing virtual hosts the daemon_mode role's applications would take over.

PRIVATE to the collection: this is not a public API and may change at any time.

Runs on the controller, standard library only. The input is the ``vhosts`` list of
``modwsgi.apache.wsgi_facts`` (each ``<VirtualHost>`` with the names it answers to, its ports,
file and line) and the role's applications (defaults applied). A virtual host conflicts with an
application when it listens on the application's port (or any port) and answers to its
server_name or one of its aliases, by httpd's own rule (:func:`_httpd_routing.answers_to`).

The result has one entry per file to disable, because a site or conf is enabled or disabled as
a whole: the applications that claim it, whether all of them allow the takeover, and the
virtual hosts in that file that no application claims (disabling the file would stop serving
them, so the role refuses). An application with ``takeover: in_place`` claims nothing here: its
site is kept and converted (:mod:`_inplace`). :func:`refusals` says why the role stops.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.modwsgi.apache.plugins.module_utils._httpd_routing import answers_to


def claims(vhost, app):
    """Whether ``vhost`` answers to the app's server_name (or an alias) on its port, or on port 80
    when the app has ``http_redirect`` (the role writes a port-80 virtual host for those names
    that redirects to https; beside another one, the first loaded would answer)."""
    ports = set([str(app['port'])] + (['80'] if app.get('http_redirect') else []))
    if not ports.intersection(vhost['ports']) and '*' not in vhost['ports']:
        return False
    return answers_names(vhost, app)


def answers_names(vhost, app):
    """Whether ``vhost`` answers to the app's server_name or one of its aliases, on any port."""
    hosts = [app['server_name']] + [a for a in app.get('server_aliases') or [] if '*' not in a]
    return any(answers_to(vhost['names'], host) for host in hosts)


def plan(vhosts, apps, ours, main_files=()):
    """One entry per file holding a virtual host that a present application claims.

    :param vhosts: ``ansible_facts.mod_wsgi.vhosts`` of ``wsgi_facts``.
    :param apps: the applications (``name``, ``server_name``, ``server_aliases``, ``port``,
        ``state``, ``takeover``, ``http_redirect``), in the order of ``modwsgi_apps``.
    :param ours: a regular expression that matches the files the role writes itself.
    :param main_files: Apache's main configuration files, which cannot be disabled.
    """
    if not isinstance(vhosts, list) or not isinstance(apps, list):
        raise TypeError('takeover_plan expects the vhosts list and the applications list')
    ours_re = re.compile(ours)
    files = {}
    order = []
    for vhost in vhosts:
        if ours_re.search(vhost['file']):
            continue
        claimants = [(index, app) for index, app in enumerate(apps)
                     if app.get('state', 'present') == 'present' and app.get('takeover') != 'in_place' and claims(vhost, app)]
        entry = files.get(vhost['file'])
        if entry is None:
            entry = files[vhost['file']] = {
                'file': vhost['file'], 'main_file': vhost['file'] in main_files,
                'apps': [], 'app_indexes': [], 'claimed': [], 'others': [], 'takeover': True}
            order.append(vhost['file'])
        where = '%s:%s (%s)' % (vhost['file'], vhost['line'], vhost['server'])
        if not claimants:
            entry['others'].append(where)
            continue
        entry['claimed'].append(where)
        for index, app in claimants:
            if app['name'] not in entry['apps']:
                entry['apps'].append(app['name'])
                entry['app_indexes'].append(index)
            entry['takeover'] = entry['takeover'] and bool(app.get('takeover'))
    return [files[name] for name in order if files[name]['claimed']]


def refusals(entries, backup_dir):
    """``modwsgi_apps[i].takeover: reason`` for each entry of :func:`plan` the role cannot take over.

    A file is refused when one of its claimants does not allow the takeover, when it is
    Apache's main configuration file, or when it also holds a virtual host that no application
    claims (disabling it would stop serving that one).
    """
    errors = []
    for entry in entries:
        prefix = 'modwsgi_apps[%d].takeover' % entry['app_indexes'][0]
        apps = ', '.join(entry['apps'])
        if not entry['takeover']:
            errors.append('%s: %s would be served by %s, a virtual host this role did not write. Set '
                          'takeover: in_place on %s to convert it to daemon mode where it is, or takeover: '
                          'replace to disable %s (a copy is kept in %s), or remove it first.'
                          % (prefix, apps, ', '.join(entry['claimed']), apps, entry['file'], backup_dir))
        elif entry['main_file'] or entry['others']:
            errors.append('%s: cannot disable %s: %s. Move %s to a file of its own first.' % (
                prefix, entry['file'], "it is Apache's main configuration file" if entry['main_file']
                else 'it also holds %s, which no application takes over' % ', '.join(entry['others']),
                ', '.join(entry['claimed'])))
    return errors
