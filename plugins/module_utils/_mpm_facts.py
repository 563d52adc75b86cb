# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Backend of the ``mpm_facts`` module: the ``apache`` facts (build, MPM, modules, limits, processes).

PRIVATE to the collection: this is not a public API and may change at any time.

:func:`apache_facts` takes two callables, so it runs the same on a host and in unit tests
that replay captured output: ``run(argv) -> (rc, stdout, stderr)`` and
``find_bin(name) -> path or None``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.modwsgi.apache.plugins.module_utils import _httpd_output
from ansible_collections.modwsgi.apache.plugins.module_utils import _config
from ansible_collections.modwsgi.apache.plugins.module_utils import _httpd_runs
from ansible_collections.modwsgi.apache.plugins.module_utils import _layout
from ansible_collections.modwsgi.apache.plugins.module_utils import _mpm
from ansible_collections.modwsgi.apache.plugins.module_utils import _proc
from ansible_collections.modwsgi.apache.plugins.module_utils._constants import LAYOUTS, MPMS

# Process names of the Apache parent and children, per layout (comm is cut at 15 chars).
PROCESS_NAMES = {
    'debian': ('apache2',),
    'redhat': ('httpd',),
    'suse': ('httpd-prefork', 'httpd-worker', 'httpd-event', 'httpd'),
    'source': ('httpd',),
}


def _loaded_mpm(loaded):
    """The MPM among the modules httpd listed (``-M``): a known one first, since a module such
    as mpm_itk_module is named like an MPM but runs on top of prefork."""
    names = [_mpm.mpm_of_module(m['name']) for m in loaded]
    known = [name for name in names if name in MPMS]
    found = known or [name for name in names if name]
    return found[0] if found else None


def _config_location(built, info):
    """``(httpd_root, config_file)``: compiled into httpd (``-V``), else the layout's."""
    compiled = built.get('compiled', {})
    httpd_root = compiled.get('HTTPD_ROOT') or info['server_root']
    config_file = compiled.get('SERVER_CONFIG_FILE') or info['config_file']
    if not os.path.isabs(config_file):
        config_file = os.path.join(httpd_root, config_file)
    return httpd_root, config_file


def _mpm_facts(layout, located, built, compiled_in, parsed, sysconfig, loaded):
    static_mpms = [_config.module_id_from_source(src) for src in compiled_in
                   if _mpm.mpm_of_module(_config.module_id_from_source(src))]
    name = built.get('mpm') or _loaded_mpm(loaded)
    static = bool(static_mpms) and (name is None or 'mpm_%s_module' % name in static_mpms)
    if not name and static_mpms:
        name = _mpm.mpm_of_module(static_mpms[0])
    selected_by = None
    if layout == 'suse' and 'APACHE_MPM' in sysconfig and sysconfig['APACHE_MPM'][0]:
        value, line = sysconfig['APACHE_MPM']
        name = name or value
        selected_by = {'file': LAYOUTS['suse']['sysconfig'], 'line': line}
    if not name:
        loaded = [m for m in parsed.modules if _mpm.mpm_of_module(m)]
        name = _mpm.mpm_of_module(loaded[0]) if loaded else None
    if selected_by is None and name:
        selected_by = _mpm.selected_by(parsed, name)
    if selected_by is None and static:
        selected_by = {'file': located['binary'], 'line': None}
    return {
        'name': name,
        'threaded': built.get('threaded', _mpm.THREADED.get(name)),
        'forked': built.get('forked', True if name else None),
        'static': static,
        'selected_by': selected_by,
    }


def apache_facts(run, find_bin, sysroot='/', proc_root='/proc', binary=None, processes=True,
                 started=None):
    """Everything ``mpm_facts`` reports, as one dict (``installed: false`` without Apache)."""
    return gather(run, find_bin, sysroot, proc_root, binary, processes, started)[0]


