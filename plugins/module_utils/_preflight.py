# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the host says about the role daemon_mode's input, read in one module call.

PRIVATE to the collection: this is not a public API and may change at any time.

Standard library only (it runs on the managed host). The action plugin
``modwsgi.apache.daemon_mode_preflight`` validates the input on the controller, then runs the
module of the same name, which calls :func:`read_host` once for all applications: whether each
present application's python_home holds pyvenv.cfg and which Python it is, which Python
mod_wsgi is built for, whether its wsgi_script and its tls files are regular files, whether its
user and group exist, which packages are installed, and whether Apache's control script is
there. It only reads. With the settings ``modwsgi_mpm`` and ``modwsgi_service`` it also reads
Apache once (:func:`read_apache`): the virtual hosts it has now, the MPM the role will make
active and whether that step has anything to do, and whether the service runs and starts at
boot; so an idempotent run of the role skips those calls to the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import os
import posixpath
import pwd
import re
import stat

from ansible_collections.modwsgi.apache.plugins.module_utils import _constants, _mpm, _mpm_switch, _wsgi_facts
from ansible_collections.modwsgi.apache.plugins.module_utils._layout import detect, host_path, parse_shell_assignments, read_text
from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_module import module_file, venv_python

# The Python the distribution's mod_wsgi package is built for, and that the role builds
# mod_wsgi with (modwsgi_install: pip): the distribution's python3.
SYSTEM_PYTHON = '/usr/bin/python3'

from ansible_collections.modwsgi.apache.plugins.module_utils import _probe, _probe_secret


def _exists(lookup, name):
    try:
        lookup(name)
        return True
    except KeyError:
        return False


def _dpkg_installed(output):
    """Installed package names from ``dpkg-query -W -f '${Package} ${Architecture} ${db:Status-Abbrev}\\n'``.

    Each is listed bare and with its architecture (``libfoo`` and ``libfoo:amd64``). A package
    is installed when the second letter of its status is ``i`` (``ii``, or ``hi`` when held).
    """
    names = set()
    for line in output.splitlines():
        fields = line.split()
        if len(fields) >= 3 and len(fields[2]) >= 2 and fields[2][1] == 'i':
            names.update((fields[0], '%s:%s' % (fields[0], fields[1])))
    return names


def _rpm_installed(output):
    """Installed package names from ``rpm -q --qf '%{NAME}\\n'`` (the others say "package X is not installed")."""
    return set(line.strip() for line in output.splitlines()
               if line.strip() and not line.startswith('package '))


# Why not Ansible's own reading: ansible.builtin.package_facts is a module, not module_utils, so its
# dpkg and rpm parsers cannot be imported here, and calling it would be a second call to the host
# that lists every package; ansible.builtin.package itself decides nothing in advance (the role's
# package step runs only for the packages found missing here, and then decides).
def installed_packages(run, find_bin, names):
    """``{name: installed?}`` for ``names``, asked of dpkg or rpm in one run; ``None`` when the
    host has neither, or the query failed (the caller then lets the package manager decide)."""
    if not names:
        return {}
    dpkg_query = find_bin('dpkg-query')
    if dpkg_query:
        rc, out, _err = run([dpkg_query, '-W', '-f', '${Package} ${Architecture} ${db:Status-Abbrev}\n'] + list(names))
        installed = _dpkg_installed(out) if rc in (0, 1) else None
    else:
        rpm = find_bin('rpm')
        if not rpm:
            return None
        installed = _rpm_installed(run([rpm, '-q', '--qf', '%{NAME}\n'] + list(names))[1])
    if installed is None:
        return None
    return dict((name, name in installed) for name in names)


