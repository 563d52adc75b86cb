"""takeover: in_place: the legacy site in daemon mode, proven by the probe over HTTPS; the rest
of the site as before; state: absent gives back the original file byte for byte (absent.yml,
run last)."""

import hashlib
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared'))
from modwsgi_testinfra import ansible, playbook, playbook_result, probe, recap_changed  # noqa: E402  pylint: disable=wrong-import-position

SITE = '/etc/apache2/sites-available/legacy.conf'
ORIGINAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'files', 'legacy.conf')
MYSITE = '/etc/apache2/sites-available/mysite.conf'
MYSITE_ORIGINAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'files', 'mysite.conf')
MYSITE_SSL = '/etc/apache2/sites-available/mysite-le-ssl.conf'
MYSITE_SSL_ORIGINAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'files', 'mysite-le-ssl.conf')
APPS = {
    # name: (processes, threads)
    'shop': (2, 5),
    'api': (1, 3),
}
# Every HTTP request of a check in one call to the host (files/visit.py, which prepare.yml
# installs): {name: [url, basic auth or null]} in, {name: [status, Location, body]} out. From the
# host itself, with the site's name as Host and TLS server name (SNI), without checking its
# self-signed certificate, and without following redirects.
VISIT = '/usr/local/lib/modwsgi-test-visit.py'


def fetch(host, requests, site='legacy.test'):
    args = dict((name, [url, site] + ([auth] if auth else [])) for name, (url, auth) in requests.items())
    return json.loads(host.check_output('python3 %s %s', VISIT, json.dumps(args)))


def original(path=ORIGINAL):
    with open(path, 'rb') as handle:
        return handle.read()


@pytest.mark.parametrize('name', sorted(APPS))
def test_each_app_runs_in_its_own_daemon_group(host, name):
    processes, threads = APPS[name]
    answer = ansible(host, 'modwsgi.apache.probe', {
        'url': 'https://127.0.0.1/.well-known/modwsgi-probe/%s' % name, 'host': 'legacy.test',
        'validate_certs': False, 'expect_mode': 'daemon', 'expect_group': name})
    assert answer.get('process_group') == name, answer
    assert (answer['mode'], answer['mpm']) == ('daemon', 'event')
    assert (answer['processes'], answer['threads']) == (processes, threads)


def test_the_audit_agrees(host):
    facts = ansible(host, 'modwsgi.apache.wsgi_facts', {})['ansible_facts']['mod_wsgi']
    mounts = dict((m['url'], (m['mode'], m['process_group'])) for m in facts['mounts']
                  if m['server'] == 'legacy.test:443')
    assert mounts == {'/': ('daemon', 'shop'), '/api': ('daemon', 'api'),
                      '/.well-known/modwsgi-probe/shop': ('daemon', 'shop'),
                      '/.well-known/modwsgi-probe/api': ('daemon', 'api')}, facts['mounts']


def mysite(host):
    """What a visitor of Certbot's pair gets: https and http, on both names, in one call."""
    args = dict(('%s %s' % (scheme, site), ['%s://127.0.0.1/x?y=1' % scheme, site])
                for site in ('mysite.test', 'www.mysite.test') for scheme in ('https', 'http'))
    return json.loads(host.check_output('python3 %s %s', VISIT, json.dumps(args)))


# The page of Certbot's pair's app from its daemon group (from '(embedded)' before the run).
MYSITE_PAGE = [200, None, 'mysite settings loaded from mysite\n']
# Its http virtual host's redirect, as prepare.yml found it before the run.
MYSITE_REDIRECTS = {'http mysite.test': [301, 'https://mysite.test/x?y=1'],
                    'http www.mysite.test': [301, 'https://www.mysite.test/x?y=1']}


def test_certbot_s_pair_answers_a_visitor_from_its_daemon_group(host):
    # Its package mysite is importable only through the server-level WSGIPythonPath: without
    # python-path= in its group, this page is a 500 (ModuleNotFoundError: No module named 'mysite').
    answers = mysite(host)
    assert answers['https mysite.test'] == answers['https www.mysite.test'] == MYSITE_PAGE, answers
    assert dict((key, answers[key][:2]) for key in MYSITE_REDIRECTS) == MYSITE_REDIRECTS, answers
    answer = probe(host, 'mysite.test', 'mysite', port=443, scheme='https', validate_certs=False,
                   expect_mode='daemon', expect_group='mysite')
    assert (answer.get('process_group'), answer.get('mode')) == ('mysite', 'daemon'), answer
    # The audit: every mount of the app's script, on 443 and on 80, runs in its one group.
    facts = ansible(host, 'modwsgi.apache.wsgi_facts', {})['ansible_facts']['mod_wsgi']
    assert sorted((m['server'], m['url'], m['mode'], m['process_group']) for m in facts['mounts']
                  if m['script'] == '/srv/mysite/mysite/wsgi.py') == [
        ('mysite.test:443', '/', 'daemon', 'mysite'), ('mysite.test:80', '/', 'daemon', 'mysite')], facts['mounts']
    assert [g['name'] for g in facts['daemon_groups']].count('mysite') == 1
    groups = dict((g['name'], g['options']) for g in facts['daemon_groups'])
    assert groups['mysite'].get('python-path') == '/srv/mysite'


