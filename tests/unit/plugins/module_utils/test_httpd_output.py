"""Parsers of httpd's own output, on outputs captured from real hosts.

Debian outputs come from tests/unit/fixtures/debian/capture.sh (see the README there); EL,
SUSE and source-build outputs from the public sources named in fixtures/public/README.md.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _httpd_output
from ansible_collections.modwsgi.apache.tests.unit.helpers import (
    DEBIAN, DEBIAN_VERSIONS, MPMS, banner_bytes, captured, read)

DEBIAN_CASES = [(v, m) for v in DEBIAN_VERSIONS for m in MPMS]


def _apache_version(version):
    packages = read('debian', version, 'packages.txt')
    return re.search(r'^apache2\t([0-9.]+)-', packages, re.M).group(1)


@pytest.mark.parametrize('version,mpm', DEBIAN_CASES)
def test_V_on_debian(version, mpm):
    rc, out, dummy = captured(os.path.join(DEBIAN, version, mpm), 'ctl-V')
    assert rc == 0
    built = _httpd_output.parse_V(out)
    assert built['mpm'] == mpm
    assert built['threaded'] is (mpm != 'prefork')
    assert built['forked'] is True
    assert built['version'] == _apache_version(version)
    assert built['server_version'] == 'Apache/%s (Debian)' % built['version']
    assert built['compiled']['HTTPD_ROOT'] == '/etc/apache2'
    assert built['compiled']['SERVER_CONFIG_FILE'] == 'apache2.conf'
    assert built['compiled']['APR_HAS_MMAP'] is None
    assert built['architecture'] == '64-bit'


@pytest.mark.parametrize('version,mpm', DEBIAN_CASES)
def test_M_on_debian(version, mpm):
    rc, out, dummy = captured(os.path.join(DEBIAN, version, mpm), 'ctl-M')
    assert rc == 0
    modules = dict((m['name'], m['kind']) for m in _httpd_output.parse_M(out))
    assert modules['core_module'] == 'static'
    assert modules['mpm_%s_module' % mpm] == 'shared'
    assert modules['wsgi_module'] == 'shared'
    assert [m for m in modules if m.startswith('mpm_')] == ['mpm_%s_module' % mpm]
    # Every line of the module list is parsed.
    assert len(modules) == len(re.findall(r'^ \w+ \((static|shared)\)$', out, re.M))


@pytest.mark.parametrize('version,mpm', DEBIAN_CASES)
def test_S_on_debian(version, mpm):
    rc, out, dummy = captured(os.path.join(DEBIAN, version, mpm), 'ctl-S')
    assert rc == 0
    cfg = _httpd_output.parse_S(out)
    assert cfg['server_root'] == '/etc/apache2'
    assert cfg['pid_file'] == '/var/run/apache2/apache2.pid'
    assert cfg['user'] == 'www-data' and cfg['group'] == 'www-data'
    assert cfg['defines'][:2] == ['DUMP_VHOSTS', 'DUMP_RUN_CFG']
    assert len(cfg['vhosts']) == 1
    vhost = cfg['vhosts'][0]
    assert vhost['address'] == '*:80'
    assert vhost['file'] == '/etc/apache2/sites-enabled/000-default.conf'
    assert vhost['line'] == 1 and vhost['default'] is True


@pytest.mark.parametrize('version', DEBIAN_VERSIONS)
def test_v_and_l_on_debian(version):
    directory = os.path.join(DEBIAN, version, 'event')
    assert _httpd_output.parse_version(captured(directory, 'bin-v')[1])['version'] == \
        _apache_version(version)
    compiled_in = _httpd_output.parse_l(captured(directory, 'bin-l')[1])
    assert compiled_in[:2] == ['core.c', 'mod_so.c']
    assert not [m for m in compiled_in if m in ('prefork.c', 'worker.c', 'event.c')]


@pytest.mark.parametrize('version', ('12', '13'))
def test_broken_config(version):
    directory = os.path.join(DEBIAN, version, 'broken')
    # -V still answers: it does not need a valid configuration.
    assert _httpd_output.parse_V(captured(directory, 'ctl-V')[1])['mpm'] == 'event'
    for name in ('ctl-S', 'ctl-M'):
        rc, out, err = captured(directory, name)
        assert rc != 0
        message = _httpd_output.error_text(out, err)
        assert message.startswith('AH00526: Syntax error on line 1 of '
                                  '/etc/apache2/conf-enabled/zz-broken.conf:')
        assert "Invalid command 'ThisIsNotADirective'" in message


@pytest.mark.parametrize('version,mpm', DEBIAN_CASES)
def test_combined_run_reads_as_the_separate_runs(version, mpm):
    """The real ``apache2ctl -S -M`` (capture-combined.sh) against the real ``-S`` and ``-M``
    (capture.sh) of the same Apache, MPM and configuration: the same modules, the same run
    settings and vhosts; ``DUMP_MODULES`` joins the defines (the facts drop ``DUMP_*``), and
    the default vhost's name is the container's address, which differs between captures."""
    directory = os.path.join(DEBIAN, version, mpm)
    rc, out, dummy = captured(directory, 'ctl-S-M')
    assert rc == 0
    assert _httpd_output.parse_M(out) == _httpd_output.parse_M(captured(directory, 'ctl-M')[1])
    combined = _httpd_output.parse_S(out)
    separate = _httpd_output.parse_S(captured(directory, 'ctl-S')[1])
    assert combined['defines'] == separate['defines'] + ['DUMP_MODULES']
    for cfg in (combined, separate):
        del cfg['defines']
        assert re.match(r'^10\.88\.0\.\d+$', cfg['vhosts'][0]['name'])
        cfg['vhosts'][0]['name'] = 'ADDRESS'
    assert combined == separate
    # Not one module line is read as a vhost, nor a vhost line as a module.
    assert len(_httpd_output.parse_M(out)) == len(re.findall(r'^ \w+ \((static|shared)\)$', out, re.M))


@pytest.mark.parametrize('version', ('12', '13'))
def test_combined_run_on_broken_config(version):
    directory = os.path.join(DEBIAN, version, 'broken')
    rc, out, err = captured(directory, 'ctl-S-M')
    assert rc != 0
    assert _httpd_output.parse_M(out) == []
    assert _httpd_output.error_text(out, err) == _httpd_output.error_text(*captured(directory, 'ctl-S')[1:])


def test_error_text_drops_servername_noise():
    assert _httpd_output.error_text('', "AH00558: apache2: Could not reliably determine the "
                                    "server's fully qualified domain name\nSyntax OK\n") == ''


def test_mod_php_listed():
    out = captured(os.path.join(DEBIAN, '12', 'mod_php'), 'ctl-M')[1]
    names = [m['name'] for m in _httpd_output.parse_M(out)]
    assert 'mpm_prefork_module' in names
    assert [n for n in names if n.startswith('php')]


def test_V_el8():
    built = _httpd_output.parse_V(read('public', 'el8', 'V.txt'))
    assert built['version'] == '2.4.37'
    assert built['mpm'] == 'event'
    assert built['threaded'] is True
    assert built['compiled']['HTTPD_ROOT'] == '/etc/httpd'
    assert built['compiled']['SERVER_CONFIG_FILE'] == 'conf/httpd.conf'


def test_M_el8_with_noise_line():
    modules = _httpd_output.parse_M(read('public', 'el8', 'M.txt'))
    names = [m['name'] for m in modules]
    assert 'mpm_event_module' in names and 'systemd_module' in names
    assert {'name': 'core_module', 'kind': 'static'} in modules


def test_V_el9():
    # The public copy prefixes each line with "# "; the text after it is verbatim.
    text = '\n'.join(line[2:] for line in read('public', 'el9', 'V.hash-prefixed.txt').splitlines())
    built = _httpd_output.parse_V(text)
    assert built['version'].startswith('2.4.')
    assert built['compiled']['HTTPD_ROOT'] == '/etc/httpd'
    assert built['mpm'] in ('event', 'prefork', 'worker')


def test_V_source_build():
    built = _httpd_output.parse_V(read('public', 'source', 'V.txt'))
    assert built['compiled']['HTTPD_ROOT'] == '/usr/local/apache2'
    assert built['mpm'] == 'prefork'
    assert built['threaded'] is False


def test_S_suse_name_based_vhosts():
    cfg = _httpd_output.parse_S(read('public', 'suse15', 'sles12sp5-apache2ctl-S.txt'))
    assert cfg['vhosts'], cfg
    for vhost in cfg['vhosts']:
        assert vhost['file'].startswith('/etc/apache2/')
        assert vhost['line'] > 0


def test_S_el9_aliases():
    cfg = _httpd_output.parse_S(read('public', 'el9', 'S.partial.txt'))
    assert len(cfg['vhosts']) >= 2
    assert any(v['aliases'] for v in cfg['vhosts'])


@pytest.mark.parametrize('version', DEBIAN_VERSIONS)
def test_banner_of_the_binary_is_what_v_prints(version):
    rc, out, dummy = captured(os.path.join(DEBIAN, version, 'event'), 'bin-v')
    expected = _httpd_output.parse_version(out)
    del expected['built']  # -v's second line: not a string of the binary, and not reported
    assert _httpd_output.banner_version(banner_bytes(version)) == expected


def test_banner_only_when_the_binary_holds_exactly_one():
    data = banner_bytes('12')
    assert _httpd_output.banner_version(data + data)['version'] == '2.4.68'
    assert _httpd_output.banner_version(data + banner_bytes('13')) == {}
    assert _httpd_output.banner_version(data.replace(b'\0Apache/2.4.68 (', b'\0Apache/2.4.68x(')) == {}
    assert _httpd_output.banner_version(b'') == {} and _httpd_output.banner_version(None) == {}
