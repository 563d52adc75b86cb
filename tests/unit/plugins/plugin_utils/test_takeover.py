"""The takeover plan, on virtual hosts read by wsgi_facts from Debian's real captured tree.

The tree and the command outputs are real captures (fixtures/debian, fixtures/trees); the sites
added to it are hand-written inputs, read by the same parser the module uses.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _wsgi_facts
from ansible_collections.modwsgi.apache.plugins.plugin_utils._takeover import plan
from ansible_collections.modwsgi.apache.tests.unit.helpers import DEBIAN, Replay, debian_sysroot

BINS = {'apache2': '/usr/sbin/apache2', 'apache2ctl': '/usr/sbin/apache2ctl'}
OURS = r'/modwsgi-[^/]+\.conf$'
MAIN = ['/etc/apache2/apache2.conf']

SHOP = '''<VirtualHost *:80>
    ServerName shop.example
    ServerAlias www.shop.example
    WSGIScriptAlias / /srv/shop/app.wsgi
</VirtualHost>
<VirtualHost *:8080>
    ServerName shop.example
    WSGIScriptAlias / /srv/shop/app.wsgi
</VirtualHost>
'''
BLOG = '''<VirtualHost *:80>
    ServerName blog.example
    ServerAlias *.blog.example
</VirtualHost>
<VirtualHost *:80>
    ServerName other.example
</VirtualHost>
'''
OURS_SITE = '''# Managed by modwsgi.apache.daemon_mode
<VirtualHost *:80>
    ServerName shop.example
</VirtualHost>
'''


def app(name, server_name, port=80, aliases=(), takeover=False, state='present'):
    return {'name': name, 'server_name': server_name, 'server_aliases': list(aliases),
            'port': port, 'state': state, 'takeover': takeover}


@pytest.fixture
def vhosts(tmp_path):
    root = debian_sysroot(tmp_path, '12', 'event')
    for name, text in (('shop.conf', SHOP), ('blog.conf', BLOG), ('modwsgi-shop.conf', OURS_SITE)):
        path = os.path.join(root, 'etc/apache2/sites-enabled', name)
        with open(path, 'w') as handle:
            handle.write(text)
    facts = _wsgi_facts.wsgi_facts(Replay(os.path.join(DEBIAN, '12', 'event')), BINS.get, sysroot=root)
    return facts['vhosts']


def test_the_role_s_own_files_and_unclaimed_sites_are_no_conflict(vhosts):
    assert plan(vhosts, [app('new', 'new.example')], OURS, MAIN) == []


def test_a_claimed_site_is_one_entry_per_file(vhosts):
    result = plan(vhosts, [app('shop', 'shop.example', takeover=True)], OURS, MAIN)
    assert result == [{
        'file': '/etc/apache2/sites-enabled/shop.conf', 'main_file': False,
        'apps': ['shop'], 'app_indexes': [0],
        'claimed': ['/etc/apache2/sites-enabled/shop.conf:1 (shop.example:80)'],
        'others': ['/etc/apache2/sites-enabled/shop.conf:6 (shop.example:8080)'],
        'takeover': True}]


@pytest.mark.parametrize('redirect', [True, False])
def test_an_https_app_s_redirect_claims_its_names_on_port_80(vhosts, redirect):
    https = dict(app('shop', 'shop.example', port=443, takeover=True), http_redirect=redirect)
    result = plan(vhosts, [https], OURS, MAIN)
    if not redirect:
        assert result == []
    else:
        assert [entry['claimed'] for entry in result] == [['/etc/apache2/sites-enabled/shop.conf:1 (shop.example:80)']]


def test_both_ports_claimed_leave_no_others(vhosts):
    apps = [app('shop', 'shop.example', takeover=True), app('shop2', 'shop.example', port=8080)]
    [entry] = plan(vhosts, apps, OURS, MAIN)
    assert entry['others'] == [] and entry['apps'] == ['shop', 'shop2']
    assert entry['app_indexes'] == [0, 1]
    # One application without takeover is enough to refuse the file.
    assert entry['takeover'] is False


def test_aliases_match_by_httpd_s_rule(vhosts):
    # The application's alias matches the site's ServerAlias pattern *.blog.example.
    [entry] = plan(vhosts, [app('b', 'b.example', aliases=['api.blog.example'])], OURS, MAIN)
    assert entry['file'].endswith('/blog.conf')
    assert entry['claimed'] == ['/etc/apache2/sites-enabled/blog.conf:1 (blog.example:80)']
    assert entry['others'] == ['/etc/apache2/sites-enabled/blog.conf:5 (other.example:80)']
    # Matching is case-insensitive, like httpd's; wildcard aliases of the application claim nothing.
    assert plan(vhosts, [app('s', 'SHOP.example')], OURS, MAIN)[0]['apps'] == ['s']
    assert plan(vhosts, [app('w', 'w.example', aliases=['*.shop.example'])], OURS, MAIN) == []


def test_absent_apps_and_other_ports_claim_nothing(vhosts):
    assert plan(vhosts, [app('shop', 'shop.example', state='absent')], OURS, MAIN) == []
    assert plan(vhosts, [app('shop', 'shop.example', port=81)], OURS, MAIN) == []


def test_a_vhost_in_the_main_file_is_marked(vhosts):
    moved = [dict(v, file='/etc/apache2/apache2.conf') for v in vhosts if v['server'] == 'blog.example:80']
    [entry] = plan(moved, [app('b', 'blog.example', takeover=True)], OURS, MAIN)
    assert entry['main_file'] is True


def test_bad_input_is_a_type_error():
    with pytest.raises(TypeError):
        plan('x', [], OURS)
