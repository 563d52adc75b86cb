"""The role daemon_mode, through behaviour: HTTP answers, the live probe, and bad inputs."""

import json
import os
import re
import shlex
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared'))
from modwsgi_testinfra import ansible, ansible_each, get, playbook  # noqa: E402  pylint: disable=wrong-import-position

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'benchmarks'))
from bench.measurement import CONTROLLER_ACTIONS, host_calls, json_changed  # noqa: E402  pylint: disable=wrong-import-position

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


# Each module call from the tests starts Ansible again (seconds): the probes of both
# applications are one playbook run (ansible_each), and wsgi_facts one call for two tests.
@pytest.fixture(scope='module')
def probes(host):
    names = sorted(APPS)
    return dict(zip(names, ansible_each(host, 'modwsgi.apache.probe', [
        {'url': 'http://127.0.0.1:%d/.well-known/modwsgi-probe/%s' % (APPS[name][1], name),
         'host': APPS[name][0], 'expect_mode': 'daemon', 'expect_group': name} for name in names])))


@pytest.fixture(scope='module')
def facts(host):
    return ansible(host, 'modwsgi.apache.wsgi_facts', {'apache_facts': True})


@pytest.mark.parametrize('name', sorted(APPS))
def test_daemon_mode_in_own_group_on_event(probes, name):
    dummy, dummy, dummy, processes, threads = APPS[name]
    answer = probes[name]
    assert not answer.get('failed'), answer
    assert answer['mode'] == 'daemon'
    assert answer['process_group'] == name
    assert answer['application_group'] == ''  # %{GLOBAL}
    assert (answer['processes'], answer['threads']) == (processes, threads)
    assert answer['mpm'] == 'event'


def test_static_version_is_the_live_one(facts, probes):
    """wsgi_facts reads mod_wsgi's version from dpkg; the live probe reports mod_wsgi.version."""
    assert not facts.get('failed'), facts
    facts = facts['ansible_facts']
    answer = probes['alpha']
    assert facts['mod_wsgi']['version'] and facts['mod_wsgi']['version'] == answer['mod_wsgi_version']
    # apache_facts: mpm_facts' facts from the same call.
    assert facts['apache']['mpm']['name'] == answer['mpm'] == 'event'
    assert facts['apache']['processes']['count'] >= 2


def test_group_metrics_counts_a_bounded_load(host):
    """modwsgi.apache.group_metrics measures alpha's group over 5 s while ab sends it bursts of
    20 requests, 10 at a time, a burst every 0.2 s or more, until the module is done: at most 200
    bursts (4000 requests) and 40 s, so that the load covers the window however long Ansible
    takes to start the module (a burst count alone ran out before it had, on a busy machine).
    Nothing here depends on how fast it runs: the load is counted, utilisation is a fraction,
    the front end's scoreboard answers (server-metrics=On, which the role writes), and what the
    version lacks is named (mod_wsgi 4.7 has no request_metrics())."""
    host.run('rm -f /tmp/modwsgi-load.stop; (timeout 40 sh -c \'for i in $(seq 200); do '
             '[ -e /tmp/modwsgi-load.stop ] && break; '
             'ab -q -n 20 -c 10 -H "Host: alpha.test" http://127.0.0.1/ >/dev/null 2>&1; sleep 0.2; done\') '
             '</dev/null >/dev/null 2>&1 &')
    result = ansible(host, 'modwsgi.apache.group_metrics', {
        'url': 'http://127.0.0.1/.well-known/modwsgi-probe/alpha', 'host': 'alpha.test', 'window': 5})
    host.run('touch /tmp/modwsgi-load.stop; for i in $(seq 20); do pgrep -x ab >/dev/null || break; sleep 1; done')
    assert not result.get('failed'), result
    assert result['changed'] is False
    group = result['groups'][0]
    assert (group['process_group'], group['processes'], group['threads']) == ('alpha', 2, 4)
    assert group['processes_measured'] >= 1
    assert 0 < group['requests'] <= 200 * 20
    assert 0 <= group['utilization'] <= 1
    assert group['frontend'] is not None and 'frontend' not in group['missing']
    assert all(member['rss_mb'] > 0 for member in group['members'])
    if group['mod_wsgi_version'].startswith('4.7.'):
        assert group['service_time']['p99'] is None and 'request_metrics()' in group['missing']['p99']
    else:
        assert group['service_time']['p99'] > 0 and 'p99' not in group['missing']
    recommendation = group['recommendation']
    assert recommendation['processes'] >= 1 and recommendation['threads'] >= 1 and recommendation['reason']


