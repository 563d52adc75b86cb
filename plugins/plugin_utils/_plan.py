# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The plan of the role daemon_mode: every file, link and removal, the takeovers, the restart
or reload, and what to verify, as one value.

PRIVATE to the collection: this is not a public API and may change at any time.

Runs on the controller. The action ``modwsgi.apache.daemon_mode_preflight`` validates the
input, reads the host once, and calls :func:`build` with what it found; the role's tasks then
only apply the plan. Templates stay templates: :func:`build` takes a ``render(name, extra)``
function, and the action renders the role's templates (which a user may override) with it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

from ansible_collections.modwsgi.apache.plugins.module_utils._constants import MPMS, ROLE_MARKER
from ansible_collections.modwsgi.apache.plugins.module_utils._mpm_sizing import mpm_sizing
from ansible_collections.modwsgi.apache.plugins.plugin_utils import _inplace, _takeover
from ansible_collections.modwsgi.apache.plugins.plugin_utils._role_input import RE_ABS_PATH

# The files this role writes, which are never taken over nor converted in place.
OURS = '/modwsgi-[^/]+[.]conf$'
# Where the probe's script lives on the host.
PROBE_DIR = '/usr/local/share/modwsgi-probe'
TUNING_FILE = 'modwsgi-mpm-tuning.conf'
# The most any MPM directive of the sizing may be (ServerLimit's hard limit in Apache is 200000).
SIZING_MAX = 200000


class PlanError(Exception):
    """The plan is refused; ``errors`` lists every ``field: reason``."""

    def __init__(self, errors):
        self.errors = list(errors)
        super(PlanError, self).__init__('; '.join(self.errors))


def _link(enabled_dir, target_dir, name, **extra):
    """A link ``enabled_dir/name`` -> ``../<basename of target_dir>/name``, as a2ensite makes it."""
    link = {'path': '%s/%s' % (enabled_dir, name), 'src': '../%s/%s' % (posixpath.basename(target_dir), name)}
    link.update(extra)
    return link


def sizing(apps, setting):
    """``mpm_sizing`` of ``apps`` with ``modwsgi_mpm_tuning: auto``, checked; ``None`` otherwise."""
    if setting != 'auto':
        return None
    found = mpm_sizing(apps)
    for mpm in MPMS:
        values = list(found[mpm].values())
        if not all(isinstance(value, int) and 1 <= value <= SIZING_MAX for value in values):
            raise PlanError(['modwsgi_mpm_tuning: the %s sizing is not whole numbers in range: %r' % (mpm, found[mpm])])
    return found


def _directives(values):
    return ', '.join('%s %s' % (key, value) for key, value in values.items())


def in_place(facts, apps, sources, takeovers, probe_url, probe, backup_dir):
    """The sites converted in place: ``(files, reach)`` as :func:`_inplace.plan` gives them.

    :param sources: what the host read of the site files (module_utils/_preflight.py,
        site_sources); only those the plan needs are used.
    :raises PlanError: every refusal of a takeover (:func:`_takeover.refusals`) and of a
        conversion, naming the field, the file and the line.
    """
    errors = _takeover.refusals(takeovers, backup_dir)
    wanted = _inplace.files_to_read(facts, apps, OURS)
    missing = [path for path in wanted if path not in sources]
    if missing:
        errors.extend('%s: cannot be read on the host; in_place needs its text' % path for path in missing)
    texts = [path for path in wanted if path in sources and sources[path]['content'] is None]
    errors.extend('%s: is not UTF-8 text; in_place only edits text files' % path for path in texts)
    if errors:
        raise PlanError(errors)
    try:
        found = _inplace.plan(facts, apps, dict((path, sources[path]) for path in wanted), OURS, probe_url,
                              PROBE_DIR, probe)
    except _inplace.InPlaceError as exc:
        raise PlanError(exc.errors)
    return found['files'], found['apps']


def verify_targets(apps, reach, probe_url, vhosts=(), layout=None):
    """What the verify and reload steps ask of each present application: its name, where its
    site is (``server_name``, ``port``, ``url_path``), the probe request (``url``,
    ``validate_certs``: :func:`_inplace.probe_target`), the ``processes`` and ``threads`` its
    daemon group must run, its own URLs to request (``checks``: each ``path`` of its ``verify``
    field, by default its ``url_path``, at the probe's scheme and port, with the statuses it
    accepts) and the error logs to quote when one fails (``error_logs``: its virtual host's
    as vhost.conf.j2 writes it, and Apache's own)."""
    targets = []
    for app in apps:
        if app['state'] != 'present':
            continue
        target = _inplace.probe_target(app, reach, probe_url)
        target.update((key, app[key]) for key in ('name', 'server_name', 'port', 'url_path', 'wsgi_script'))
        target.update(processes=int(app['processes']), threads=int(app['threads']))
        base = target['url'].split('/', 3)[:3]
        target['checks'] = [{'url': '/'.join(base) + check['path'], 'status': check['status']}
                            for check in app.get('verify') or [{'path': app['url_path'], 'status': []}]]
        logs = [vhost['error_log'] if vhost.get('error_log') is not None
                else '%s/modwsgi-%s-error.log' % (layout['log_dir'], vhost['file'])
                for vhost in vhosts if app['name'] in [other['name'] for other in vhost['apps']]]
        target['error_logs'] = logs + ([layout['error_log']] if layout and layout.get('error_log') else [])
        targets.append(target)
    return targets


