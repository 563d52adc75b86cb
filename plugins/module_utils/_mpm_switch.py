# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make one MPM the active one, as one transaction: plan, guard, apply, validate, roll back.

PRIVATE to the collection: this is not a public API and may change at any time.

:func:`switch` does what the ``mpm`` module does. It takes the same two callables as
:func:`_mpm_facts.gather` (``run(argv)`` and ``find_bin(name)``) and a ``sysroot``, so it runs the
same on a host and on a fixture tree in a temp dir.

The change is a list of *operations*, one per file, each ``{'path', 'before', 'after'}``
where a state is ``('absent',)``, ``('link', target)`` or ``('file', bytes)``. The plan is
computed from the files as they are, so a switch that was interrupted half-way (two MPMs
enabled) is completed by the next run. Before anything is written, every touched path is
snapshotted (bytes, mode, owner; symlinks as symlinks), and restored byte for byte when
Apache rejects the result.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.modwsgi.apache.plugins.module_utils import _mpm_facts
from ansible_collections.modwsgi.apache.plugins.module_utils import _layout
from ansible_collections.modwsgi.apache.plugins.module_utils import _mpm
from ansible_collections.modwsgi.apache.plugins.module_utils import _transaction
from ansible_collections.modwsgi.apache.plugins.module_utils._constants import LAYOUTS, MPMS
from ansible_collections.modwsgi.apache.plugins.module_utils._layout import host_path

ABSENT = _transaction.ABSENT

DEBIAN_ENABLED = '/etc/apache2/mods-enabled'
DEBIAN_AVAILABLE = '/etc/apache2/mods-available'
REDHAT_MPM_CONF = LAYOUTS['redhat']['mpm_selected_in']
SUSE_SYSCONFIG = LAYOUTS['suse']['sysconfig']

# Apache's message when two MPMs are loaded: the state an interrupted switch leaves behind,
# which the switch itself repairs.
MORE_THAN_ONE_MPM = 'AH00534'

_LOADMODULE_RE = re.compile(r'^(?P<indent>[ \t]*)(?P<hash>#[ \t#]*)?'
                            r'(?P<rest>LoadModule[ \t]+mpm_(?P<mpm>[a-z0-9]+)_module\b.*)$')
_MPM_ASSIGN_RE = re.compile(r'^(?P<prefix>[ \t]*(?:export[ \t]+)?)APACHE_MPM=')

DAEMON_MODE_ADVICE = (
    'The safe alternative is to keep the prefork MPM and run the Python application in '
    'mod_wsgi daemon mode (WSGIDaemonProcess + WSGIProcessGroup), as the author of mod_wsgi '
    'advises')


class SwitchError(Exception):
    """A refusal or a failure; ``result`` holds what is known so far (previous, changed...)."""

    def __init__(self, msg, **result):
        super(SwitchError, self).__init__(msg)
        self.msg = msg
        self.result = result


# -- file states (the shared transaction) ---------------------------------------------------

read_state = _transaction.read_state


# -- plans per layout -------------------------------------------------------------------------

def _op(path, before, after):
    return _transaction.operation(path, before, after)


def _loaded_elsewhere(parsed, allowed):
    """MPM modules the config loads from a file that the layout's rule does not manage."""
    found = []
    for name, entry in sorted((parsed.modules if parsed else {}).items()):
        if _mpm.mpm_of_module(name) in MPMS and entry.get('file') and not allowed(entry['file']):
            found.append('%s (%s:%s)' % (name, entry['file'], entry['line']))
    return found


def plan_debian(target, sysroot='/', parsed=None):
    """The mods-enabled symlinks ``a2dismod mpm_<other>; a2enmod mpm_<target>`` would leave."""
    available = host_path(sysroot, DEBIAN_AVAILABLE)
    if not os.path.isfile(os.path.join(available, 'mpm_%s.load' % target)):
        raise SwitchError('name: cannot enable the %s MPM: %s/mpm_%s.load does not exist '
                          '(it ships with the apache2 package)' % (target, DEBIAN_AVAILABLE, target))
    outside = _loaded_elsewhere(parsed, lambda f: os.path.dirname(f) == DEBIAN_ENABLED
                                and os.path.basename(f).startswith('mpm_'))
    if outside:
        raise SwitchError('name: an MPM is loaded outside %s/mpm_*.load, by %s; remove that '
                          'LoadModule first' % (DEBIAN_ENABLED, ', '.join(outside)))
    ops = []
    for mpm in MPMS:
        for ext in ('load', 'conf'):
            name = 'mpm_%s.%s' % (mpm, ext)
            path = '%s/%s' % (DEBIAN_ENABLED, name)
            before = read_state(host_path(sysroot, path))
            if before[0] not in ('absent', 'link'):
                raise SwitchError('name: %s is not a symlink; a2enmod and a2dismod do not touch '
                                  'it either. Replace it by hand' % path)
            after = ABSENT
            if mpm == target and os.path.exists(os.path.join(available, name)):
                after = ('link', '../mods-available/%s' % name)
                same = (before[0] == 'link' and os.path.realpath(host_path(sysroot, path))
                        == os.path.realpath(os.path.join(available, name)))
                if same:
                    after = before
            if after != before:
                ops.append(_op(path, before, after))
    return ops