def test_apps_static_rewrite_auth_and_redirect_behave_as_before(host):
    answers = fetch(host, {
        'shop': ['https://127.0.0.1/', None],
        'api': ['https://127.0.0.1/api/orders', None],
        'static': ['https://127.0.0.1/static/hello.txt', None],
        'rewrite': ['https://127.0.0.1/catalogue/teapot', None],
        'admin': ['https://127.0.0.1/admin/', None],
        'admin_auth': ['https://127.0.0.1/admin/', 'admin:old secret'],
        'plain': ['http://127.0.0.1/x', None],
    })
    assert answers['shop'] == [200, None, '/ says hello from shop\n']
    assert answers['api'] == [200, None, '/api/orders says hello from api\n']
    assert answers['static'] == [200, None, 'static hello\n']
    assert answers['rewrite'][:2] == [301, 'https://legacy.test/products/teapot']
    assert answers['admin'][0] == 401
    assert answers['admin_auth'] == [200, None, '/admin/ says hello from shop\n']
    assert answers['plain'][:2] == [301, 'https://legacy.test/x']


def test_the_rest_of_the_file_is_unchanged(host):
    # Without the marked blocks, and with each kept original line in place of the block that
    # holds it, the file is the original.
    now = host.file(SITE).content_string.splitlines(True)
    kept = []
    inside = None
    for line in now:
        if line.lstrip().startswith('# BEGIN modwsgi.apache.daemon_mode '):
            inside = line
        elif line.lstrip().startswith('# END modwsgi.apache.daemon_mode '):
            inside = None
        elif inside is None:
            kept.append(line)
        elif line.startswith('# original line: '):
            kept.append(line[len('# original line: '):])
    # Read through podman exec (molecule/conftest.py): byte for byte, final newline included.
    assert ''.join(kept).encode() == original()
    assert host.file(SITE).mode == 0o644 and not host.file('/etc/apache2/sites-available/modwsgi-shop.conf').exists


# Every path under /etc/apache2: kind, mode, owner, link target, and each file's SHA-256.
FINGERPRINT = (r"find /etc/apache2 -printf '%p %y %m %u %g %l\n' | sort; "
               r"find /etc/apache2 -type f -print0 | sort -z | xargs -0 sha256sum")


def test_a_run_whose_app_cannot_start_leaves_apache_as_it_was(host):
    before = host.check_output(FINGERPRINT)
    assert mysite(host)['https mysite.test'] == MYSITE_PAGE
    returncode, output = playbook_result('in_place', 'failing.yml')
    assert returncode != 0
    text = ' '.join(output.split())
    # The failure names the URL, its status, the error log's lines, then what was put back.
    assert ('mysite: GET https://127.0.0.1:443/ (Host: mysite.test) answered 500, expected a 2xx status, '
            'as before the change (200). /var/log/apache2/error.log since that request: ') in text, output[-6000:]
    assert "No module named 'mysite'" in text
    assert ('Rolled back: put back as they were before the run (from /var/backups/modwsgi/last-run): '
            '/etc/apache2/sites-available/mysite-le-ssl.conf; ') in text
    assert 'made the MPM event active again; restarted Apache; the site answers as before the run: ' in text
    assert 'https://127.0.0.1:443/ (Host: mysite.test) 200' in text
    # Byte for byte, modes, owners and links (the MPM's included), and the old site answers.
    assert host.check_output(FINGERPRINT) == before
    assert mysite(host)['https mysite.test'] == MYSITE_PAGE
    answer = probe(host, 'mysite.test', 'mysite', port=443, scheme='https', validate_certs=False,
                   expect_mode='daemon', expect_group='mysite')
    assert (answer.get('mpm'), answer.get('process_group')) == ('event', 'mysite'), answer


def test_rollback_off_keeps_the_new_configuration_and_a_later_call_restores_it(host):
    before = host.check_output(FINGERPRINT)
    returncode, output = playbook_result('in_place', 'failing.yml', '-e', 'modwsgi_rollback=false',
                                         '-e', 'modwsgi_mpm=event')
    assert returncode != 0
    assert 'The new configuration was kept (modwsgi_rollback: false); the state before the run is in ' \
           '/var/backups/modwsgi/last-run' in ' '.join(output.split()), output[-6000:]
    assert 'python-path=/opt ' in host.file(MYSITE_SSL).content_string
    assert mysite(host)['https mysite.test'][0] == 500
    # The state before that run stays on the host: one call of the rollback module puts it back.
    result = ansible(host, 'modwsgi.apache.rollback', {
        'failure': 'Undo the debugging run', 'journal': '/var/backups/modwsgi/last-run', 'service': 'apache2'})
    # It always fails (testinfra gives the module's answer as it printed it).
    assert result.get('msg', '').startswith(
        'Undo the debugging run. Rolled back: put back as they were before the run (from '
        '/var/backups/modwsgi/last-run): /etc/apache2/sites-available/mysite-le-ssl.conf; restarted Apache'), result
    assert host.check_output(FINGERPRINT) == before
    assert mysite(host)['https mysite.test'] == MYSITE_PAGE


def test_state_absent_restores_the_original_byte_for_byte(host):
    output = playbook('in_place', 'absent.yml')
    assert recap_changed(output)[0] > 0
    assert host.file(SITE).sha256sum == hashlib.sha256(original()).hexdigest()
    assert host.file(MYSITE).sha256sum == hashlib.sha256(original(MYSITE_ORIGINAL)).hexdigest()
    assert host.file(MYSITE_SSL).sha256sum == hashlib.sha256(original(MYSITE_SSL_ORIGINAL)).hexdigest()
    assert host.file('/etc/apache2/sites-enabled/legacy.conf').linked_to == SITE
    # Embedded mode allowed again (modwsgi_restrict_embedded: false): the site serves as before the role.
    assert fetch(host, {'api': ['https://127.0.0.1/api/orders', None]})['api'] == [
        200, None, '/api/orders says hello from (embedded)\n']
    answers = mysite(host)
    assert answers['https mysite.test'] == answers['https www.mysite.test'] == [
        200, None, 'mysite settings loaded from (embedded)\n'], answers
    assert dict((key, answers[key][:2]) for key in MYSITE_REDIRECTS) == MYSITE_REDIRECTS, answers
