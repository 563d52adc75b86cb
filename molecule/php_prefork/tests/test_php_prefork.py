"""modwsgi_mpm: auto next to mod_php, through behaviour: the MPM Apache runs, HTTP answers,
the live probe, the MPM limits in force, and the role's own explanation in its output."""

import os
import re
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'shared'))

from modwsgi_testinfra import ansible, get, playbook, recap_changed  # noqa: E402 pylint: disable=wrong-import-position

APPS = {
    # name: (server name, port, processes, threads)
    'blog': ('blog.test', 80, 2, 15),
    'wiki': ('wiki.test', 8080, 1, 4),
}
# mod_wsgi-express's rule for 2 x 15 + 1 x 4 = 34 daemon threads under prefork:
# max_clients = 10 + max(10, int(1.5 * 34)) = 61 = ServerLimit = MaxRequestWorkers;
# StartServers and MinSpareServers int(0.05 * 61) = 3; MaxSpareServers int(0.1 * 61) = 6.
PREFORK_LIMITS = {'ServerLimit': 61, 'MaxRequestWorkers': 61, 'StartServers': 3,
                  'MinSpareServers': 3, 'MaxSpareServers': 6}


def apache_facts(host):
    return ansible(host, 'modwsgi.apache.mpm_facts', {'processes': False})['ansible_facts']['apache']


def test_apache_still_runs_prefork_with_php(host):
    facts = apache_facts(host)
    assert facts['mpm']['name'] == 'prefork'
    assert 'php_module' in [module['name'] for module in facts['thread_unsafe_modules']]
    answer = get(host, 'http://127.0.0.1/hello.php', 'localhost')
    assert answer['status'] == 200 and answer['content'] == 'php says apache2handler\n', answer


@pytest.mark.parametrize('name', sorted(APPS))
def test_apps_run_in_daemon_mode_with_their_threads(host, name):
    server_name, port, processes, threads = APPS[name]
    answer = ansible(host, 'modwsgi.apache.probe', {
        'url': 'http://127.0.0.1:%d/.well-known/modwsgi-probe/%s' % (port, name), 'host': server_name,
        'expect_mode': 'daemon', 'expect_group': name})
    assert not answer.get('failed'), answer
    assert (answer['mode'], answer['process_group']) == ('daemon', name)
    assert (answer['processes'], answer['threads']) == (processes, threads)
    assert answer['mpm'] == 'prefork'
    # Multithreaded although the MPM is not: the daemon has its own threads.
    app = get(host, 'http://127.0.0.1:%d/' % port, server_name)
    assert app['status'] == 200, app
    served = re.match(r'^%s: pid=(\d+) uid=(\d+) multithread=True\n$' % name, app['content'])
    assert served, app['content']
    assert int(served.group(2)) == host.user('www-data').uid
    # The pid that served it is one of the group's daemon processes (display-name=%{GROUP}).
    assert host.check_output('ps -o args= -p %s' % served.group(1)).startswith('(wsgi:%s)' % name)


def test_prefork_is_sized_for_the_daemon_capacity(host):
    facts = apache_facts(host)
    for directive, value in PREFORK_LIMITS.items():
        assert facts['limits'][directive] == value, (directive, facts['limits'])
        assert facts['limits_from'][directive].startswith(
            '/etc/apache2/conf-enabled/modwsgi-mpm-tuning.conf:'), facts['limits_from']


def test_the_role_says_why_prefork_stays(host):
    output = playbook('php_prefork', 'converge.yml')
    assert recap_changed(output) == [0], output[-3000:]
    assert ('modwsgi_mpm=auto: keeping prefork, because php_module is loaded and not thread-safe. '
            'The applications still run in daemon mode, with their own threads.') in output
    assert 'the prefork MPM gets ServerLimit 61, StartServers 3, MaxRequestWorkers 61' in output