def record_before(apps, targets):
    """The URLs whose answers ``config_files`` records before it writes: the checks of each
    application whose site exists already (``takeover``: ``in_place`` or ``replace``)."""
    taking = set(app['name'] for app in apps if app.get('takeover') in ('in_place', 'replace'))
    return [{'url': check['url'], 'host': target['server_name']}
            for target in targets if target['name'] in taking for check in target['checks']]


def files(plan, layout, render, probe_script):
    """Every file, link and removal that the role's one transaction (``config_files``) applies.

    :param plan: the plan so far: ``settings``, ``vhosts``, ``retired``, ``takeovers``,
        ``in_place_files``, ``sizing``, ``preview``.
    :param layout: the host's OS family in the role's table (its ``conf_dir`` and the others).
    :param render: ``render(template, extra_vars)``: the text of one of the role's templates.
    :param probe_script: the text of the probe's script (the role's files/probe.wsgi).
    :returns: ``(files, links, absent)``, in the order the role always wrote them.
    """
    settings = plan['settings']
    package_mode = settings.get('modwsgi_install', 'package') == 'package'
    conf_dir, conf_enabled = layout['conf_dir'], layout['conf_enabled_dir']
    site_dir, site_enabled = layout['site_dir'], layout['site_enabled_dir']
    written, links, absent = [], [], []
    if settings.get('modwsgi_probe', True):
        written.append({'path': PROBE_DIR + '/probe.wsgi', 'content': probe_script})
    written.append({'path': conf_dir + '/modwsgi.conf', 'content': render('modwsgi.conf.j2', {})})
    if conf_enabled is not None:
        links.append(_link(conf_enabled, conf_dir, 'modwsgi.conf'))
    # ServerLimit and ThreadLimit only change at a full restart: any change of the sizing restarts.
    tuning = conf_dir + '/' + TUNING_FILE
    if plan['sizing'] is not None:
        written.append({'path': tuning, 'on_change': 'restart', 'content': render('mpm_tuning.conf.j2', {})})
        if conf_enabled is not None:
            links.append(_link(conf_enabled, conf_dir, TUNING_FILE, on_change='restart'))
    else:
        if conf_enabled is not None:
            absent.append({'path': conf_enabled + '/' + TUNING_FILE, 'backup': False, 'on_change': 'restart'})
        absent.append({'path': tuning, 'backup': False, 'on_change': 'restart'})
    # A module is only loaded at a full restart: mod_wsgi kept enabled (package), the ssl module
    # enabled for an application with tls, a mod_wsgi built with pip by an earlier run unloaded.
    if package_mode and not plan['preview']:
        links.extend(dict(link, on_change='restart') for link in layout['module_links'])
    elif not package_mode:
        # pip: the distribution's mod_wsgi is removed, and the links that enabled it go.
        absent.extend({'path': link['path'], 'backup': False, 'on_change': 'restart'} for link in layout['module_links'])
    if any(vhost['tls'] for vhost in plan['vhosts']) and not plan['preview']:
        links.extend(dict(link, on_change='restart') for link in layout['ssl_links'])
    if package_mode:
        if layout['pip_load_enabled_dir']:
            absent.append({'path': '%s/%s' % (layout['pip_load_enabled_dir'], layout['pip_load_file']),
                           'backup': False, 'on_change': 'restart'})
        absent.append({'path': '%s/%s' % (layout['pip_load_dir'], layout['pip_load_file']),
                       'backup': False, 'on_change': 'restart'})
    # One file per server_name:port, named after its first application, with all its applications.
    for vhost in plan['vhosts']:
        name = 'modwsgi-%s.conf' % vhost['file']
        written.append({'path': '%s/%s' % (site_dir, name), 'content': render('vhost.conf.j2', {'vhost': vhost})})
        if site_enabled is not None:
            links.append(_link(site_enabled, site_dir, name))
    # An absent application's file, or one now served from another application's file, goes.
    for name in plan['retired']:
        if site_enabled is not None:
            absent.append({'path': '%s/modwsgi-%s.conf' % (site_enabled, name)})
        absent.append({'path': '%s/modwsgi-%s.conf' % (site_dir, name)})
    # The sites converted in place (or restored), whole-file: only the marked blocks differ.
    written.extend(plan['in_place_files'])
    # A restart, not a graceful reload: children of the old generation that ran an application
    # embedded can linger for a long time after a graceful reload, each holding its copy.
    absent.extend({'path': entry['file'], 'on_change': 'restart'} for entry in plan['takeovers'])
    return written, links, absent


