"""The role daemon_mode on the EL 9 layout host: what a visitor gets, and where Apache runs it;
one site of its own and one written by hand in conf.d, converted in place."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared'))
from modwsgi_testinfra import get, probe  # noqa: E402  pylint: disable=wrong-import-position


def test_httpd_runs_and_is_enabled(host):
    assert host.service('httpd').is_running
    assert host.service('httpd').is_enabled


def test_the_application_answers_from_its_daemon_group(host):
    # The app imports shoplib, which only its python_path has: a 500 here would mean the group
    # runs without it.
    answer = get(host, 'http://127.0.0.1/', 'shop.test')
    assert answer['status'] == 200, answer
    assert answer['content'] == 'shop says hello from group shop\n'


def test_the_role_writes_conf_d_on_the_red_hat_layout(host):
    # conf.d is read directly: no sites-enabled, no links; the site and the module's settings.
    listing = host.run('ls /etc/httpd/conf.d').stdout.split()
    assert 'modwsgi-shop.conf' in listing, listing
    assert not host.file('/etc/apache2').exists
    conf = host.file('/etc/httpd/conf.d/modwsgi-shop.conf').content_string
    assert 'WSGIDaemonProcess shop processes=2 threads=4' in conf
    assert 'python-path=/srv/shop/lib' in conf


def test_the_https_application_answers_from_its_group_and_http_redirects(host):
    # mod_ssl's own 443 (conf.d/ssl.conf) serves the role's vhost, with EL's localhost
    # certificate; a visitor of http is sent to https.
    answer = get(host, 'https://127.0.0.1/', 'secure.test')
    assert answer['status'] == 200, answer
    assert answer['content'] == 'secure says hello from group secure over https\n'
    redirect = get(host, 'http://127.0.0.1/', 'secure.test')
    assert (redirect['status'], redirect['location']) == (301, 'https://secure.test/'), redirect
    result = probe(host, 'secure.test', 'secure', port=443, scheme='https', validate_certs=False,
                   expect_mode='daemon', expect_group='secure')
    assert not result.get('failed'), result
    conf = host.file('/etc/httpd/conf.d/modwsgi-secure.conf').content_string
    assert 'SSLCertificateFile /etc/pki/tls/certs/localhost.crt' in conf


def test_the_mpm_is_threaded_through_00_mpm_conf(host):
    mpm = host.run('httpd -V')
    assert mpm.rc == 0 and 'Server MPM:     event' in mpm.stdout, mpm.stdout
    loads = [line for line in host.file('/etc/httpd/conf.modules.d/00-mpm.conf').content_string.splitlines()
             if line.startswith('LoadModule')]
    assert loads == ['LoadModule mpm_event_module modules/mod_mpm_event.so'], loads


def test_the_probe_says_daemon_mode_in_the_application_s_group(host):
    result = probe(host, 'shop.test', 'shop', expect_mode='daemon', expect_group='shop')
    assert not result.get('failed'), result


def test_the_hand_written_site_answers_from_its_group_converted_where_it_is(host):
    # Its library is on the server-level WSGIPythonPath, which daemon processes ignore: the role
    # carried it into the group, or this page would be a 500.
    answer = get(host, 'http://127.0.0.1/', 'legacy.test')
    assert answer['status'] == 200, answer
    assert answer['content'] == "legacy says hello from group 'legacy'\n"
    static = get(host, 'http://127.0.0.1/static/style.css', 'legacy.test')
    assert static['status'] == 200 and static['content'] == 'body { color: #333; }\n', static
    result = probe(host, 'legacy.test', 'legacy', expect_mode='daemon', expect_group='legacy')
    assert not result.get('failed'), result


def test_in_place_keeps_the_site_s_file_in_conf_d(host):
    # The same file, its owner's lines kept; the role's blocks added, the original alias kept as a
    # comment (state: absent restores it); no copy of the site of the role's own.
    conf = host.file('/etc/httpd/conf.d/legacy.conf').content_string
    assert conf.startswith('# legacy.test, written by hand in 2019.\nWSGIPythonPath /srv/legacy/lib\n')
    assert 'WSGIDaemonProcess legacy processes=1 threads=3' in conf
    assert 'python-path=/srv/legacy/lib' in conf
    assert '# original line:     WSGIScriptAlias / /srv/legacy/app.wsgi\n' in conf
    assert '    WSGIScriptAlias / /srv/legacy/app.wsgi process-group=legacy application-group=%{GLOBAL}\n' in conf
    assert not host.file('/etc/httpd/conf.d/modwsgi-legacy.conf').exists