def mod_wsgi_python(sysroot='/'):
    """``{version, source}`` of the Python mod_wsgi runs, or ``None`` when the host cannot tell.

    An installed mod_wsgi says it (the libpython it links, or its file name); before mod_wsgi
    is installed, it is the distribution's python3 (Debian's libapache2-mod-wsgi-py3 and
    Fedora's python3-mod_wsgi are built for it, and so is a pip build by the role).
    """
    layout = detect(sysroot)
    found = module_file(None, layout, sysroot) if layout else None
    if found and found['installed'] and found['python']:
        return {'version': found['python']['version'], 'source': 'the Python of %s' % found['path']}
    real = os.path.realpath(os.path.join(sysroot, SYSTEM_PYTHON.lstrip('/')))
    match = re.search(r'python(\d+\.\d+)$', real)
    if match:
        return {'version': match.group(1),
                'source': 'the distribution\'s %s, which its mod_wsgi package is built for' % SYSTEM_PYTHON}
    return None


# How many links :func:`real_path` follows before it gives up (Linux's own limit, MAXSYMLINKS).
_MAX_LINKS = 40


def real_path(path, sysroot='/'):
    """``path`` with every link of every component followed, inside ``sysroot`` (an absolute
    target starts again from ``sysroot``), as ``os.path.realpath`` does on the host itself:
    ``/bin/python3`` is ``/usr/bin/python3.11`` where ``/bin`` links to ``usr/bin``. ``None``
    after too many links (a loop)."""
    parts = path.split('/')
    done = '/'
    links = 0
    while parts:
        part = parts.pop(0)
        if part in ('', '.'):
            continue
        if part == '..':
            done = posixpath.dirname(done)
            continue
        candidate = posixpath.join(done, part)
        where = host_path(sysroot, candidate)
        if os.path.islink(where):
            links += 1
            if links > _MAX_LINKS:
                return None
            target = os.readlink(where)
            parts = target.split('/') + parts
            if target.startswith('/'):
                done = '/'
            continue
        done = candidate
    return done


def interpreter(path, sysroot='/'):
    """``{path, real, version}`` of the Python at ``path`` on the host, or ``None`` when it is
    not a file there. ``real``: :func:`real_path`, the file it is, by which two Pythons are
    compared; ``version``: ``X.Y`` from that file's name (``python3.12``), or ``None``."""
    real = real_path(path, sysroot)
    if real is None or not os.path.isfile(host_path(sysroot, real)):
        return None
    match = re.search(r'python(\d+\.\d+)$', real)
    return {'path': path, 'real': real, 'version': match.group(1) if match else None}


def venv_interpreter(home, sysroot='/'):
    """The Python a virtual environment was made with (:func:`interpreter`), or ``None``.

    From its ``pyvenv.cfg``: ``executable`` (written by Python 3.11 and later), else ``home``
    (the directory of that Python; every version writes it) with ``pythonX.Y`` of the venv's
    ``version`` or ``python3``; else the link ``bin/python``. The version falls back to the
    venv's own (:func:`_wsgi_module.venv_python`). Real files: tests/unit/fixtures/venvs/.
    """
    text = read_text(os.path.join(home, 'pyvenv.cfg'), sysroot)
    if text is None:
        return None
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition('=')
        if sep:
            values[key.strip().lower()] = value.strip()
    version = venv_python(home, sysroot)
    candidates = [values.get('executable')]
    if values.get('home'):
        candidates.extend(os.path.join(values['home'], name)
                          for name in (['python' + version] if version else []) + ['python3'])
    candidates.append(os.path.join(home, 'bin', 'python'))
    for candidate in candidates:
        if not candidate or not candidate.startswith('/'):
            continue
        found = interpreter(candidate, sysroot)
        if found and not found['real'].startswith(home.rstrip('/') + '/'):
            found['version'] = found['version'] or version
            return found
    return None


def pip_pythons(pip, sysroot='/'):
    """What ``modwsgi_install: pip`` needs of the host, for ``pip`` = ``{'python', 'venv'}``:
    ``python``, :func:`interpreter` of the Python it builds with when the applications' venvs
    do not say (the setting ``modwsgi_pip_python``, or the distribution's); ``venv``,
    :func:`venv_interpreter` of ``modwsgi_pip_venv`` (the venv an earlier run made)."""
    return {'python': interpreter(pip['python'], sysroot), 'venv': venv_interpreter(pip['venv'], sysroot)}


