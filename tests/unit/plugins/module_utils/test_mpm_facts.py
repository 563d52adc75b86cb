"""apache_facts end to end, replaying commands captured on real Debian hosts.

The runner answers from fixtures/debian/V/MPM/*.{stdout,stderr,rc}; the filesystem is the
captured /etc/apache2 of the same Debian, switched to that MPM as a2enmod would.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _httpd_output
from ansible_collections.modwsgi.apache.plugins.module_utils import _config
from ansible_collections.modwsgi.apache.plugins.module_utils import _httpd_runs
from ansible_collections.modwsgi.apache.plugins.module_utils import _mpm_facts
from ansible_collections.modwsgi.apache.tests.unit.helpers import (
    DEBIAN, MPMS, Replay, banner_bytes, debian_sysroot, read)

BINS = {'apache2': '/usr/sbin/apache2', 'apache2ctl': '/usr/sbin/apache2ctl'}


def gather(tmp_path, version, mpm, fixture=None, **kwargs):
    root = debian_sysroot(tmp_path, version, mpm)
    replay = Replay(os.path.join(DEBIAN, version, fixture or mpm))
    facts = _mpm_facts.apache_facts(replay, BINS.get, sysroot=root, **kwargs)
    return facts, replay


@pytest.mark.parametrize('version', ('12', '13'))
@pytest.mark.parametrize('mpm', MPMS)
def test_debian_facts(tmp_path, version, mpm):
    facts, replay = gather(tmp_path, version, mpm, processes=False)
    assert facts['installed'] is True
    assert facts['layout'] == 'debian'
    assert facts['binary'] == '/usr/sbin/apache2' and facts['ctl'] == '/usr/sbin/apache2ctl'
    assert facts['service'] == 'apache2'
    assert facts['config_file'] == '/etc/apache2/apache2.conf'
    assert facts['server_root'] == '/etc/apache2'
    assert facts['config_ok'] is True and facts['config_error'] is None
    assert facts['parse_errors'] == []
    assert facts['mpm'] == {
        'name': mpm, 'threaded': mpm != 'prefork', 'forked': True, 'static': False,
        'selected_by': {'file': '/etc/apache2/mods-enabled/mpm_%s.load' % mpm, 'line': 2}}
    assert facts['modules']['mpm_%s_module' % mpm] == 'shared'
    assert facts['thread_unsafe_modules'] == []
    assert 'processes' not in facts
    # Two httpd runs, and one reads the configuration: -S -M, through apache2ctl, since
    # Debian's apache2 needs envvars for it. The version comes from the plain binary's -v, which
    # reads nothing; -V would read the configuration again. The compiled-in modules are -M's
    # static ones, so -l does not run (four runs at first, then three, then two with -V).
    assert sorted(replay.calls) == [['/usr/sbin/apache2', '-v'], ['/usr/sbin/apache2ctl', '-S', '-M']]


@pytest.mark.parametrize('version', ('12', '13'))
@pytest.mark.parametrize('mpm', MPMS)
def test_static_modules_of_M_are_those_of_l(version, mpm):
    """The captured -l and the "(static)" entries of the captured -M, side by side."""
    fixture = os.path.join(DEBIAN, version, mpm)
    listed = _httpd_output.parse_l(read(fixture, 'bin-l.stdout'))
    static = [_config.module_source_name(m['name'])
              for m in _httpd_output.parse_M(read(fixture, 'ctl-M.stdout')) if m['kind'] == 'static']
    assert static == listed and 'core.c' in static


@pytest.mark.parametrize('mpm', MPMS)
def test_limits_are_the_packaged_mpm_conf(tmp_path, mpm):
    facts = gather(tmp_path, '12', mpm, processes=False)[0]
    conf = read('trees', 'debian12', 'etc', 'apache2', 'mods-available', 'mpm_%s.conf' % mpm)
    configured = dict((m.group(1), int(m.group(2)))
                      for m in re.finditer(r'^\s*(\w+)\s+(\d+)\s*$', conf, re.M))
    assert configured
    for name, value in configured.items():
        assert facts['limits'][name] == value
        assert facts['limits_from'][name].startswith(
            '/etc/apache2/mods-enabled/mpm_%s.conf:' % mpm)
    assert facts['limits']['ServerLimit'] == (256 if mpm == 'prefork' else 16)
    assert facts['limits_from']['ServerLimit'] == 'compiled default'


def test_broken_config_reports_what_it_can(tmp_path):
    root = debian_sysroot(tmp_path, '12', 'event')
    with open(os.path.join(root, 'etc/apache2/conf-enabled/zz-broken.conf'), 'w') as handle:
        handle.write('ThisIsNotADirective on\n')
    replay = Replay(os.path.join(DEBIAN, '12', 'broken'))
    facts = _mpm_facts.apache_facts(replay, BINS.get, sysroot=root, processes=False)
    assert facts['config_ok'] is False
    assert "Invalid command 'ThisIsNotADirective'" in facts['config_error']
    assert facts['version'] == '2.4.68'
    assert facts['mpm']['name'] == 'event'
    assert facts['mpm']['selected_by']['file'] == '/etc/apache2/mods-enabled/mpm_event.load'
    # -M failed, so the modules come from reading the config.
    assert facts['modules']['wsgi_module'] == 'shared'
    assert facts['modules']['core_module'] == 'static'
    assert facts['limits']['MaxRequestWorkers'] == 150
    # Without -M, -l tells the compiled-in modules.
    assert ['/usr/sbin/apache2', '-l'] in replay.calls


def test_mod_php_is_thread_unsafe(tmp_path):
    facts = gather(tmp_path, '12', 'prefork', fixture='mod_php', processes=False)[0]
    assert facts['mpm']['name'] == 'prefork'
    assert [m['name'] for m in facts['thread_unsafe_modules']] == ['php_module']
    assert 'prefork' in facts['thread_unsafe_modules'][0]['reason']


def test_source_build_reads_its_paths_from_V(tmp_path):
    """A source build's paths are its own: only there -V runs (a public capture of a build in
    /usr/local/apache2, MPM prefork compiled in); its -S -M was not captured, so it fails."""
    binary = '/opt/httpd/bin/httpd'
    calls = []

    def run(argv):
        calls.append(list(argv))
        if argv == [binary, '-V']:
            return 0, read('public', 'source', 'V.txt'), ''
        return 127, '', 'not captured'

    facts = _mpm_facts.apache_facts(run, {}.get, sysroot=str(tmp_path), binary=binary,
                                    processes=False)
    assert facts['layout'] == 'source'
    assert facts['version'] == '2.4.41'
    assert facts['config_file'] == '/usr/local/apache2/conf/httpd.conf'
    assert facts['mpm']['name'] == 'prefork' and facts['mpm']['threaded'] is False
    # The two runs at once (in either order), then -l, since -S -M failed.
    assert sorted(calls[:2]) == [[binary, '-S', '-M'], [binary, '-V']] and calls[2:] == [[binary, '-l']]


@pytest.mark.parametrize('mpm', MPMS)
def test_processes_from_captured_proc(tmp_path, mpm):
    fixture = os.path.join(DEBIAN, '12', mpm)
    root = debian_sysroot(tmp_path, '12', mpm)
    # The pid file is where -S says, inside the sysroot.
    pid_dir = os.path.join(root, 'var', 'run', 'apache2')
    os.makedirs(pid_dir)
    with open(os.path.join(fixture, 'proc', 'apache2.pid')) as src:
        with open(os.path.join(pid_dir, 'apache2.pid'), 'w') as dst:
            dst.write(src.read())
    facts = _mpm_facts.apache_facts(Replay(fixture), BINS.get, sysroot=root,
                                    proc_root=os.path.join(fixture, 'proc'))
    pids = sorted(int(p) for p in os.listdir(os.path.join(fixture, 'proc')) if p.isdigit())
    assert facts['processes']['pids'] == pids
    assert facts['processes']['count'] == (6 if mpm == 'prefork' else 3)
    assert facts['processes']['rss_mb'] > 1
    assert facts['processes']['pss_mb'] > 1


def test_no_apache(tmp_path):
    facts = _mpm_facts.apache_facts(Replay(str(tmp_path)), {}.get, sysroot=str(tmp_path))
    assert facts == {'installed': False, 'layout': None}


def test_layout_files_without_binary(tmp_path):
    (tmp_path / 'etc' / 'httpd' / 'conf').mkdir(parents=True)
    (tmp_path / 'etc' / 'httpd' / 'conf' / 'httpd.conf').write_text('')
    facts = _mpm_facts.apache_facts(Replay(str(tmp_path)), {}.get, sysroot=str(tmp_path))
    assert facts == {'installed': False, 'layout': 'redhat'}


def test_started_by_the_caller_reads_the_same(tmp_path):
    # wsgi_facts and mpm_facts start httpd's runs, then import the parsers: the same facts,
    # from the same two runs.
    fixture = os.path.join(DEBIAN, '12', 'event')
    root = debian_sysroot(tmp_path, '12', 'event')
    replay = Replay(fixture)
    started = _httpd_runs.start(replay, BINS.get, sysroot=root)
    facts = _mpm_facts.gather(replay, BINS.get, sysroot=root, processes=False, started=started)[0]
    assert sorted(call[1] for call in replay.calls) == ['-S', '-v']
    assert facts == _mpm_facts.gather(Replay(fixture), BINS.get, sysroot=root, processes=False)[0]
    assert _httpd_runs.start(replay, {}.get, sysroot=str(tmp_path / 'none')) == {
        'located': None, 'built': None, 'wait': None}


@pytest.mark.parametrize('version', ['12', '13'])  # the configuration trees captured
def test_version_from_the_binary_spares_the_v_run(tmp_path, version):
    # The real bytes around the banner of Debian's /usr/sbin/apache2 stand for the binary.
    fixture = os.path.join(DEBIAN, version, 'event')
    root = debian_sysroot(tmp_path, version, 'event')
    expected = _mpm_facts.apache_facts(Replay(fixture), BINS.get, sysroot=root, processes=False)
    os.makedirs(os.path.join(root, 'usr', 'sbin'))
    with open(os.path.join(root, 'usr', 'sbin', 'apache2'), 'wb') as handle:
        handle.write(banner_bytes(version))
    replay = Replay(fixture)
    facts = _mpm_facts.apache_facts(replay, BINS.get, sysroot=root, processes=False)
    assert [call[1:] for call in replay.calls] == [['-S', '-M']]
    assert facts == expected and facts['server_version'].startswith('Apache/2.4.')
