"""The role daemon_mode, through behaviour: HTTP answers, the live probe, and bad inputs."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared'))
from modwsgi_testinfra import ansible, get, playbook  # noqa: E402  pylint: disable=wrong-import-position

APPS = {
    # name: (server name, port, URL path, processes, threads)
    'alpha': ('alpha.test', 80, '/', 2, 4),
    'beta': ('beta.test', 8080, '/beta', 1, 3),
}


def test_apache_runs_and_listens(host):
    assert host.service('apache2').is_running
    assert host.service('apache2').is_enabled
    assert host.socket('tcp://0.0.0.0:80').is_listening or host.socket('tcp://:::80').is_listening
    assert host.socket('tcp://0.0.0.0:8080').is_listening or host.socket('tcp://:::8080').is_listening


def test_alpha_answers_on_its_names(host):
    for name in ('alpha.test', 'www.alpha.test'):
        answer = get(host, 'http://127.0.0.1/', name)
        assert answer['status'] == 200, answer
        assert answer['content'] == 'alpha says hello from alpha\n'
    static = get(host, 'http://127.0.0.1/static/hello.txt', 'alpha.test')
    assert static['status'] == 200 and static['content'] == 'alpha static\n'


def test_beta_answers_as_its_own_user(host):
    uid = host.user('beta').uid
    answer = get(host, 'http://127.0.0.1:8080/beta', 'beta.test')
    assert answer['status'] == 200, answer
    assert answer['content'] == 'beta says hello as uid %d\n' % uid


@pytest.mark.parametrize('name', sorted(APPS))
def test_daemon_mode_in_own_group_on_event(host, name):
    server_name, port, _path, processes, threads = APPS[name]
    answer = ansible(host, 'modwsgi.apache.probe', {
        'url': 'http://127.0.0.1:%d/.well-known/modwsgi-probe/%s' % (port, name), 'host': server_name,
        'expect_mode': 'daemon', 'expect_group': name})
    assert not answer.get('failed'), answer
    assert answer['mode'] == 'daemon'
    assert answer['process_group'] == name
    assert answer['application_group'] == ''  # %{GLOBAL}
    assert (answer['processes'], answer['threads']) == (processes, threads)
    assert answer['mpm'] == 'event'


def test_static_version_is_the_live_one(host):
    """wsgi_facts reads mod_wsgi's version from dpkg; the live probe reports mod_wsgi.version."""
    facts = ansible(host, 'modwsgi.apache.wsgi_facts', {'apache_facts': True})['ansible_facts']
    answer = ansible(host, 'modwsgi.apache.probe', {
        'url': 'http://127.0.0.1/.well-known/modwsgi-probe/alpha', 'host': 'alpha.test'})
    assert facts['mod_wsgi']['version'] and facts['mod_wsgi']['version'] == answer['mod_wsgi_version']
    # apache_facts: mpm_facts' facts from the same call.
    assert facts['apache']['mpm']['name'] == answer['mpm'] == 'event'
    assert facts['apache']['processes']['count'] >= 2


def test_probe_is_local_only(host):
    # From the container's own non-loopback address the probe must refuse (Require local).
    address = host.check_output("hostname -I | awk '{print $1}'")
    answer = get(host, 'http://%s/.well-known/modwsgi-probe/alpha' % address, 'alpha.test')
    assert answer['status'] == 403, answer


def test_embedded_mode_is_restricted(host):
    facts = ansible(host, 'modwsgi.apache.wsgi_facts', {})
    assert facts['ansible_facts']['mod_wsgi']['restrict_embedded'] is True


def test_our_files_are_root_0644(host):
    paths = ['/etc/apache2/conf-available/modwsgi.conf',
             '/etc/apache2/sites-available/modwsgi-alpha.conf',
             '/etc/apache2/sites-available/modwsgi-beta.conf',
             '/usr/local/share/modwsgi-probe/probe.wsgi']
    for path in paths:
        f = host.file(path)
        assert f.is_file, path
        assert (f.user, f.group, f.mode) == ('root', 'root', 0o644), path
    assert not host.file('/etc/apache2/sites-available/modwsgi-gone.conf').exists
    # No backup is left next to the files Apache reads.
    assert not host.run('ls /etc/apache2/sites-available/ | grep "~$"').stdout


def test_reload_gives_new_daemon_processes(host):
    before = dict((name, ansible(host, 'modwsgi.apache.probe', {
        'url': 'http://127.0.0.1:%d/.well-known/modwsgi-probe/%s' % (APPS[name][1], name),
        'host': APPS[name][0]})['pid']) for name in APPS)
    output = playbook('role_default', 'reload.yml')
    for name in APPS:
        assert '%s: reloaded, daemon pid' % name in output
    test_alpha_answers_on_its_names(host)
    test_beta_answers_as_its_own_user(host)
    assert before  # the pids are compared by the role itself, against its own probe


@pytest.mark.skipif(os.environ.get('MOLECULE_DISTRO', 'debian12') != 'debian12',
                    reason='preflight is the same on every distro: its 4 cases run on Debian 12 only')
def test_bad_inputs_fail_in_preflight(host):
    output = playbook('role_default', 'bad_inputs.yml')
    assert output.count("refused by") == 4