def mpm_step(run, find_bin, setting, apache, parsed, sysroot='/', proc_root='/proc'):
    """The role's MPM step, decided from one reading of Apache (:func:`_wsgi_facts.gather_parsed`).

    :returns: ``target``: the MPM to make active (:func:`_mpm.choose`); ``thread_unsafe``: the
        names of the loaded modules that need prefork; ``pending``: whether the ``mpm`` module
        would do anything. That is :func:`_mpm_switch.switch` itself, in check mode: false only
        when it would change no file, need no restart and warn of nothing; true without Apache,
        and when it would refuse (the ``mpm`` task then runs and says why).
    """
    unsafe = [module['name'] for module in apache.get('thread_unsafe_modules') or []]
    target = _mpm.choose(setting, unsafe)
    pending = True
    if apache.get('installed'):
        try:
            done = _mpm_switch.switch(run, find_bin, target, check_mode=True, sysroot=sysroot,
                                      proc_root=proc_root, gathered=(apache, parsed))
            pending = bool(done['changed'] or done['restart_required'] or done['warnings'])
        except _mpm_switch.SwitchError:
            pass  # it would refuse: pending, so that the mpm task runs and says why
    return {'target': target, 'thread_unsafe': unsafe, 'pending': pending}


# Where systemd says it runs (sd_booted(3)); Ansible's service_mgr fact and service_ready ask it.
SYSTEMD_DIR = '/run/systemd/system'

# os-release(5): /etc/os-release, else /usr/lib/os-release.
OS_RELEASE_FILES = ('/etc/os-release', '/usr/lib/os-release')

# The OS families told apart on a host whose facts were not gathered, named as Ansible's setup
# names them (ansible_facts.os_family): the first family that os-release's ID names, then the
# first that a word of its ID_LIKE names (a derivative says what it is like: Rocky "rhel centos
# fedora", Kali "debian"). Real files from many distributions: tests/unit/fixtures/os-release/.
OS_FAMILY_IDS = (
    ('Debian', ('debian', 'ubuntu')),
    ('RedHat', ('rhel', 'centos', 'fedora', 'ol', 'amzn')),
    ('Suse', ('suse', 'sles', 'sled')),
)


def os_family(sysroot='/'):
    """``(family, id)`` of the host from os-release: ``family`` as :data:`OS_FAMILY_IDS` names
    it, or ``None`` for any other OS; ``id`` is os-release's ``ID`` (``None`` without the
    file)."""
    for path in OS_RELEASE_FILES:
        text = read_text(path, sysroot)
        if text is None:
            continue
        values = parse_shell_assignments(text)[0]
        ident = values.get('ID', '').strip().lower() or None
        for words in ([ident], values.get('ID_LIKE', '').lower().split()):
            for family, ids in OS_FAMILY_IDS:
                if any(word in ids for word in words):
                    return family, ident
        return None, ident
    return None, None


def systemctl_path(find_bin, systemd_dir=SYSTEMD_DIR):
    """``systemctl``'s path when systemd runs this host (the directory exists), else ``None``."""
    systemctl = find_bin('systemctl')
    return systemctl if systemctl and os.path.isdir(systemd_dir) else None


