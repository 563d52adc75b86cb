"""mpm_facts must say what Apache itself says on the host.

Each check runs apache2ctl (apachectl on the EL 9 layout host) on the host and compares its
answer with the facts; the expected MPM is the one prepare switched to by hand. The paths and
commands of each layout are the scenario's group_vars (molecule.yml).
"""

import re

import pytest

_CACHE = {}


def run_facts(host):
    result = host.ansible('modwsgi.apache.mpm_facts', check=False)
    assert not result.get('failed'), result
    assert result['changed'] is False
    return result['ansible_facts']['apache']


def facts(host):
    """The facts of this host, gathered once (each run costs an Ansible round trip)."""
    key = host.backend.get_hostname()
    if key not in _CACHE:
        _CACHE[key] = run_facts(host)
    return _CACHE[key]


def hostvar(host, name):
    return host.ansible.get_variables()[name]


def mpm_path(host, name, mpm):
    """A path of the layout's group_vars, with its %s made the MPM's name."""
    return hostvar(host, name).replace('%s', mpm)


def ctl(host, *args):
    cmd = host.run('LANG=C %s %s' % (hostvar(host, 'apache_ctl'), ' '.join(args)))
    assert cmd.rc == 0, cmd.stderr
    return cmd.stdout


@pytest.fixture()
def expected_mpm(host):
    groups = host.ansible.get_variables()['group_names']
    if 'apache' not in groups:
        pytest.skip('host without Apache')
    return host.ansible.get_variables()['expected_mpm']


def test_without_apache(host):
    if 'no_apache' not in host.ansible.get_variables()['group_names']:
        pytest.skip('host with Apache')
    apache = facts(host)
    assert apache['installed'] is False
    assert not host.exists(hostvar(host, 'apache_ctl'))


def test_mpm_matches_apache2ctl_V(host, expected_mpm):
    apache = facts(host)
    text = ctl(host, '-V')
    assert apache['installed'] is True
    assert apache['layout'] == hostvar(host, 'apache_layout')
    assert apache['mpm']['name'] == expected_mpm
    assert apache['mpm']['name'] == re.search(r'^Server MPM:\s+(\w+)', text, re.M).group(1)
    assert apache['mpm']['threaded'] == ('threaded:     yes' in text)
    assert apache['mpm']['forked'] == ('forked:     yes' in text)
    assert apache['mpm']['static'] is False
    assert apache['version'] == re.search(r'Apache/([0-9.]+)', text).group(1)
    assert apache['config_ok'] is True
    assert apache['config_error'] is None


def test_modules_match_apache2ctl_M(host, expected_mpm):
    apache = facts(host)
    listed = dict(re.findall(r'^ (\w+) \((static|shared)\)$', ctl(host, '-M'), re.M))
    assert apache['modules'] == listed
    assert 'mpm_%s_module' % expected_mpm in apache['modules']
    assert apache['thread_unsafe_modules'] == []


def test_selected_by_names_the_load_file(host, expected_mpm):
    selected = facts(host)['mpm']['selected_by']
    assert selected['file'] == mpm_path(host, 'mpm_load_file', expected_mpm)
    line = host.file(selected['file']).content_string.splitlines()[selected['line'] - 1]
    assert line.split()[:2] == ['LoadModule', 'mpm_%s_module' % expected_mpm]


def test_limits_come_from_the_mpm_conf(host, expected_mpm):
    apache = facts(host)
    conf = mpm_path(host, 'mpm_limits_conf', expected_mpm)
    configured = dict(
        (m.group(1), int(m.group(2)))
        for m in re.finditer(r'^\s*(\w+)\s+(\d+)\s*$', host.file(conf).content_string, re.M))
    assert configured, conf
    for name, value in configured.items():
        assert apache['limits'][name] == value, name
        where = mpm_path(host, 'mpm_limits_from', expected_mpm) + ':'
        assert apache['limits_from'][name].startswith(where)


def test_processes_are_apaches(host, expected_mpm):
    apache = run_facts(host)
    process = hostvar(host, 'apache_process')
    pids = sorted(int(p) for p in host.check_output('pgrep -x ' + process).split())
    assert apache['processes']['pids'] == pids
    assert apache['processes']['count'] == len(pids) > 1
    assert apache['processes']['rss_mb'] > 0


def test_check_mode_gives_the_same_facts(host, expected_mpm):
    result = host.ansible('modwsgi.apache.mpm_facts', 'processes=false', check=True)
    assert result['changed'] is False
    assert result['ansible_facts']['apache']['mpm']['name'] == expected_mpm


def test_broken_config_still_reports(host, expected_mpm):
    broken_conf = hostvar(host, 'broken_conf')
    host.run("printf 'ThisIsNotADirective on\\n' > %s" % broken_conf)
    try:
        apache = run_facts(host)
    finally:
        host.run('rm -f %s' % broken_conf)
    assert apache['installed'] is True
    assert apache['config_ok'] is False
    assert "Invalid command 'ThisIsNotADirective'" in apache['config_error']
    assert apache['version']
    assert apache['mpm']['name'] == expected_mpm
    assert apache['mpm']['selected_by']['file'] == mpm_path(host, 'mpm_load_file', expected_mpm)
