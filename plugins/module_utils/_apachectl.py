# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsers for what ``httpd``/``apachectl`` print, and a runner for them.

PRIVATE to the collection: this is not a public API and may change at any time.

The parsers take the text of ``-V``, ``-M``, ``-S``, ``-v`` and ``-l`` (always produced under
``LANG=C``) and return plain dicts; they never raise on odd input. :func:`run` runs a list
argv in the C locale for an ``AnsibleModule``; :func:`start` starts the runs that the facts
read.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import subprocess
import threading

from ansible_collections.modwsgi.apache.plugins.module_utils import _layout

C_LOCALE = {'LANG': 'C', 'LC_ALL': 'C', 'LC_MESSAGES': 'C'}

_VERSION_RE = re.compile(r'^Server version:\s*(?P<full>\S+/(?P<version>[0-9][0-9.]*)\S*(?:\s.*)?)$',
                         re.M)
_KV_RE = re.compile(r'^\s*-D\s+(?P<name>[A-Za-z0-9_]+)(?:="?(?P<value>.*?)"?)?\s*$')
_MODULE_RE = re.compile(r'^\s+(?P<name>[A-Za-z0-9_]+)\s+\((?P<kind>static|shared)\)\s*$')
_RUNCFG_RE = re.compile(r'^(?P<key>ServerRoot|Main DocumentRoot|Main ErrorLog|PidFile|Define|User|Group'
                        r'|Mutex [^:]+):\s*(?P<value>.*)$')
_VHOST_PATTERNS = (
    ('default', re.compile(r'^\s+default server (?P<name>\S+) \((?P<file>.+):(?P<line>\d+)\)$')),
    ('namevhost', re.compile(r'^\s+port (?P<port>\d+) namevhost (?P<name>\S+) '
                             r'\((?P<file>.+):(?P<line>\d+)\)$')),
    ('single', re.compile(r'^(?P<addr>\S+)\s+(?P<name>\S+) \((?P<file>.+):(?P<line>\d+)\)$')),
)
_ALIAS_RE = re.compile(r'^\s+(?:wild )?alias (?P<alias>\S+)$')
# The banner, as a C string in the binary: "Apache/2.4.62 (Debian)", then NUL.
_BANNER_RE = re.compile(br'Apache/[0-9]+\.[0-9]+\.[0-9]+[^\0\s()]* \([^\0()]*\)(?=\0)')

# Lines httpd prints on stderr that are not errors (ServerName guessing, and the like), and
# the two lines Debian's apache2ctl adds on stdout after a failed action.
_NOISE_RE = re.compile(r"^AH00558:|^AH00557:|^Syntax OK$|^Action '[^']*' failed\.$"
                       r'|^The Apache error log may have more information\.$')