def plan_redhat(target, sysroot='/', parsed=None, server_root='/etc/httpd'):
    """Exactly one active ``LoadModule mpm_<target>_module`` in 00-mpm.conf; every other line
    (comments, other MPMs commented out) kept as it is."""
    outside = _loaded_elsewhere(parsed, lambda f: f == REDHAT_MPM_CONF)
    if outside:
        raise SwitchError('name: an MPM is loaded outside %s, by %s; remove that LoadModule '
                          'first' % (REDHAT_MPM_CONF, ', '.join(outside)))
    before = read_state(host_path(sysroot, REDHAT_MPM_CONF))
    if before[0] not in ('absent', 'file'):
        raise SwitchError('name: %s is not a regular file' % REDHAT_MPM_CONF)
    lines = before[1].decode('utf-8', 'surrogateescape').splitlines(True) if before[0] == 'file' else []
    matches = []
    for index, line in enumerate(lines):
        match = _LOADMODULE_RE.match(line.rstrip('\r\n'))
        if match and match.group('mpm') in MPMS:
            matches.append((index, match))
    ours = [i for i, m in matches if m.group('mpm') == target and not m.group('hash')]
    ours = ours or [i for i, m in matches if m.group('mpm') == target]
    keep = ours[0] if ours else None
    so_file = 'modules/mod_mpm_%s.so' % target
    for index, match in matches:
        ending = lines[index][len(lines[index].rstrip('\r\n')):]
        if index == keep:
            lines[index] = match.group('indent') + match.group('rest') + ending
            so_file = (match.group('rest').split() + [so_file])[2]
        elif not match.group('hash'):
            lines[index] = match.group('indent') + '#' + match.group('rest') + ending
    if keep is None:
        if lines and not lines[-1].endswith('\n'):
            lines[-1] += '\n'
        lines.append('LoadModule mpm_%s_module %s\n' % (target, so_file))
    so_path = so_file if so_file.startswith('/') else '%s/%s' % (server_root.rstrip('/'), so_file)
    if not os.path.exists(host_path(sysroot, so_path)):
        raise SwitchError('name: cannot load the %s MPM: %s does not exist (on EL it ships with '
                          'the httpd-core or httpd package)' % (target, so_path))
    after = ('file', ''.join(lines).encode('utf-8', 'surrogateescape'))
    return [_op(REDHAT_MPM_CONF, before, after)] if after != before else []


def plan_suse(target, sysroot='/'):
    """``APACHE_MPM="<target>"`` in /etc/sysconfig/apache2 (the line is replaced in place)."""
    binary = '/usr/sbin/httpd-%s' % target
    if not os.path.exists(host_path(sysroot, binary)):
        raise SwitchError('name: the %s MPM is not installed: %s is missing; install the package '
                          '%s' % (target, binary, suse_package(target)))
    before = read_state(host_path(sysroot, SUSE_SYSCONFIG))
    if before[0] != 'file':
        raise SwitchError('name: %s is missing or not a regular file' % SUSE_SYSCONFIG)
    text = before[1].decode('utf-8', 'surrogateescape')
    values, numbers = _layout.parse_shell_assignments(text)
    if values.get('APACHE_MPM') == target:
        return []
    lines = text.splitlines(True)
    if 'APACHE_MPM' in numbers:
        index = numbers['APACHE_MPM'] - 1
        line = lines[index]
        ending = line[len(line.rstrip('\r\n')):]
        prefix = _MPM_ASSIGN_RE.match(line).group('prefix')
        lines[index] = '%sAPACHE_MPM="%s"%s' % (prefix, target, ending)
    else:
        if lines and not lines[-1].endswith('\n'):
            lines[-1] += '\n'
        lines.append('APACHE_MPM="%s"\n' % target)
    after = ('file', ''.join(lines).encode('utf-8', 'surrogateescape'))
    return [_op(SUSE_SYSCONFIG, before, after)]


def suse_package(mpm):
    """The SUSE package that ships the binary of ``mpm``."""
    return 'apache2-%s' % mpm


def plan(layout, target, sysroot='/', parsed=None, server_root=None):
    """The operations that make ``target`` the MPM on ``layout``."""
    if layout == 'debian':
        return plan_debian(target, sysroot, parsed)
    if layout == 'redhat':
        return plan_redhat(target, sysroot, parsed, server_root or '/etc/httpd')
    if layout == 'suse':
        return plan_suse(target, sysroot)
    raise SwitchError('name: switching the MPM of a %s layout is not supported; change the '
                      'LoadModule mpm_* line yourself' % layout)


# -- diff -------------------------------------------------------------------------------------

def diff(previous, target, ops):
    """Ansible diffs: the MPM name, then one per file."""
    return [{'before_header': 'MPM', 'after_header': 'MPM',
             'before': '%s\n' % (previous or '(none)'), 'after': '%s\n' % target}
            ] + _transaction.diff(ops)


# -- the running server -------------------------------------------------------------------

