"""modwsgi_install: pip and modwsgi_mpm_tuning: auto, through behaviour: HTTP answers, the live
probe, Apache's own module list and limits, a check-mode run, bad inputs, and last (Debian 12) the
move of the applications' venvs to a second Python (pyenv's 3.12), which mod_wsgi is built again
with. On el9 (the EL 9 layout host) the venvs are 3.12's from the start (prepare.yml)."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'shared'))

from modwsgi_testinfra import ansible, get, playbook, playbook_result, recap_changed  # noqa: E402 pylint: disable=wrong-import-position

PIP_VERSION = '6.1.1'
# Debian 12's own Python, and the second one (pyenv's, prepare.yml and second_python.yml).
FIRST_PYTHON, SECOND_PYTHON = '3.11', '3.12'
# What differs between the two hosts (molecule.yml): where Apache's files are, its user, its
# control script, the distribution's mod_wsgi package, and the applications' first Python.
LAYOUTS = {
    'debian12': {
        'user': 'www-data', 'ctl': 'apache2ctl', 'pid_file': '/var/run/apache2/apache2.pid',
        'wsgi_package': 'libapache2-mod-wsgi-py3', 'python': FIRST_PYTHON,
        'load_file': '/etc/apache2/mods-available/modwsgi-pip.load',
        'conf_dir': '/etc/apache2/conf-available',
        'tuning_from': '/etc/apache2/conf-enabled/modwsgi-mpm-tuning.conf:',
    },
    'el9': {
        'user': 'apache', 'ctl': 'apachectl', 'pid_file': '/run/httpd/httpd.pid',
        'wsgi_package': 'python3-mod_wsgi', 'python': SECOND_PYTHON,
        'load_file': '/etc/httpd/conf.modules.d/10-modwsgi-pip.conf',
        'conf_dir': '/etc/httpd/conf.d',
        'tuning_from': '/etc/httpd/conf.d/modwsgi-mpm-tuning.conf:',
    },
}
LAYOUT = LAYOUTS[os.environ.get('MOLECULE_DISTRO', 'debian12')]
APPS = {
    # name: (server name, URL path, processes, threads)
    'shop': ('shop.test', '/', 2, 5),
    'api': ('api.test', '/api', 1, 10),
}
# mod_wsgi-express's rule for 2 x 5 + 1 x 10 = 20 daemon threads: max_clients
# 10 + max(10, int(1.5 * 20)) = 40; ThreadsPerChild int(40 / (int(40 / 20) + 1)) = 13;
# ServerLimit ceil(40 / 13) = 4; MaxRequestWorkers 4 x 13 = 52; MaxSpareThreads int(0.6 x 4) x 13.
EVENT_LIMITS = {'ServerLimit': 4, 'ThreadLimit': 13, 'ThreadsPerChild': 13,
                'MaxRequestWorkers': 52, 'StartServers': 1, 'MinSpareThreads': 13,
                'MaxSpareThreads': 26}


def wsgi_package_installed(host):
    """Whether the distribution's mod_wsgi package is installed. On el9, through rpm -q (the
    stand-in, tests/images/el9/rpm), which has no --quiet for testinfra's own check."""
    if LAYOUT['wsgi_package'] == 'python3-mod_wsgi':
        return host.run('rpm -q python3-mod_wsgi').rc == 0
    return host.package(LAYOUT['wsgi_package']).is_installed


@pytest.mark.parametrize('name', sorted(APPS))
def test_app_runs_in_its_own_venv_not_as_root(host, name, python=LAYOUT['python']):
    server_name, path, _processes, _threads = APPS[name]
    answer = get(host, 'http://127.0.0.1' + path, server_name)
    assert answer['status'] == 200, answer
    fields = dict(part.split('=', 1) for part in answer['content'].split(': ', 1)[1].split())
    assert answer['content'].startswith(name + ': ')
    assert fields['prefix'] == '/srv/%s/venv' % name
    assert fields['marker'] == '%s-venv' % name
    assert fields['uid'] == str(host.user(LAYOUT['user']).uid)
    assert fields['mod_wsgi'] == PIP_VERSION
    assert fields['python'] == python


@pytest.mark.parametrize('name', sorted(APPS))
def test_probe_says_daemon_mode_with_the_pip_mod_wsgi(host, name, python=LAYOUT['python']):
    server_name, _path, processes, threads = APPS[name]
    answer = ansible(host, 'modwsgi.apache.probe', {
        'url': 'http://127.0.0.1/.well-known/modwsgi-probe/' + name, 'host': server_name,
        'expect_mode': 'daemon', 'expect_group': name})
    assert not answer.get('failed'), answer
    assert (answer['mode'], answer['process_group']) == ('daemon', name)
    assert (answer['processes'], answer['threads']) == (processes, threads)
    assert answer['mpm'] == 'event'
    assert answer['mod_wsgi_version'] == PIP_VERSION
    assert answer['python_version'].startswith(python + '.')