# Runs on the host (python3, standard library): a minimal same-host reverse proxy, as nginx's
# proxy_pass with the client's Host: it forwards each client request, headers and all, to
# Apache on 127.0.0.1:80, so Apache sees a loopback client. Then the requests of the test, one
# JSON line of [status, body] per request name.
PRIVACY = r"""
import http.client, json, os, subprocess, threading
from http.server import BaseHTTPRequestHandler, HTTPServer

PATH = '/.well-known/modwsgi-probe/'  # + the app's name
HEADER = 'X-Modwsgi-Probe-Secret'


def request(address, port, path, headers):
    conn = http.client.HTTPConnection(address, port, timeout=10)
    conn.request('GET', path, headers=headers)
    answer = conn.getresponse()
    return answer.status, answer.read()


class Proxy(BaseHTTPRequestHandler):
    def do_GET(self):
        headers = dict((k, v) for k, v in self.headers.items() if k.lower() != 'connection')
        headers['X-Forwarded-For'] = '203.0.113.9'
        status, body = request('127.0.0.1', 80, self.path, headers)
        self.send_response(status)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


proxy = HTTPServer(('127.0.0.1', 0), Proxy)
threading.Thread(target=proxy.serve_forever, daemon=True).start()
with open('/etc/modwsgi/probe.secret') as handle:
    secret = handle.read().strip()
own_address = subprocess.check_output(['hostname', '-I']).decode().split()[0]
cases = {
    'loopback': ('127.0.0.1', 80, 'alpha', {'Host': 'alpha.test'}),
    'loopback_guess': ('127.0.0.1', 8080, 'beta', {'Host': 'beta.test', HEADER: 'f' * 64}),
    'own_address': (own_address, 80, 'alpha', {'Host': 'alpha.test', HEADER: secret}),
    'proxy': ('127.0.0.1', proxy.server_address[1], 'alpha', {'Host': 'alpha.test'}),
    'proxy_guess': ('127.0.0.1', proxy.server_address[1], 'alpha', {'Host': 'alpha.test', HEADER: 'f' * 64}),
    'proxy_secret': ('127.0.0.1', proxy.server_address[1], 'alpha', {'Host': 'alpha.test', HEADER: secret}),
    'loopback_secret_beta': ('127.0.0.1', 8080, 'beta', {'Host': 'beta.test', HEADER: secret}),
}
result = {}
for name, (address, port, app, headers) in sorted(cases.items()):
    status, body = request(address, port, PATH + app, headers)
    result[name] = [status, body.decode('utf-8', 'replace')]
proxy.shutdown()
# [mode, uid, gid] of the secret, the digest and their directory.
for path in ('/etc/modwsgi', '/etc/modwsgi/probe.secret', '/etc/modwsgi/probe.digest'):
    info = os.stat(path)
    result[path] = [oct(info.st_mode & 0o7777), info.st_uid, info.st_gid]
print(json.dumps(result))
"""


def test_probe_answers_only_the_module(host):
    """Only a request with the host's probe secret gets an answer; all others get a plain 404:
    from loopback, through a same-host reverse proxy, and from the host's own address (which
    passes `Require local`). The secret is root's only; its digest is readable by the apps.
    One call to the host (each call costs a second or two)."""
    answers = json.loads(host.check_output('python3 -c %s' % shlex.quote(PRIVACY)))
    for name in ('loopback', 'loopback_guess', 'own_address', 'proxy', 'proxy_guess'):
        status, body = answers[name]
        assert status == 404, (name, answers[name])
        assert 'process_group' not in body and 'probe' not in body.lower(), (name, body)
    # Through the proxy with the secret it answers: the secret, nothing else, makes the difference.
    status, body = answers['proxy_secret']
    assert status == 200 and json.loads(body)['process_group'] == 'alpha', answers['proxy_secret']
    # beta's probe is there too: a guess on its path is refused, not missing.
    status, body = answers['loopback_secret_beta']
    assert status == 200 and json.loads(body)['process_group'] == 'beta', answers['loopback_secret_beta']
    assert answers['/etc/modwsgi/probe.secret'] == ['0o600', 0, 0]
    assert answers['/etc/modwsgi/probe.digest'] == ['0o644', 0, 0]
    assert answers['/etc/modwsgi'] == ['0o755', 0, 0]