def notes(plan, layout):
    """What the role says before it changes anything, one line each: what embedded mode gave the
    applications and is carried into their daemon groups, why the MPM stays prefork, how it is
    sized; in check mode, the packages a real run would install or remove; in check mode on a
    host without Apache (``preview``), what a real run would do there."""
    settings = plan['settings']
    lines = [entry['message'] for entry in plan['carried']]
    target, unsafe = plan['mpm_target'], plan['thread_unsafe']
    if settings.get('modwsgi_mpm', 'auto') == 'auto' and target == 'prefork' and not plan['preview']:
        lines.append('modwsgi_mpm=auto: keeping prefork, because %s %s loaded and not thread-safe. The applications '
                     'still run in daemon mode, with their own threads.'
                     % (', '.join(unsafe), 'is' if len(unsafe) == 1 else 'are'))
    found = plan['sizing']
    if found is not None:
        lines.append("modwsgi_mpm_tuning=auto: the daemon capacity of the applications is %s threads, so the %s MPM "
                     "gets %s (mod_wsgi-express's sizing rule)." % (found['capacity'], target, _directives(found[target])))
    pip = plan.get('pip')
    if pip and pip['rebuild']:
        lines.append('modwsgi_install=pip: %s is a venv of %s; it is made again, and mod_wsgi built in it, with %s'
                     % (settings.get('modwsgi_pip_venv'), pip['venv_python'], pip['source']))
    if plan['check_mode'] and plan['missing_packages']:
        lines.append('would install %s' % ', '.join(plan['missing_packages']))
    if plan['check_mode'] and plan['present_conflicts']:
        lines.append('would remove %s' % ', '.join(plan['present_conflicts']))
    if plan['preview']:
        lines.extend([
            'install %s, enable mod_wsgi, start and enable %s' % (', '.join(settings['modwsgi_packages']),
                                                                  settings['modwsgi_service']),
            'make the MPM %s active (auto picks event; prefork is kept only when a thread-unsafe module is loaded)'
            % target,
            ('size the MPM for %s daemon threads in %s/%s: %s' % (found['capacity'], layout['conf_dir'], TUNING_FILE,
                                                                  _directives(found[target])))
            if found is not None else 'leave the MPM sizing to Apache (modwsgi_mpm_tuning is false)',
            'test the configuration, restart Apache, and probe each application'])
    return lines


def build(plan, host, layout, render, probe_script, probe_url):
    """The whole plan: ``plan`` (the action's validated input and host reading) with
    ``takeovers``, ``in_place`` (``{name: {url, file}}``), ``sizing``, ``files``, ``links``,
    ``absent``, ``verify`` and ``notes`` added.

    :param host: the host module's answer (``existing``, ``sites``).
    :raises PlanError: what the existing virtual hosts contradict, before anything changes.
    """
    settings, apps = plan['settings'], plan['apps']
    # Without Apache, wsgi_facts has no virtual hosts, mounts or daemon groups.
    facts = dict({'vhosts': [], 'mounts': [], 'daemon_groups': []}, **(host['existing'].get('mod_wsgi') or {}))
    plan['takeovers'] = _takeover.plan(facts['vhosts'], apps, OURS, layout['main_files'])
    in_place_files, reach = in_place(facts, apps, host.get('sites') or {}, plan['takeovers'], probe_url,
                                     settings.get('modwsgi_probe', True), settings.get('modwsgi_backup_dir'))
    plan.update(in_place=reach, in_place_files=in_place_files, sizing=sizing(apps, settings.get('modwsgi_mpm_tuning')),
                marker=ROLE_MARKER, probe_url=probe_url, probe_dir=PROBE_DIR, layout=layout, mpms=list(MPMS),
                # What mod_wsgi-express module-config must print as the module's path (install_pip.yml).
                abs_path_re=RE_ABS_PATH.pattern,
                # modwsgi_install: pip: the CA bundle pip trusts; null is the host's own store.
                pip_cert=layout.get('pip_cert') if settings.get('modwsgi_pip_cert') is None
                else settings['modwsgi_pip_cert'])
    for vhost in plan['vhosts']:
        for app in vhost['apps']:
            app['daemon_process_options'] = _inplace.daemon_options(app)
    plan['files'], plan['links'], plan['absent'] = files(plan, layout, render, probe_script)
    del plan['in_place_files']
    plan['verify'] = verify_targets(apps, reach, probe_url, plan['vhosts'], layout)
    plan['record'] = record_before(apps, plan['verify'])
    plan['notes'] = notes(plan, layout)
    return plan