_MAPPED_MPM_RE = re.compile(r'/mod_mpm_([a-z0-9]+)\.so$', re.M)


def running_mpm(pid_file, proc_root='/proc', sysroot='/'):
    """The MPM of the running Apache parent: the ``mod_mpm_*.so`` it has mapped, or the
    ``httpd-<mpm>`` binary it runs (SUSE). ``None`` when not running or not readable."""
    if not pid_file:
        return None
    try:
        with open(host_path(sysroot, pid_file)) as handle:
            pid = int(handle.read().split()[0])
        with open(os.path.join(proc_root, str(pid), 'maps')) as handle:
            maps = handle.read()
    except (IOError, OSError, ValueError, IndexError):
        return None
    found = set(_MAPPED_MPM_RE.findall(maps)) & set(MPMS)
    if len(found) == 1:
        return found.pop()
    try:
        exe = os.path.basename(os.readlink(os.path.join(proc_root, str(pid), 'exe')))
    except OSError:
        return None
    match = re.match(r'^httpd2?-([a-z]+)$', exe)
    return match.group(1) if match and match.group(1) in MPMS else None


# -- the whole switch ------------------------------------------------------------------------

config_test = _transaction.config_test


def switch(run, find_bin, target, force=False, check_mode=False, sysroot='/',
           proc_root='/proc', binary=None, gathered=None):
    """Make ``target`` the MPM. Returns the module's result; raises :class:`SwitchError`.

    ``gathered``: what :func:`_mpm_facts.gather` (``processes=False``) returned, when the caller read
    Apache already (the role's preflight, which asks in check mode whether this step has
    anything to do).

    The result holds ``previous``, ``current``, ``changed``, ``changed_files``,
    ``restart_required``, ``running`` (the MPM of the running server, or None), ``diff`` and
    ``warnings``.
    """
    if target not in MPMS:
        raise SwitchError('name: %r is not an MPM; expected one of %s'
                          % (target, ', '.join(MPMS)))
    facts, parsed = gathered or _mpm_facts.gather(run, find_bin, sysroot, proc_root, binary, processes=False)
    if not facts['installed']:
        raise SwitchError('name: Apache is not installed (no apache2 or httpd binary found)',
                          changed=False)
    layout, mpm = facts['layout'], facts['mpm']
    previous = mpm['name']
    base = {'previous': previous, 'current': previous, 'changed': False, 'changed_files': [],
            'restart_required': False, 'running': None, 'warnings': []}

    if mpm['static'] and layout != 'suse':
        if target == previous:
            base['running'] = running_mpm(facts['pid_file'], proc_root, sysroot)
            return dict(base, diff=diff(previous, target, []))
        raise SwitchError('name: the %s MPM is compiled statically into %s, so the MPM cannot '
                          'be changed by configuration; rebuild Apache with --enable-mpms-shared '
                          'or install a build with loadable MPMs' % (previous, facts['binary']),
                          **base)

    unsafe = facts['thread_unsafe_modules']
    ops = plan(layout, target, sysroot, parsed, facts.get('server_root'))
    running = running_mpm(facts['pid_file'], proc_root, sysroot)
    base['running'] = running
    names = ', '.join(u['name'] for u in unsafe)
    reasons = '; '.join('%s: %s' % (u['name'], u['reason']) for u in unsafe)

    if _mpm.THREADED[target] and unsafe:
        if ops and not force:
            raise SwitchError(
                'name: refusing to switch to the threaded %s MPM while %s is loaded (%s). %s. '
                'Set force=true to switch anyway.' % (target, names, reasons, DAEMON_MODE_ADVICE),
                **base)
        base['warnings'].append(
            'The threaded %s MPM is %s while %s is loaded, which is not thread-safe (%s). %s.'
            % (target, 'selected' if ops else 'active', names, reasons, DAEMON_MODE_ADVICE))

    if not ops:
        base.update(current=target,
                    restart_required=running is not None and running != target,
                    diff=diff(previous, target, []))
        return base

    runner = _layout.locate(find_bin, sysroot, binary)['runner']
    ok, message = config_test(run, runner)
    if not ok and MORE_THAN_ONE_MPM not in message:
        raise SwitchError("name: Apache's configuration is already broken, so the MPM was not "
                          "switched and nothing was changed; fix it first. Apache says: %s"
                          % message, **base)

    # A restart is due unless the running server already runs the target (a switch back
    # before the restart of an earlier one ever came); without a running server, say so
    # whenever the files change.
    restart = running != target if running is not None else True
    result = dict(base, current=target, changed=True, restart_required=restart,
                  changed_files=[op['path'] for op in ops], diff=diff(previous, target, ops))
    if check_mode:
        return result

    try:
        _transaction.commit(ops, lambda: config_test(run, runner), sysroot)
    except _transaction.TransactionError as exc:
        if exc.stage == 'write':
            raise SwitchError('name: error while writing the %s MPM files: %s; %s'
                              % (target, exc.cause, exc.restored), **base)
        raise SwitchError('name: Apache rejects its configuration with the %s MPM, so %s. '
                          'Apache says: %s' % (target, exc.restored, exc.cause), **base)
    return result