def test_one_mod_wsgi_is_loaded_and_it_is_the_venvs(host):
    assert not wsgi_package_installed(host)
    modules = host.check_output('%s -M 2>/dev/null' % LAYOUT['ctl'])
    assert modules.count('wsgi_module') == 1
    facts = ansible(host, 'modwsgi.apache.mpm_facts', {'processes': False})['ansible_facts']['apache']
    assert facts['mpm']['name'] == 'event'
    # The shared object Apache mapped is the one pip built in the venv.
    maps = host.check_output('cat /proc/$(cat %s)/maps' % LAYOUT['pid_file'])
    assert '/opt/modwsgi/venv/lib/' in maps and 'mod_wsgi' in maps
    # wsgi_facts reads the same version statically, from the venv's pip metadata.
    wsgi = ansible(host, 'modwsgi.apache.wsgi_facts', {})['ansible_facts']['mod_wsgi']
    assert wsgi['module_path'].startswith('/opt/modwsgi/venv/lib/')
    assert wsgi['version'] == PIP_VERSION


def test_event_mpm_is_sized_for_the_daemon_capacity(host):
    facts = ansible(host, 'modwsgi.apache.mpm_facts', {'processes': False})['ansible_facts']['apache']
    for directive, value in EVENT_LIMITS.items():
        assert facts['limits'][directive] == value, (directive, facts['limits'])
        assert facts['limits_from'][directive].startswith(LAYOUT['tuning_from']), facts['limits_from']


def test_our_files_are_root_0644(host):
    for path in (LAYOUT['load_file'], LAYOUT['conf_dir'] + '/modwsgi-mpm-tuning.conf',
                 LAYOUT['conf_dir'] + '/modwsgi.conf'):
        f = host.file(path)
        assert f.is_file, path
        assert (f.user, f.group, f.mode) == ('root', 'root', 0o644), path
    assert not host.run('ls %s/ | grep "~$"' % LAYOUT['conf_dir']).stdout


def test_check_mode_run_changes_nothing(host):
    output = playbook('pip_venv', 'converge.yml', '--check', '--diff')
    assert recap_changed(output) == [0], output[-3000:]
    assert ('modwsgi_mpm_tuning=auto: the daemon capacity of the applications is 20 threads, so the '
            'event MPM gets ServerLimit 4, ThreadLimit 13, StartServers 1, MaxRequestWorkers 52') in output


def test_bad_inputs_fail_in_preflight(host):
    output = playbook('pip_venv', 'bad_inputs.yml')
    assert output.count('refused by') == 2
    test_app_runs_in_its_own_venv_not_as_root(host, 'shop')


# The scenario has no Molecule idempotence step: on Debian 12 the last test runs the role a second
# time after the rebuild, on el9 this one does.
@pytest.mark.skipif(LAYOUT['python'] != SECOND_PYTHON, reason='the last test runs the role a second time')
def test_a_second_run_changes_nothing(host):
    output = playbook('pip_venv', 'converge.yml')
    assert recap_changed(output) == [0], output[-3000:]


# Last: it changes the host. On el9 the venvs are of the second Python already.
@pytest.mark.skipif(LAYOUT['python'] == SECOND_PYTHON, reason='the venvs are of the second Python from the start')
def test_the_applications_move_to_a_second_python_and_mod_wsgi_follows(host):
    playbook('pip_venv', 'second_python.yml')
    pip_venv = host.check_output('cat /opt/modwsgi/venv/pyvenv.cfg')
    assert 'python' + FIRST_PYTHON in pip_venv
    # Check mode says that the venv is made again, and leaves it as it is.
    output = playbook('pip_venv', 'converge.yml', '--check')
    assert recap_changed(output)[0] > 0, output[-3000:]
    assert 'is a venv of /usr/bin/python%s; it is made again' % FIRST_PYTHON in output
    assert host.check_output('cat /opt/modwsgi/venv/pyvenv.cfg') == pip_venv
    # A build that fails (a release PyPI does not have) puts the venv of the first Python back:
    # the LoadModule Apache restarts with still names a module on disk.
    returncode, output = playbook_result('pip_venv', 'converge.yml', '-e', 'modwsgi_pip_version=0.0.1')
    assert returncode != 0 and 'is back in its place' in output, output[-3000:]
    assert host.check_output('cat /opt/modwsgi/venv/pyvenv.cfg') == pip_venv
    assert not host.file('/opt/modwsgi/venv.modwsgi-previous').exists
    assert host.run('%s -t' % LAYOUT['ctl']).rc == 0
    output = playbook('pip_venv', 'converge.yml')
    assert recap_changed(output)[0] > 0, output[-3000:]
    assert 'python' + SECOND_PYTHON in host.check_output('cat /opt/modwsgi/venv/pyvenv.cfg')
    # The visitors' pages and the probe answer from each group, on the second Python.
    for name in sorted(APPS):
        test_app_runs_in_its_own_venv_not_as_root(host, name, python=SECOND_PYTHON)
        test_probe_says_daemon_mode_with_the_pip_mod_wsgi(host, name, python=SECOND_PYTHON)
    assert host.check_output('%s -M 2>/dev/null' % LAYOUT['ctl']).count('wsgi_module') == 1
    # A second run builds nothing.
    output = playbook('pip_venv', 'converge.yml')
    assert recap_changed(output) == [0], output[-3000:]