# Why not Ansible's collectors (ansible.module_utils.facts: DistributionFactCollector,
# PkgMgrFactCollector, ServiceMgrFactCollector), which could run in this same call: they read the
# host's real root and its release files, while os_family and managers are tested here on real
# files under a sysroot (tests/unit/fixtures/os-release). Where the play gathered facts, the
# action takes Ansible's os_family, pkg_mgr and service_mgr and these are not used for them.
def managers(family, find_bin, systemd_dir=SYSTEMD_DIR):
    """``{'pkg_mgr', 'service_mgr'}``: what Ansible's package and service actions would find
    (the facts of the same names), where the rule is plain; ``auto`` elsewhere, and the action
    then gathers that fact itself. apt on the Debian family with apt-get (Ansible's
    PkgMgrFactCollector); systemd when systemctl exists and systemd runs (ServiceMgrFactCollector
    asks the same). Passed as their ``use``, they save the role a call to the host each."""
    return {
        'pkg_mgr': 'apt' if family == 'Debian' and find_bin('apt-get') else 'auto',
        'service_mgr': 'systemd' if systemctl_path(find_bin, systemd_dir) else 'auto',
    }


# The service step is ansible.builtin.service (systemd here), a module whose rule cannot be
# imported: it is asked here as that module asks it.
def service_ready(run, find_bin, name, systemd_dir=SYSTEMD_DIR):
    """Whether systemd runs the service ``name`` now and starts it at boot, so that the role's
    step "started, enabled" would change nothing. Asked as Ansible's systemd module asks
    (``systemctl is-active``, ``systemctl is-enabled``), and only the plain answers count
    (``active``, ``enabled``): anything else, or a host without systemd, says false and the
    role's service step runs and decides."""
    systemctl = systemctl_path(find_bin, systemd_dir)
    if not name or not systemctl:
        return False
    for verb, answer in (('is-active', 'active'), ('is-enabled', 'enabled')):
        rc, out, dummy = run([systemctl, verb, name])
        if rc != 0 or out.strip() != answer:
            return False
    return True


# The server-level directives that embedded mode applies and daemon processes ignore: a daemon
# process takes its module search path and eggs cache from its group alone (mod_wsgi.c, 4.9.4
# and 5.0.2: ``wsgi_python_path = daemon->group->python_path``, ``wsgi_python_eggs = ...``;
# 6.x wsgi_daemon.c the same), and the docs of WSGIPythonPath and WSGIPythonEggs say so.
# WSGIPythonHome is honoured by daemon processes without a python-home of their own
# (wsgi_interp.c: the server's python_home unless the group has one), so carrying it into the
# group changes nothing; it is listed so that the group says it. The role carries these into
# the daemon group of an application it converts (plugins/plugin_utils/_carry.py).
EMBEDDED_PYTHON_DIRECTIVES = ('WSGIPythonPath', 'WSGIPythonHome', 'WSGIPythonEggs')

# The role's own files start with this (its templates' first line): the WSGIPythonHome of
# modwsgi-pip.load.j2 is the role's, not the user's.
ROLE_MARKER = '# ' + _constants.ROLE_MARKER


def _condition(node):
    """The innermost conditional section that holds ``node``, as written (``<IfDefine
    PRODUCTION>``), or ``None``. ``<IfModule>`` does not count: the loaded modules decide it,
    and the parsed configuration has them."""
    held = [section for section in node.conditions if not section.lower().startswith('<ifmodule')]
    return held[-1] if held else None


def embedded_python(parsed, sysroot='/'):
    """The server-level :data:`EMBEDDED_PYTHON_DIRECTIVES` Apache acts on, in file order: each
    ``{directive, args, file, line, condition, managed}``. ``condition``: the ``<IfDefine>``,
    ``<IfVersion>`` (...) that holds it, in its file or around an ``Include`` that led to it
    (see :func:`_condition`), which Apache decides when it starts; ``managed``: it is in one of
    the role's own files
    (:data:`ROLE_MARKER`)."""
    wanted = set(name.lower() for name in EMBEDDED_PYTHON_DIRECTIVES)
    found = []
    texts = {}
    for node in parsed.server_directives() if parsed is not None else ():
        if node.lname not in wanted:
            continue
        if node.file not in texts:
            texts[node.file] = read_text(node.file, sysroot) or ''
        text = texts[node.file]
        found.append({'directive': node.name, 'args': list(node.args), 'file': node.file, 'line': node.line,
                      'condition': _condition(node), 'managed': text.startswith(ROLE_MARKER)})
    return found


