"""A configuration read before the compiled-in modules are known, then checked against them
(_config.with_compiled_in): what the facts do while httpd lists its modules.

The trees are Debian's /etc/apache2 as the packages install it (fixtures/trees/, captured by
fixtures/debian/capture.sh); the compiled-in modules are those of the captured -M
(fixtures/debian/V/event/ctl-S-M.stdout). A few small trees pin the cases that must be read
again.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _httpd_output
from ansible_collections.modwsgi.apache.plugins.module_utils import _config
from ansible_collections.modwsgi.apache.plugins.module_utils import _mpm_facts
from ansible_collections.modwsgi.apache.tests.unit.helpers import (
    DEBIAN, Replay, banner_bytes, captured, debian_sysroot)

ENV = {'APACHE_LOG_DIR': '/var/log/apache2', 'APACHE_RUN_USER': 'www-data',
       'APACHE_RUN_GROUP': 'www-data', 'APACHE_PID_FILE': '/run/x.pid',
       'APACHE_RUN_DIR': '/run/apache2', 'APACHE_LOCK_DIR': '/run/lock'}
BINS = {'apache2': '/usr/sbin/apache2', 'apache2ctl': '/usr/sbin/apache2ctl'}


def compiled_in(version):
    """The compiled-in modules as _mpm_facts passes them: -M's static ones, as source names."""
    out = captured(os.path.join(DEBIAN, version, 'event'), 'ctl-S-M')[1]
    return [_config.module_source_name(m['name']) for m in _httpd_output.parse_M(out)
            if m['kind'] == 'static']


def tree(node):
    return (node.name, node.args, node.file, node.line,
            None if node.children is None else [tree(child) for child in node.children])


def reading(parsed):
    """Everything a parse returns (absent_asked aside: it tells how the parse went)."""
    return (tree(parsed.root), parsed.server_root, parsed.errors, parsed.files, parsed.defines,
            list(parsed.modules.items()))


def parse(root, modules, path='/etc/apache2/apache2.conf'):
    return _config.parse(path, '/etc/apache2', env=ENV, modules=modules, version='2.4.62',
                         sysroot=root)


@pytest.mark.parametrize('version', ('12', '13'))
@pytest.mark.parametrize('mpm', ('prefork', 'worker', 'event'))
def test_debian_trees_read_the_same(tmp_path, version, mpm):
    root = debian_sysroot(tmp_path, version, mpm)
    modules = compiled_in(version)
    assert 'mod_log_config.c' in modules and 'mod_unixd.c' in modules
    early = _config.with_compiled_in(parse(root, None), modules)
    assert early is not None
    assert reading(early) == reading(parse(root, modules))
    # The compiled-in modules come first, as parse enters them.
    assert list(early.modules)[:len(modules)] == [_config.module_id_from_source(m) for m in modules]


@pytest.mark.parametrize('site', [
    # An <IfModule> that finds a compiled-in module absent, by source name or by id.
    '<IfModule !mod_unixd.c>\nInclude /etc/apache2/missing.conf\n</IfModule>\n',
    '<IfModule log_config_module>\nCustomLog /var/log/x.log combined\n</IfModule>\n',
    # A LoadModule of a compiled-in module: httpd skips it, as already loaded.
    'LoadModule unixd_module /usr/lib/apache2/modules/mod_unixd.so\n',
])
def test_a_reading_the_compiled_in_modules_change_is_refused(tmp_path, site):
    root = debian_sysroot(tmp_path, '12', 'event')
    with open(os.path.join(root, 'etc/apache2/sites-enabled/zz-site.conf'), 'w') as handle:
        handle.write(site)
    modules = compiled_in('12')
    assert reading(parse(root, None)) != reading(parse(root, modules))
    assert _config.with_compiled_in(parse(root, None), modules) is None


def test_no_compiled_in_modules_change_nothing(tmp_path):
    root = debian_sysroot(tmp_path, '12', 'event')
    early = parse(root, None)
    expected = reading(early)
    assert reading(_config.with_compiled_in(early, [])) == expected


@pytest.mark.parametrize('site', ['', '<IfModule !mod_unixd.c>\nInclude /etc/apache2/missing.conf\n</IfModule>\n'])
def test_facts_read_early_are_those_read_after_httpd(tmp_path, site):
    # With the banner in the binary the facts read the configuration while httpd runs;
    # without it, after: the same facts either way, and no parse error from an <IfModule> that
    # only the compiled-in modules answer (the early reading is refused, then read again).
    fixture = os.path.join(DEBIAN, '12', 'event')
    root = debian_sysroot(tmp_path, '12', 'event')
    with open(os.path.join(root, 'etc/apache2/sites-enabled/zz-site.conf'), 'w') as handle:
        handle.write(site)
    late, parsed_late = _mpm_facts.gather(Replay(fixture), BINS.get, sysroot=root, processes=False)
    os.makedirs(os.path.join(root, 'usr', 'sbin'))
    with open(os.path.join(root, 'usr', 'sbin', 'apache2'), 'wb') as handle:
        handle.write(banner_bytes('12'))
    replay = Replay(fixture)
    early, parsed_early = _mpm_facts.gather(replay, BINS.get, sysroot=root, processes=False)
    assert [call[1:] for call in replay.calls] == [['-S', '-M']]
    assert early['parse_errors'] == [] and early == late
    assert reading(parsed_early) == reading(parsed_late)