def run(module, argv, check_rc=False):
    """Run ``argv`` (a list, no shell) in the C locale and return ``(rc, stdout, stderr)``.

    Not ``module.run_command``: that one always hands Popen a ``preexec_fn`` (for its
    ``umask`` option), and a ``preexec_fn`` makes CPython fork the whole module process
    instead of spawning with vfork (CPython 3.10+, ``_posixsubprocess``): about 4 ms more per
    command on the bench host, for each httpd run. What else run_command adds (a shell,
    stdin data, prompts, ``~`` and ``$VAR`` expansion in the argv) is not used here; the
    environment, the decoding, and the failure on a command that cannot be run are its own.
    Popen restores SIGPIPE for the child itself (``restore_signals``).
    """
    env = dict(os.environ)
    env.update(C_LOCALE)
    try:
        # Deliberately not run_command (see above): ansible-core 2.21's pylint says to call it.
        process = subprocess.Popen(  # pylint: disable=ansible-bad-function
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        stdout, stderr = process.communicate()
    except OSError as exc:
        module.fail_json(rc=exc.errno, stdout='', stderr='', msg='Error executing command.',
                         cmd=' '.join(argv))
    stdout = stdout.decode('utf-8', 'surrogateescape')
    stderr = stderr.decode('utf-8', 'surrogateescape')
    if process.returncode != 0 and check_rc:
        module.fail_json(cmd=' '.join(argv), rc=process.returncode, stdout=stdout, stderr=stderr,
                         msg=stderr.rstrip())
    return process.returncode, stdout, stderr


def start_all(run, argvs):
    """Start the independent, read-only ``argvs`` at once with ``run``; return ``wait``, which
    returns their ``(rc, stdout, stderr)`` in the same order once every run has ended.

    Each httpd run loads every module and reads the whole configuration, and the runs do not
    depend on each other: at once, they take about the time of the slowest instead of the sum,
    and the caller can do other work until it calls ``wait``. An exception in a run
    (``fail_json`` exits with ``SystemExit``) is raised by ``wait``, in its caller's thread,
    after every run has ended.
    """
    results = [None] * len(argvs)
    errors = []

    def one(index):
        try:
            results[index] = run(argvs[index])
        except BaseException as exc:  # pylint: disable=broad-except  # re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(index,)) for index in range(len(argvs))]
    for thread in threads:
        thread.start()

    def wait():
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return results
    return wait


def run_all(run, argvs):
    """:func:`start_all`, waited for: the ``(rc, stdout, stderr)`` of each of ``argvs``."""
    return start_all(run, argvs)()


def start(run, find_bin, sysroot='/', binary=None):
    """Locate Apache and start the httpd runs that ``_facts.gather`` reads, without waiting for
    them: ``{'located': ..., 'built': ..., 'wait': ...}`` (all ``None`` without Apache):
    ``built`` is what -v would tell when the binary tells it (:func:`banner_version`), and
    ``wait`` returns the outputs of ``-v`` or ``-V`` (unless ``built`` says it all), then of
    ``-S -M``.

    A module calls it before it imports the rest of what it needs, so that httpd reads its
    configuration meanwhile (AnsiballZ compiles each module_util from source on every call).
    """
    located = _layout.locate(find_bin, sysroot, binary)
    if located is None:
        return {'located': None, 'built': None, 'wait': None}
    direct = located['binary'] or located['runner']
    # Two httpd runs at once. -S and -M in one (-D DUMP_VHOSTS -D DUMP_RUN_CFG -D DUMP_MODULES):
    # httpd loads its modules and reads the configuration once for both; each parser skips the
    # other's lines. And -v, which prints the version and exits before reading anything.
    # -V would read the configuration and load every module a second time: with a loadable MPM,
    # httpd's server/main.c defers -V until the configuration is read ("deferred due to
    # dynamically loaded MPM"). What else -V tells is known without it: the MPM is in -M, and
    # Debian, RedHat and SUSE fix the configuration's path. Only a source build, whose paths
    # are its own (HTTPD_ROOT, SERVER_CONFIG_FILE), runs -V; its MPM is mostly compiled in,
    # and then -V exits at once.
    #
    # The version that -v prints is read from the binary first (banner_version): one httpd run
    # instead of two, where the binary holds it.
    built = {}
    if located['layout'] == 'source':
        argvs = [[located['runner'], '-V']]
    else:
        built = banner_version(_layout.read_bytes(direct, sysroot))
        argvs = [] if built else [[direct, '-v']]
    return {'located': located, 'built': built,
            'wait': start_all(run, argvs + [[located['runner'], '-S', '-M']])}


def host_access(module):
    """``(run, find_bin, binary)`` for the gatherers, bound to an ``AnsibleModule``.

    ``run`` runs a list argv in the C locale; ``find_bin`` looks in ``PATH`` and the layouts'
    sbin directories; ``binary`` is the module's ``binary`` option, refused when it is not an
    executable file.
    """
    binary = module.params.get('binary')
    if binary and not os.access(binary, os.X_OK):
        module.fail_json(msg='binary: %s is not an executable file' % binary)
    return (lambda argv: run(module, argv),
            lambda name: module.get_bin_path(name, opt_dirs=_layout.BIN_DIRS),
            binary)


def parse_version(text):
    """Parse ``-v`` (or the top of ``-V``): ``{'version': '2.4.62', 'server_version': ...}``."""
    match = _VERSION_RE.search(text or '')
    if not match:
        return {}
    result = {'version': match.group('version'), 'server_version': match.group('full').strip()}
    built = re.search(r'^Server built:\s*(.+)$', text, re.M)
    if built:
        result['built'] = built.group(1).strip()
    return result


def banner_version(data):
    """What ``-v`` tells (``version``, ``server_version``), read from the bytes of the httpd
    binary; ``{}`` unless it holds exactly one banner.

    httpd's ``-v`` prints ``ap_get_server_description()`` and exits before it reads any
    configuration (server/main.c); until the configuration is read, that is the literal
    ``AP_SERVER_BASEVERSION " (" PLATFORM ")"`` (server/core.c), which the compiler stores
    whole in the binary: the line ``-v`` prints is there to read, without running httpd.
    """
    data = data or b''
    found = set()
    # Where a C string starts with "Apache/" (a handful in 700 kB: bytes.find is quick where
    # a regular expression that starts with NUL is not).
    start = data.find(b'\0Apache/')
    while start >= 0:
        match = _BANNER_RE.match(data, start + 1)
        if match:
            found.add(match.group(0))
        start = data.find(b'\0Apache/', start + 1)
    if len(found) != 1:
        return {}
    return parse_version('Server version: %s\n' % found.pop().decode('ascii', 'replace'))


def parse_V(text):
    """Parse ``httpd -V``.

    Returns ``version``, ``server_version``, ``built``, ``architecture``, ``mpm`` (lower case),
    ``threaded``, ``forked`` and ``compiled`` (the ``-D`` settings, ``None`` for bare flags).
    Keys that the text does not show are absent.
    """
    result = parse_version(text)
    compiled = {}
    for raw in (text or '').splitlines():
        line = raw.rstrip()
        match = _KV_RE.match(line)
        if match:
            value = match.group('value')
            compiled[match.group('name')] = value
            continue
        key, sep, value = line.partition(':')
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if key == 'Server MPM':
            # "event", or "Prefork" on some 2.2-era builds; 2.4 prints the name only.
            result['mpm'] = value.split()[0].lower() if value else None
        elif key == 'threaded':
            result['threaded'] = value.startswith('yes')
        elif key == 'forked':
            result['forked'] = value.startswith('yes')
        elif key == 'Architecture':
            result['architecture'] = value
    if compiled:
        result['compiled'] = compiled
    return result


def parse_M(text):
    """Parse ``httpd -M``: a list of ``{'name': 'wsgi_module', 'kind': 'shared'}``.

    Only the `` name_module (static|shared)`` lines count, so the output of ``-S -M`` (one run)
    reads the same as that of ``-M``.
    """
    modules = []
    for line in (text or '').splitlines():
        match = _MODULE_RE.match(line)
        if match:
            modules.append({'name': match.group('name'), 'kind': match.group('kind')})
    return modules


def parse_l(text):
    """Parse ``httpd -l``: the source names of compiled-in modules (``core.c``, ``prefork.c``)."""
    return [line.strip() for line in (text or '').splitlines()
            if line.strip().endswith('.c') and line.startswith((' ', '\t'))]


def parse_S(text):
    """Parse ``httpd -S`` (``-D DUMP_VHOSTS -D DUMP_RUN_CFG``), or ``-S -M`` (one run: the
    module lines match nothing here; ``defines`` then also holds ``DUMP_MODULES``).

    Returns ``server_root``, ``document_root``, ``error_log``, ``pid_file``, ``defines``
    (names, in order), ``user``, ``group`` and ``vhosts`` (``{address, name, file, line,
    default, aliases}``).
    """
    result = {'defines': [], 'vhosts': []}
    address = None
    seen = set()
    for raw in (text or '').splitlines():
        line = raw.rstrip()
        match = _RUNCFG_RE.match(line)
        if match:
            key, value = match.group('key'), match.group('value').strip()
            if key == 'Define':
                result['defines'].append(value.split('=', 1)[0])
            elif key in ('User', 'Group'):
                name = re.search(r'name="([^"]*)"', value)
                result[key.lower()] = name.group(1) if name else value
            elif not key.startswith('Mutex'):
                field = {'ServerRoot': 'server_root', 'Main DocumentRoot': 'document_root',
                         'Main ErrorLog': 'error_log', 'PidFile': 'pid_file'}[key]
                result[field] = value.strip('"')
            continue
        if line.endswith(' is a NameVirtualHost'):
            address = line.split()[0]
            continue
        alias = _ALIAS_RE.match(line)
        if alias and result['vhosts']:
            result['vhosts'][-1]['aliases'].append(alias.group('alias'))
            continue
        for kind, pattern in _VHOST_PATTERNS:
            match = pattern.match(line)
            if match:
                break
        else:
            continue
        groups = match.groupdict()
        if kind == 'single':
            address = groups['addr']
        key = (address, groups['file'], groups['line'])
        if key in seen:
            continue  # httpd lists the default server again as a namevhost line
        seen.add(key)
        result['vhosts'].append({
            'address': address, 'name': groups['name'], 'file': groups['file'],
            'line': int(groups['line']), 'default': kind != 'namevhost', 'aliases': []})
    return result


def error_text(stdout, stderr):
    """Apache's own error message from a failed run, without the usual noise."""
    lines = [line for line in ((stderr or '') + '\n' + (stdout or '')).splitlines()
             if line.strip() and not _NOISE_RE.match(line.strip())]
    return '\n'.join(lines).strip()