def test_embedded_mode_is_restricted(facts):
    assert facts['ansible_facts']['mod_wsgi']['restrict_embedded'] is True


def test_our_files_are_root_0644(host):
    paths = ['/etc/apache2/conf-available/modwsgi.conf',
             '/etc/apache2/sites-available/modwsgi-alpha.conf',
             '/etc/apache2/sites-available/modwsgi-beta.conf',
             '/usr/local/share/modwsgi-probe/probe.wsgi']
    # One stat for all (not four host.file calls each): type, owner, group, mode, one line each.
    found = host.check_output('stat -c %s' + ' %s' * len(paths), '%F:%U:%G:%a', *paths).replace(
        'regular empty file:', 'regular file:').splitlines()
    assert found == ['regular file:root:root:644'] * len(paths), list(zip(paths, found))
    assert not host.file('/etc/apache2/sites-available/modwsgi-gone.conf').exists
    # No backup is left next to the files Apache reads.
    assert not host.run('ls /etc/apache2/sites-available/ | grep "~$"').stdout


def test_an_idle_run_calls_the_host_three_times(host, monkeypatch):
    # The role applied again to what it made: nothing changes, and only the plan, the transaction
    # and the verification reach the host, once each: one verify call asks every application's
    # probe and its own URLs (before issue 22 the probe was one call per application, and an
    # assert followed), counted as the benchmark counts them (benchmarks/bench/measurement.py).
    monkeypatch.setenv('ANSIBLE_STDOUT_CALLBACK', 'ansible.posix.json')
    output = playbook('role_default', 'converge.yml')
    report = json.JSONDecoder().raw_decode(output[re.search(r'^\{', output, re.MULTILINE).start():])[0]
    reached = [task['task']['name'].split(' : ', 1)[-1] for play in report['plays'] for task in play['tasks']
               if any(result.get('action') not in CONTROLLER_ACTIONS and not result.get('skipped')
                      for result in task['hosts'].values())]
    assert reached == ['Plan | validate the input, read the host once, and make the plan',
                       'Write, enable, disable and remove as one transaction, then test Apache\'s configuration',
                       'Verify each application, its probe and its own URLs'], reached
    assert host_calls(output) == 3 and json_changed(output) == 0


@pytest.mark.skipif(os.environ.get('MOLECULE_DISTRO', 'debian12') != 'debian12',
                    reason='a graceful reload is the same on every distro: it runs on Debian 12 only')
def test_reload_gives_new_daemon_processes(host):
    before = dict((name, ansible(host, 'modwsgi.apache.probe', {
        'url': 'http://127.0.0.1:%d/.well-known/modwsgi-probe/%s' % (APPS[name][1], name),
        'host': APPS[name][0]})['pid']) for name in APPS)
    output = playbook('role_default', 'reload.yml')
    for name in APPS:
        # The role waited, per application, until its probe answered from a new daemon pid.
        assert '%s: a daemon pid other than ' % name in output
    test_alpha_answers_on_its_names(host)
    test_beta_answers_as_its_own_user(host)
    assert before  # the pids are compared by the role itself, against its own probe


@pytest.mark.skipif(os.environ.get('MOLECULE_DISTRO', 'debian12') != 'debian12',
                    reason='preflight is the same on every distro: its 4 cases run on Debian 12 only')
def test_bad_inputs_fail_in_preflight(host):
    output = playbook('role_default', 'bad_inputs.yml')
    assert output.count("refused by") == 4