def _account(lookup, ident):
    """The name of a uid or gid, or the number itself when the host has no name for it."""
    try:
        return lookup(ident)[0]
    except KeyError:
        return str(ident)


def read_site(path, sysroot='/'):
    """One site file as ``takeover: in_place`` rewrites it: ``content`` (the text, or ``None``
    when it is not UTF-8: in_place only edits text), ``real`` (the file a link points to, which
    is the one written), and the ``mode``, ``owner`` and ``group`` of that file, which it keeps.
    ``None`` when the file cannot be read."""
    where = os.path.join(sysroot, path.lstrip('/'))
    try:
        real = os.path.realpath(where) if os.path.islink(where) else where
        info = os.stat(real)
        with open(real, 'rb') as handle:
            data = handle.read()
    except (IOError, OSError):
        return None
    try:
        content = data.decode('utf-8')
    except UnicodeDecodeError:
        content = None
    if sysroot != '/':
        real = '/' + os.path.relpath(real, sysroot)
    return {'content': content, 'real': real, 'mode': '%04o' % stat.S_IMODE(info.st_mode),
            'owner': _account(pwd.getpwuid, info.st_uid),
            'group': _account(grp.getgrgid, info.st_gid)}


def site_sources(mod_wsgi, apps, ours, sysroot='/'):
    """The site files that ``takeover: in_place`` may rewrite, read in the same call (see
    :func:`read_site`), by the path ``wsgi_facts`` names: every file (not the role's own, which
    ``ours`` matches) that defines a daemon group named like one of ``apps``, or mounts a script
    in such a group (blocks an earlier run left) and, when a present application has ``takeover: in_place``, every file that holds
    a virtual host. The controller picks the ones its plan needs
    (plugins/plugin_utils/_inplace.py, files_to_read); which virtual host an application claims
    is decided there, so the host reads a few files more rather than a second time."""
    ours_re = re.compile(ours)
    names = set(app['name'] for app in apps)
    paths = set(group['file'] for group in mod_wsgi.get('daemon_groups') or []
                if group['name'] in names and group.get('file'))
    # A virtual host that only selects such a group (the other half of Certbot's pair).
    paths.update(mount['file'] for mount in mod_wsgi.get('mounts') or []
                 if mount.get('process_group') in names and mount.get('file'))
    if any(app.get('state', 'present') == 'present' and app.get('takeover') == 'in_place' for app in apps):
        paths.update(vhost['file'] for vhost in mod_wsgi.get('vhosts') or [])
    found = {}
    for path in sorted(paths):
        if ours_re.search(path):
            continue
        source = read_site(path, sysroot)
        if source is not None:
            found[path] = source
    return found


def read_apache(run, find_bin, mpm, service, sysroot='/', proc_root='/proc', apps=(), ours=None):
    """Apache as the role's later steps need it, from one reading of its configuration.

    :returns: ``existing``: ``{'mod_wsgi': ..., 'apache': ...}``, what ``wsgi_facts`` with
        ``apache_facts`` reports (without the processes); ``mpm``: :func:`mpm_step` for the
        setting ``mpm``; ``service_ready``: :func:`service_ready`; ``embedded_python``:
        :func:`embedded_python`; with ``ours``, ``sites``: :func:`site_sources` for ``apps``.
    """
    mod_wsgi, apache, parsed = _wsgi_facts.gather_parsed(run, find_bin, sysroot, proc_root=proc_root)
    return {
        'existing': {'mod_wsgi': mod_wsgi, 'apache': apache},
        'sites': site_sources(mod_wsgi, apps, ours, sysroot) if ours else {},
        'mpm': mpm_step(run, find_bin, mpm, apache, parsed, sysroot, proc_root),
        'service_ready': service_ready(run, find_bin, service),
        'embedded_python': embedded_python(parsed, sysroot),
    }


