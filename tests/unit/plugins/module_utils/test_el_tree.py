"""The config reader, the MPM limits and the mod_wsgi analysis on EL's default /etc/httpd.

fixtures/trees/el9 holds only the EL9 files that were found verbatim (see its README.md):
conf.modules.d/00-mpm.conf and conf.d/welcome.conf. conf/httpd.conf was not found. The
full-tree tests therefore skip until it is added. The other tests use the real files that
are there. One of them reads them through a stand-in main file written into a temporary
copy. The stand-in is a test input, not EL's httpd.conf.

Every expected file:line is computed from the fixture files themselves, never typed in.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re
import shutil

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _httpd_output
from ansible_collections.modwsgi.apache.plugins.module_utils import _config
from ansible_collections.modwsgi.apache.plugins.module_utils import _mpm
from ansible_collections.modwsgi.apache.plugins.module_utils import _wsgi_facts
from ansible_collections.modwsgi.apache.tests.unit.helpers import PUBLIC, TREES, read

EL9 = os.path.join(TREES, 'el9')
ETC = os.path.join(EL9, 'etc', 'httpd')
SERVER_ROOT = '/etc/httpd'
HTTPD_CONF = os.path.join(ETC, 'conf', 'httpd.conf')
VERSION = '2.4.62'  # Rocky Linux 9's build in fixtures/public/el9/V.hash-prefixed.txt

# What EL's httpd has compiled in: the "(static)" entries of a real EL8 `httpd -M`.
STATIC = [m['name'] for m in _httpd_output.parse_M(read('public', 'el8', 'M.txt'))
          if m['kind'] == 'static']

_LOADMODULE_RE = re.compile(r'^\s*LoadModule\s+(\S+)\s+(\S+)', re.IGNORECASE)
_OPEN_RE = re.compile(r'^\s*<(?!/)')
_CLOSE_RE = re.compile(r'^\s*</')

need_httpd_conf = pytest.mark.skipif(
    not os.path.exists(HTTPD_CONF),
    reason='EL9 conf/httpd.conf was not found verbatim (fixtures/trees/el9/README.md)')


def parse_el(config_file='conf/httpd.conf', sysroot=EL9):
    return _config.parse(config_file, SERVER_ROOT, modules=STATIC, version=VERSION,
                         sysroot=sysroot)


def host(sysroot, path):
    return os.path.join(sysroot, path.lstrip('/'))


def top_level_loadmodules(path):
    """``[(module_id, so_path, line)]``: the uncommented LoadModule lines outside any section,
    read straight from the file (no parser involved)."""
    found = []
    depth = 0
    with open(path) as handle:
        for number, line in enumerate(handle, 1):
            if _CLOSE_RE.match(line):
                depth -= 1
            elif _OPEN_RE.match(line):
                depth += 1
            else:
                match = _LOADMODULE_RE.match(line)
                if match and depth == 0:
                    found.append((match.group(1), match.group(2), number))
    return found


def mpm_lines(sysroot):
    """The active ``LoadModule mpm_*`` lines of 00-mpm.conf, from the file itself."""
    conf = '/etc/httpd/conf.modules.d/00-mpm.conf'
    return [(conf, module, so, line)
            for module, so, line in top_level_loadmodules(host(sysroot, conf))
            if _mpm.mpm_of_module(module)]


def included_in_order(sysroot, directory):
    """What ``Include <directory>/*.conf`` reads: the *.conf files, sorted like httpd."""
    names = sorted(n for n in os.listdir(host(sysroot, directory)) if n.endswith('.conf'))
    return ['%s/%s' % (directory, name) for name in names]


# -- checks shared by the full tree and the partial one --------------------------------------

def check_include_order(parsed, sysroot, main):
    modules_d = included_in_order(sysroot, '/etc/httpd/conf.modules.d')
    conf_d = included_in_order(sysroot, '/etc/httpd/conf.d')
    # conf.modules.d/*.conf first, then conf.d/*.conf, each sorted as httpd sorts them.
    assert parsed.files == [main] + modules_d + conf_d


def check_mpm(parsed, sysroot):
    active = mpm_lines(sysroot)
    assert len(active) == 1, active  # EL ships exactly one uncommented MPM line
    conf, module, so, line = active[0]
    assert module == 'mpm_event_module'
    entry = parsed.modules[module]
    assert (entry['file'], entry['line']) == (conf, line)
    assert entry['path'] == os.path.join(SERVER_ROOT, so)
    loaded_mpms = [m for m in parsed.modules if _mpm.mpm_of_module(m)]
    assert loaded_mpms == [module]
    assert _mpm.selected_by(parsed, 'event') == {'file': conf, 'line': line}


def check_limits_are_compiled_defaults(parsed):
    # EL sets none of the MPM limits: every value is httpd's compiled default.
    values, sources = _mpm.limits(parsed, 'event')
    assert values == _mpm.DEFAULTS['event']
    assert set(sources.values()) == {'compiled default'}


def check_no_wsgi(parsed, sysroot):
    assert 'wsgi_module' not in parsed.modules
    assert list(parsed.root.iter('WSGIScriptAlias')) == []
    values, sources = _mpm.limits(parsed, 'event')
    apache = {'mpm': {'name': 'event', 'selected_by': _mpm.selected_by(parsed, 'event')},
              'limits': values, 'limits_from': sources}
    analysis = _wsgi_facts.analyse(parsed, apache, {}, sysroot)
    facts = analysis.facts()
    assert facts == {'restrict_embedded': False, 'daemon_groups': [], 'mounts': [], 'vhosts': [],
                     'findings': []}
    resolved = analysis.resolve('http://localhost/')
    assert resolved['mount'] is None
    assert resolved['server'] == '*:80'


# -- the fixture itself ----------------------------------------------------------------------

def test_every_fixture_file_is_documented():
    readme = read('trees', 'el9', 'README.md')
    for base, _dirs, files in os.walk(os.path.join(EL9, 'etc')):
        for name in files:
            rel = os.path.relpath(os.path.join(base, name), EL9)
            assert '`%s`' % rel in readme, rel


def test_00_mpm_conf_is_the_public_el9_capture():
    with open(os.path.join(ETC, 'conf.modules.d', '00-mpm.conf'), 'rb') as tree, \
            open(os.path.join(PUBLIC, 'el9', '00-mpm.conf'), 'rb') as public:
        assert tree.read() == public.read()


# -- what the real files present say, now ----------------------------------------------------

def test_00_mpm_conf_selects_event():
    parsed = parse_el('conf.modules.d/00-mpm.conf')
    assert parsed.errors == []
    assert parsed.files == ['/etc/httpd/conf.modules.d/00-mpm.conf']
    check_mpm(parsed, EL9)
    # The static modules are known without a LoadModule line.
    assert STATIC == ['core_module', 'so_module', 'http_module']
    for name in STATIC:
        assert parsed.modules[name]['path'] is None
    check_limits_are_compiled_defaults(parsed)


def test_welcome_conf_reads_cleanly():
    parsed = parse_el('conf.d/welcome.conf')
    assert parsed.errors == []
    conf = '/etc/httpd/conf.d/welcome.conf'
    sections = [(n.name, n.args, n.line) for n in parsed.root.children if n.is_section]
    assert sections == [('LocationMatch', ['^/+$'], 8),
                        ('Directory', ['/usr/share/httpd/noindex'], 13)]
    aliases = [(n.args[0], n.where) for n in parsed.server_directives('Alias')]
    assert [a[0] for a in aliases] == ['/.noindex.html', '/poweredby.png',
                                       '/system_noindex_logo.png']
    assert aliases[0][1] == conf + ':18'


def test_partial_tree_through_a_stand_in_main_file(tmp_path):
    """The real EL9 files present, included the way EL's httpd.conf includes them (lines 61
    and 358 of the EL9 file, per fixtures/trees/el9/README.md). The main file here is a
    hand-written stand-in, not EL's httpd.conf."""
    root = str(tmp_path / 'root')
    shutil.copytree(os.path.join(EL9, 'etc'), os.path.join(root, 'etc'))
    main = '/etc/httpd/conf/stand-in.conf'
    if not os.path.isdir(os.path.dirname(host(root, main))):
        os.makedirs(os.path.dirname(host(root, main)))
    with open(host(root, main), 'w') as handle:
        handle.write('ServerRoot "/etc/httpd"\nListen 80\n'
                     'Include conf.modules.d/*.conf\nIncludeOptional conf.d/*.conf\n')
    parsed = _config.parse(main, '/nonexistent', modules=STATIC, version=VERSION,
                           sysroot=root)
    assert parsed.errors == []
    assert parsed.server_root == SERVER_ROOT  # ServerRoot took over from the compiled root
    check_include_order(parsed, root, main)
    check_mpm(parsed, root)
    check_limits_are_compiled_defaults(parsed)
    check_no_wsgi(parsed, root)


# -- the full EL9 tree (skipped until conf/httpd.conf is in the fixture) ---------------------

@need_httpd_conf
def test_el9_default_tree():
    parsed = parse_el()
    assert parsed.errors == []
    check_include_order(parsed, EL9, '/etc/httpd/conf/httpd.conf')
    assert parsed.last('ServerRoot').args == [SERVER_ROOT]
    assert parsed.server_root == SERVER_ROOT
    assert [n.args for n in parsed.server_directives('Listen')] == [['80']]
    check_mpm(parsed, EL9)
    # Every top-level LoadModule line in conf.modules.d loaded its module from that line
    # (first one wins, as httpd skips a module that is already loaded).
    expected = {}
    for conf in included_in_order(EL9, '/etc/httpd/conf.modules.d'):
        for module, so, line in top_level_loadmodules(host(EL9, conf)):
            expected.setdefault(module, (conf, line, os.path.join(SERVER_ROOT, so)))
    for module, (conf, line, so) in expected.items():
        entry = parsed.modules[module]
        assert (entry['file'], entry['line'], entry['path']) == (conf, line, so), module
    # Nothing else is loaded but the static modules and LoadModule lines inside sections of
    # conf.modules.d (01-cgi.conf picks mod_cgid or mod_cgi by MPM). conf.d loads nothing.
    for module, entry in parsed.modules.items():
        if module in STATIC:
            assert entry['file'] is None
        else:
            assert entry['file'].startswith('/etc/httpd/conf.modules.d/'), module


@need_httpd_conf
def test_el9_limits_fall_back_to_compiled_defaults():
    check_limits_are_compiled_defaults(parse_el())


@need_httpd_conf
def test_el9_default_tree_has_no_wsgi():
    parsed = parse_el()
    assert parsed.errors == []
    check_no_wsgi(parsed, EL9)