def gather(run, find_bin, sysroot='/', proc_root='/proc', binary=None, processes=True, started=None):
    """``(facts, parsed)``: :func:`apache_facts` and the :class:`_config.ParsedConfig` it read
    (``None`` without Apache), so that other facts (``wsgi_facts``) reuse the same config.
    ``started`` is what :func:`_httpd_runs.start` returned, when the caller started the runs."""
    if started is None:
        started = _httpd_runs.start(run, find_bin, sysroot, binary)
    located = started['located']
    if located is None:
        return {'installed': False, 'layout': _layout.detect(sysroot)}, None
    layout, runner = located['layout'], located['runner']
    info = LAYOUTS[layout]
    direct = located['binary'] or runner
    env, defines, sysconfig = _layout.startup_environment(layout, sysroot)
    # While httpd runs, the configuration is read without the compiled-in modules (-M lists
    # them), when the binary's banner gave the version that <IfVersion> needs; then checked
    # against them (_config.with_compiled_in), and read again only if they change it.
    early = None
    if started['built']:
        httpd_root, config_file = _config_location(started['built'], info)
        early = _config.parse(config_file, httpd_root, defines=defines, env=env, modules=None,
                              version=started['built'].get('version'), sysroot=sysroot)

    outputs = started['wait']()
    rc_s, out_s, err_s = outputs[-1]
    built = dict(started['built']) or _httpd_output.parse_V(outputs[0][1])
    if not built.get('version') and layout == 'source':
        built.update(_httpd_output.parse_version(run([direct, '-v'])[1]))
    run_cfg = _httpd_output.parse_S(out_s)
    measured = None
    if processes:
        pid_file = run_cfg.get('pid_file')
        if pid_file:
            pid_file = _layout.host_path(sysroot, pid_file)
        # Measured while the rest is worked out (and the configuration parsed, unless it was
        # read while httpd ran): the time goes to reading /proc (for smaps_rollup, the kernel
        # walks each process's page tables), which Python does without holding the GIL.
        measured = _httpd_runs.start_all(lambda names: _proc.measure(names, pid_file, proc_root),
                                         [PROCESS_NAMES[layout]])
    loaded = _httpd_output.parse_M(out_s) if rc_s == 0 else []
    # The compiled-in modules are -M's "(static)" ones (the same list as -l, in the same
    # order, on every capture where -M works); -l runs only when -M cannot (a broken config).
    if loaded:
        compiled_in = [_config.module_source_name(m['name']) for m in loaded
                       if m['kind'] == 'static']
    else:
        compiled_in = _httpd_output.parse_l(run([direct, '-l'])[1])

    httpd_root, config_file = _config_location(built, info)
    parsed = _config.with_compiled_in(early, compiled_in) if early is not None else None
    if parsed is None:
        parsed = _config.parse(config_file, httpd_root, defines=defines, env=env,
                               modules=compiled_in or None, version=built.get('version'),
                               sysroot=sysroot)

    if loaded:
        modules = dict((m['name'], m['kind']) for m in loaded)
    else:
        # httpd could not list them (broken config): what the config would load.
        modules = dict((name, 'shared' if entry['path'] else 'static')
                       for name, entry in parsed.modules.items())

    mpm = _mpm_facts(layout, located, built, compiled_in, parsed, sysconfig, loaded)
    limits, limits_from = _mpm.limits(parsed, mpm['name'])
    config_ok = rc_s == 0
    facts = {
        'installed': True,
        'layout': layout,
        'version': built.get('version'),
        'server_version': built.get('server_version'),
        'binary': located['binary'],
        'ctl': located['ctl'],
        'service': located['service'],
        'server_root': run_cfg.get('server_root') or parsed.server_root,
        'config_file': config_file,
        'config_ok': config_ok,
        'config_error': None if config_ok else _httpd_output.error_text(out_s, err_s),
        'parse_errors': parsed.errors,
        'defines': [d for d in run_cfg['defines'] if not d.startswith('DUMP_')],
        'pid_file': run_cfg.get('pid_file'),
        'mpm': mpm,
        'modules': modules,
        'thread_unsafe_modules': _mpm.thread_unsafe(sorted(modules)),
        'limits': limits,
        'limits_from': limits_from,
    }
    if measured:
        facts['processes'] = measured()[0]
    return facts, parsed