def read_host(apps, packages, ctl, run, find_bin, probe_secret=False, pip=None):
    """The host's answers for the present ``apps`` (defaults applied), ``packages`` and ``ctl``.

    :returns: ``venvs``, ``scripts``, ``users``, ``groups``, ``files`` (the tls files):
        ``{name: bool}``; ``venv_pythons``: ``{python_home: "X.Y" or None}``;
        ``mod_wsgi_python``: see :func:`mod_wsgi_python`; ``packages``: ``{name: installed?}``
        or ``None``; ``ctl``: whether Apache's control script exists; ``probe_secret_pending``
        (with ``probe_secret``): whether the probe's secret or digest would be made or mended
        (nothing of the secret itself is returned), so that an idempotent run of the role skips
        that step and its call to the host; ``venv_interpreters``: ``{python_home: the Python
        it was made with}`` (:func:`venv_interpreter`); with ``pip`` (``modwsgi_install: pip``),
        ``pip``: :func:`pip_pythons`.
    """
    present = [app for app in apps if app.get('state', 'present') == 'present']

    def names(field):
        return sorted(set(app[field] for app in present
                          if app.get(field) is not None and not app[field].startswith('#')))
    tls_files = sorted(set(app['tls'][key] for app in present if app.get('tls')
                           for key in ('certificate', 'key', 'chain') if app['tls'].get(key)))
    homes = names('python_home')
    return {
        'venvs': dict((home, os.path.isfile(os.path.join(home, 'pyvenv.cfg'))) for home in homes),
        'venv_pythons': dict((home, venv_python(home)) for home in homes),
        'venv_interpreters': dict((home, venv_interpreter(home)) for home in homes),
        'pip': pip_pythons(pip) if pip else None,
        'mod_wsgi_python': mod_wsgi_python() if homes else None,
        'files': dict((path, os.path.isfile(path)) for path in tls_files),
        'scripts': dict((path, os.path.isfile(path)) for path in names('wsgi_script')),
        'users': dict((name, _exists(pwd.getpwnam, name)) for name in names('user')),
        'groups': dict((name, _exists(grp.getgrnam, name)) for name in names('group')),
        'packages': installed_packages(run, find_bin, packages),
        'ctl': os.path.exists(ctl),
        'probe_secret_pending': probe_secret and _probe_secret.pending(_probe.SECRET_FILE, _probe.DIGEST_FILE),
    }


def preflight(apps, families, run, find_bin, family=None, mpm=None, probe_secret=False, ours=None):
    """Everything the role's preflight asks of the host, in one module call.

    :param families: ``{os_family: {'ctl', 'service', 'packages', 'conflicts', 'pip'}}``: what
        the role needs of each OS family it supports, with the user's settings already applied
        (the action plugin computes it on the controller); ``pip`` (``modwsgi_install: pip``
        only): ``{'python', 'venv'}``, see :func:`pip_pythons`.
    :param family: ``ansible_facts.os_family`` when the play gathered facts; otherwise the host
        says it (:func:`os_family`).
    :param ours: a regular expression of the files the role writes; with it, the site files
        ``takeover: in_place`` rewrites are read too (:func:`site_sources`).
    :returns: :func:`read_host`'s answers, with :func:`read_apache`'s when ``mpm`` is given,
        and ``os``: ``{'family', 'id'}`` and, for a family in ``families``, :func:`managers`.
        For another family only ``os`` is returned (the action refuses the host).
    """
    ident = None
    if not family:
        family, ident = os_family()
    found = {'family': family, 'id': ident}
    chosen = families.get(family)
    if chosen is None:
        return {'os': found}
    found.update(managers(family, find_bin))
    host = read_host(apps, list(chosen['packages']) + list(chosen['conflicts']), chosen['ctl'], run, find_bin,
                     probe_secret, chosen.get('pip'))
    host['os'] = found
    if mpm:
        host.update(read_apache(run, find_bin, mpm, chosen['service'], apps=apps, ours=ours))
    return host
