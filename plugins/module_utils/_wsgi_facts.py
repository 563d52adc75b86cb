# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Backend of the ``wsgi_facts`` module: read Apache once, then apply mod_wsgi's rules.

PRIVATE to the collection: this is not a public API and may change at any time.

One concern per file:

- :mod:`_httpd_routing`: which server answers a request, which sections apply;
- :mod:`_wsgi_mounts`: mod_wsgi's decisions (daemon groups, mounts, ``resolve``);
- :mod:`_wsgi_resolve`: the request mapping of one URL (mod_alias, mod_wsgi's aliases, the
  directory walk, the handler), compiled only when ``resolve`` is given;
- :mod:`_wsgi_findings`: the findings, read from the decisions' codes;
- :mod:`_wsgi_module`: the mod_wsgi shared object, its version and its Python;
- :mod:`_wsgi_url`: the URLs given to ``resolve``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.modwsgi.apache.plugins.module_utils import _mpm_facts
from ansible_collections.modwsgi.apache.plugins.module_utils import _httpd_runs
from ansible_collections.modwsgi.apache.plugins.module_utils import _wsgi_findings
from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_module import module_file
from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_mounts import Analysis


def analyse(parsed, apache=None, module=None, sysroot='/'):
    """mod_wsgi's view of one parsed configuration, with its findings."""
    analysis = Analysis(parsed, apache, module, sysroot)
    _wsgi_findings.check(analysis)
    return analysis


def wsgi_facts(run, find_bin, sysroot='/', binary=None, resolve=None):
    """Everything ``wsgi_facts`` reports: the same locate/parse path as ``mpm_facts``."""
    return gather(run, find_bin, sysroot, binary=binary, resolve=resolve)[0]


def gather(run, find_bin, sysroot='/', binary=None, resolve=None, processes=False, proc_root='/proc',
           started=None):
    """``(mod_wsgi facts, apache facts)`` from one reading of Apache: the second is what
    ``mpm_facts`` reports (with ``processes`` measured when asked), so one module call can
    return both. ``started``: as in :func:`_mpm_facts.gather`."""
    return gather_parsed(run, find_bin, sysroot, binary, resolve, processes, proc_root, started)[:2]


def gather_parsed(run, find_bin, sysroot='/', binary=None, resolve=None, processes=False, proc_root='/proc',
                  started=None):
    """:func:`gather`, and the :class:`_config.ParsedConfig` both facts came from (``None``
    without Apache), for a caller that decides more from the same reading (the role's
    preflight: the MPM step)."""
    if started is None:
        started = _httpd_runs.start(run, find_bin, sysroot, binary)
    # The mod_wsgi that the packages install is read while httpd runs: on nearly every host,
    # it is the one the configuration loads (_module_file checks).
    located = started['located']
    packaged = module_file(None, located['layout'], sysroot) if located else None
    apache, parsed = _mpm_facts.gather(run, find_bin, sysroot, proc_root=proc_root, binary=binary,
                                       processes=processes, started=started)
    return mod_wsgi_facts(apache, parsed, sysroot, resolve, packaged), apache, parsed


def _module_file(parsed, layout, sysroot, packaged):
    """:func:`module_file`: ``packaged`` (read without the configuration) when the
    configuration loads no other file, since module_file reads the loaded one first."""
    loaded = parsed.modules.get('wsgi_module') if parsed is not None else None
    path = loaded.get('path') if loaded else None
    if packaged is not None and (not path or path == packaged['path']):
        return packaged
    return module_file(parsed, layout, sysroot)


def mod_wsgi_facts(apache, parsed, sysroot='/', resolve=None, packaged=None):
    """``wsgi_facts``' facts from Apache's facts and configuration as :func:`_mpm_facts.gather` read
    them (``parsed`` is ``None`` without Apache); ``packaged``: see :func:`_module_file`."""
    module = _module_file(parsed, apache.get('layout'), sysroot, packaged)
    facts = {
        'installed': module['installed'],
        'loaded': 'wsgi_module' in (apache.get('modules') or {}),
        'version': module['version'],
        'python': module['python'],
        'module_path': module['path'],
        'restrict_embedded': False,
        'daemon_groups': [],
        'mounts': [],
        'vhosts': [],
        'findings': [],
    }
    if parsed is None:
        if resolve:
            facts['resolved'] = [{'url': url, 'server': None, 'mount': None,
                                  'process_group': None, 'application_group': None,
                                  'mode': None, 'decided_by': None, 'code': None,
                                  'served_by': None,
                                  'reason': 'Apache is not installed'} for url in resolve]
        return facts
    analysis = analyse(parsed, apache, module, sysroot)
    facts.update(analysis.facts())
    if resolve:
        facts['resolved'] = [analysis.resolve(url) for url in resolve]
    return facts
