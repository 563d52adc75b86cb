"""The controller/host boundary, read from the source (ast): no controller plugin loads, even
through another module, a module_util that runs commands or reads the host.

Controller plugins (action, filter, plugin_utils) run in the ansible-playbook process. What
they import from plugins/module_utils is loaded there too, so it must be pure: no process,
no file, no socket. Every module_util is listed below as pure or host-only, with the reason,
so a new one has to be put on one side before this test passes.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import ast
import os

import pytest

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
PLUGINS = os.path.join(ROOT, 'plugins')
MODULE_UTILS = os.path.join(PLUGINS, 'module_utils')
PACKAGE = 'ansible_collections.modwsgi.apache.plugins.module_utils'
CONTROLLER_DIRS = ('action', 'filter', 'plugin_utils')

# Pure: data and functions of their arguments; the controller may import them.
PURE = frozenset([
    '_constants',       # the OS layouts, the MPM names, the probe URL: data only
    '_httpd_output',    # parsers of the text httpd prints, and of the banner bytes given to it
    '_httpd_regex',     # compiles the configuration's patterns
    '_httpd_routing',   # which server answers a host name, which sections apply (answers_to)
    '_mpm',             # the MPMs' directives, defaults and thread safety
    '_mpm_sizing',      # the mpm_sizing filter's rule
    '_rollback',        # the order of a rollback, over the callables it is given
    '_group_sizing',    # a daemon group's size from its measured figures
    '_wsgi_url',        # splits the URLs given to resolve
])

# Host-only: each runs commands, or reads or changes the host, itself or through what it imports.
HOST_ONLY = {
    '_config': 'reads the configuration files and their includes (open, listdir, stat)',
    '_config_files': 'writes the configuration files and runs the config test',
    '_group_metrics': 'reads the probe over HTTP (_probe) and /proc',
    '_host_access': 'runs commands (subprocess) for an AnsibleModule',
    '_host_lock': 'takes a lock file on the host (fcntl)',
    '_httpd_runs': 'starts the httpd runs in threads; locates Apache through _layout',
    '_layout': 'stats the layouts\' marker files, reads envvars, sysconfig and the binary',
    '_mpm_facts': 'the mpm_facts backend: runs httpd (through _httpd_runs), reads /proc',
    '_mpm_switch': 'switches the MPM: writes files, runs the config test',
    '_preflight': 'reads users, groups, packages and files of the host',
    '_probe': 'opens HTTP connections (socket, ssl, urllib)',
    '_probe_secret': 'writes the probe secret',
    '_proc': 'reads /proc',
    '_transaction': 'writes files and signals httpd',
    '_verify': 'requests the probe and the applications over HTTP (_probe), reads the error logs',
    '_wsgi_facts': 'the wsgi_facts backend: runs httpd through _httpd_runs',
    '_wsgi_findings': 'reads the Python of a virtualenv (_wsgi_module.venv_python)',
    '_wsgi_module': 'reads the mod_wsgi shared object and the Python installs',
    '_wsgi_mounts': 'resolve() imports _wsgi_resolve',
    '_wsgi_resolve': 'stats the host\'s directories and files to map a URL',
}

# What a pure module may use of the standard library: no I/O in any of these.
PURE_STDLIB = frozenset(['__future__', 'fnmatch', 're', 'warnings', 'os'])
PURE_OS_PATH = frozenset(['basename', 'dirname', 'isabs', 'join', 'normpath', 'splitext'])


def parse(path):
    with open(path, 'rb') as handle:
        return ast.parse(handle.read(), path)


def module_utils_of(tree):
    """The module_utils names a module imports, anywhere in it (also inside functions)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == PACKAGE:
                found.update(alias.name for alias in node.names)
            elif node.module.startswith(PACKAGE + '.'):
                found.add(node.module[len(PACKAGE) + 1:].split('.')[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE + '.'):
                    found.add(alias.name[len(PACKAGE) + 1:].split('.')[0])
    return found


def module_utils_names():
    return sorted(name[:-3] for name in os.listdir(MODULE_UTILS)
                  if name.endswith('.py') and name != '__init__.py')


GRAPH = dict((name, module_utils_of(parse(os.path.join(MODULE_UTILS, name + '.py'))))
             for name in module_utils_names())


def reached(start):
    """``{module_util: the chain of imports that reaches it}`` from the names in ``start``."""
    chains = dict((name, [name]) for name in start)
    todo = list(start)
    while todo:
        name = todo.pop(0)  # breadth first: the shortest chain to each
        for imported in sorted(GRAPH.get(name, ())):
            if imported not in chains:
                chains[imported] = chains[name] + [imported]
                todo.append(imported)
    return chains


def controller_files():
    for directory in CONTROLLER_DIRS:
        for name in sorted(os.listdir(os.path.join(PLUGINS, directory))):
            if name.endswith('.py') and name != '__init__.py':
                yield '%s/%s' % (directory, name)


def test_every_module_util_is_pure_or_host_only():
    names = set(GRAPH)
    assert not PURE & set(HOST_ONLY)
    assert names - PURE - set(HOST_ONLY) == set(), 'classify these in this test'
    assert (PURE | set(HOST_ONLY)) - names == set(), 'gone from plugins/module_utils'


@pytest.mark.parametrize('name', sorted(PURE))
def test_a_pure_module_util_imports_only_pure_ones(name):
    host = dict((found, chain) for found, chain in reached([name]).items() if found not in PURE)
    assert host == {}, 'pure %s reaches host-only module_utils: %s' % (name, host)


@pytest.mark.parametrize('name', sorted(PURE))
def test_a_pure_module_util_does_no_io(name):
    tree = parse(os.path.join(MODULE_UTILS, name + '.py'))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and not node.module.startswith(PACKAGE):
            modules = [node.module]
        else:
            modules = []
        assert set(modules) <= PURE_STDLIB, '%s imports %s' % (name, modules)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ('open', 'exec', 'eval', '__import__'), name
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == 'os':
            assert node.attr == 'path', '%s uses os.%s' % (name, node.attr)
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                and isinstance(node.value.value, ast.Name) and node.value.value.id == 'os'):
            assert node.attr in PURE_OS_PATH, '%s uses os.path.%s' % (name, node.attr)


@pytest.mark.parametrize('path', list(controller_files()))
def test_no_controller_plugin_loads_host_only_module_utils(path):
    chains = reached(module_utils_of(parse(os.path.join(PLUGINS, path))))
    host = dict((name, ' -> '.join(chain)) for name, chain in chains.items() if name not in PURE)
    assert host == {}, '%s loads host-only module_utils: %s' % (path, host)


def test_the_graph_is_read():
    # If the import forms stopped matching, the tests above would pass on nothing.
    assert GRAPH['_wsgi_facts'] >= {'_mpm_facts', '_httpd_runs', '_wsgi_mounts'}
    assert '_wsgi_resolve' in GRAPH['_wsgi_mounts']  # an import inside a function
    assert reached(['_wsgi_facts'])['_layout'] == ['_wsgi_facts', '_httpd_runs', '_layout']
    assert module_utils_of(parse(os.path.join(PLUGINS, 'plugin_utils', '_takeover.py')))
    assert module_utils_of(parse(os.path.join(PLUGINS, 'filter', 'mpm_sizing.py'))) == {'_mpm_sizing'}
