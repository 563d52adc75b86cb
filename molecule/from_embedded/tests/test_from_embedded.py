"""From embedded to daemon mode: what the role did, asked of Apache, the audit and the probe."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared'))
from modwsgi_testinfra import ansible, get, playbook, probe, recap_changed  # noqa: E402  pylint: disable=wrong-import-position

APPS = {
    # name: (server names, processes, threads)
    'shop': (['shop.test'], 2, 5),
    'blog': (['blog.test', 'www.blog.test'], 1, 3),
}


def test_without_takeover_preflight_named_both_files(host):
    # prepare.yml applied the role without takeover and kept its failure here.
    message = host.file('/root/without-takeover.txt').content_string
    assert message.startswith('Plan |'), message
    assert '/etc/apache2/sites-enabled/shop.conf:1 (shop.test:80)' in message
    assert '/etc/apache2/sites-enabled/blog.conf:1 (blog.test:80)' in message
    assert 'modwsgi_apps[0].takeover' in message and 'modwsgi_apps[1].takeover' in message


def test_an_unlisted_embedded_app_was_refused_by_name(host):
    # prepare.yml applied the role with takeover, other.test neither listed nor accepted; nothing
    # changed (prepare compared /etc/apache2 before and after).
    message = host.file('/root/unlisted.txt').content_string
    assert message.startswith('Plan | validate the input, read the host once, and make the plan\n'), message
    assert message.split('\n')[1] == (
        'modwsgi_restrict_embedded: true writes WSGIRestrictEmbedded On, and every request to these applications, '
        'which run in embedded mode and which this run does not convert, would answer 500: other.test:80/ '
        '(WSGIScriptAlias /srv/other/app.wsgi at /etc/apache2/sites-enabled/other.conf:3). Convert them (list them '
        'in modwsgi_apps), accept the 500s by listing them in modwsgi_restrict_embedded_accept (as SERVER:PORT/URL '
        'or script, for example "other.test:80/"), or set modwsgi_restrict_embedded: false'), message


def test_no_embedded_mount_is_left_but_the_accepted_one(host):
    facts = ansible(host, 'modwsgi.apache.wsgi_facts', {})['ansible_facts']['mod_wsgi']
    modes = dict((m['server'], m['mode']) for m in facts['mounts'] if m['url'] == '/')
    assert modes == {'shop.test:80': 'daemon', 'blog.test:80': 'daemon', 'secure.test:443': 'daemon',
                     'other.test:80': 'embedded'}, facts['mounts']
    assert [m['server'] for m in facts['mounts'] if m['mode'] != 'daemon'] == ['other.test:80']
    assert facts['restrict_embedded'] is True
    # The run's only embedded_restricted finding is the one the user accepted.
    assert [f['message'] for f in facts['findings'] if f['code'] == 'embedded_restricted'] == [
        '/ on other.test:80 runs in embedded mode, but WSGIRestrictEmbedded is On: every request answers 500']
    assert 'group_unused' not in [f['code'] for f in facts['findings']]


def test_the_accepted_app_answers_500(host):
    page = get(host, 'http://127.0.0.1/', 'other.test')
    assert page['status'] == 500, page


def test_mpm_is_event(host):
    facts = ansible(host, 'modwsgi.apache.mpm_facts', {})['ansible_facts']['apache']
    assert facts['mpm']['name'] == 'event'


@pytest.mark.parametrize('name', sorted(APPS))
def test_probe_agrees(host, name):
    names, processes, threads = APPS[name]
    for server_name in names:
        answer = probe(host, server_name, name, expect_mode='daemon', expect_group=name)
        assert answer.get('process_group') == name, answer
        assert answer['mode'] == 'daemon' and answer['mpm'] == 'event'
        assert (answer['processes'], answer['threads']) == (processes, threads)
        page = get(host, 'http://127.0.0.1/', server_name)
        assert page['status'] == 200, page
        assert page['content'] == '%s says hello from %s\n' % (server_name, name)


def test_taken_over_sites_are_disabled_and_kept(host):
    # The site's link is gone; the file it pointed to is untouched.
    assert not host.file('/etc/apache2/sites-enabled/shop.conf').exists
    assert 'WSGIScriptAlias / /srv/shop/app.wsgi' in \
        host.file('/etc/apache2/sites-available/shop.conf').content_string
    # The plain file was moved away; its copy keeps its content.
    assert not host.file('/etc/apache2/sites-enabled/blog.conf').exists
    kept = host.file('/var/backups/modwsgi/etc/apache2/sites-enabled/blog.conf')
    assert kept.is_file and (kept.user, kept.mode) == ('root', 0o600)
    assert 'WSGIDaemonProcess blog processes=1 threads=3' in kept.content_string
    assert host.file('/var/backups/modwsgi').mode == 0o700


# The HTTPS site added by converge: front (/, venv) and api (/api, system Python) of secure.test.
SECURE = {
    # name: (URL path, what it answers, processes, threads)
    'front': ('/', 'secure.test says hello from front\n', 1, 2),
    'api': ('/api', 'secure.test says hello from api on the Python in /usr\n', 1, 2),
}


def https_get(host, url, server_name, status=200):
    return ansible(host, 'ansible.builtin.uri', {
        'url': url, 'headers': {'Host': server_name}, 'return_content': True, 'status_code': [status],
        'use_proxy': False, 'follow_redirects': 'none', 'validate_certs': False})


@pytest.mark.parametrize('name', sorted(SECURE))
def test_https_apps_of_one_host_each_run_in_their_own_group(host, name):
    path, content, processes, threads = SECURE[name]
    answer = probe(host, 'secure.test', name, port=443, scheme='https', validate_certs=False,
                   expect_mode='daemon', expect_group=name)
    assert not answer.get('failed'), answer
    assert (answer['processes'], answer['threads']) == (processes, threads)
    page = https_get(host, 'https://127.0.0.1' + path, 'secure.test')
    assert not page.get('failed') and page['content'] == content, page


def test_https_vhost_holds_both_apps_longest_path_first(host):
    facts = ansible(host, 'modwsgi.apache.wsgi_facts', {})['ansible_facts']['mod_wsgi']
    mounts = dict((m['url'], m['mode']) for m in facts['mounts'] if m['server'] == 'secure.test:443')
    assert mounts.get('/') == 'daemon' and mounts.get('/api') == 'daemon', facts['mounts']
    assert host.file('/etc/apache2/sites-enabled/modwsgi-front.conf').exists
    assert not host.file('/etc/apache2/sites-available/modwsgi-api.conf').exists
    assert host.socket('tcp://0.0.0.0:443').is_listening or host.socket('tcp://:::443').is_listening


def test_http_redirects_to_https(host):
    answer = ansible(host, 'ansible.builtin.uri', {
        'url': 'http://127.0.0.1/api', 'headers': {'Host': 'secure.test'}, 'status_code': [301],
        'use_proxy': False, 'follow_redirects': 'none'})
    assert not answer.get('failed'), answer
    assert answer['location'] == 'https://secure.test/api'


def test_restrict_off_keeps_the_unlisted_app_serving(host):
    # Last: restrict_off.yml applies the role again with modwsgi_restrict_embedded: false.
    output = playbook('from_embedded', 'restrict_off.yml')
    assert recap_changed(output)[0] > 0
    page = get(host, 'http://127.0.0.1/', 'other.test')
    assert (page['status'], page['content']) == (200, 'other.test says hello from (embedded)\n'), page
    facts = ansible(host, 'modwsgi.apache.wsgi_facts', {})['ansible_facts']['mod_wsgi']
    assert facts['restrict_embedded'] is False
    assert [f for f in facts['findings'] if f['code'] == 'embedded_restricted'] == []
    assert [m['server'] for m in facts['mounts'] if m['mode'] != 'daemon'] == ['other.test:80']
    assert get(host, 'http://127.0.0.1/', 'shop.test')['content'] == 'shop.test says hello from shop\n'
