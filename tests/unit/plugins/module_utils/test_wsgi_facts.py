"""mod_wsgi's rules, on Debian's real captured trees and on small hand-written trees.

The Debian trees and command outputs are real captures (fixtures/debian, fixtures/trees). The
small trees below are hand-written *inputs*: one configuration per rule, read by the same
parser, with the expected mod_wsgi behaviour taken from its source and docs.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import shutil
import sys

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _config
from ansible_collections.modwsgi.apache.plugins.module_utils import _wsgi_facts
from ansible_collections.modwsgi.apache.plugins.module_utils import _wsgi_module
from ansible_collections.modwsgi.apache.plugins.module_utils import _wsgi_url
from ansible_collections.modwsgi.apache.tests.unit.helpers import DEBIAN, Replay, debian_sysroot, read

BINS = {'apache2': '/usr/sbin/apache2', 'apache2ctl': '/usr/sbin/apache2ctl'}
MODULES = ['core.c', 'mod_so.c', 'http_core.c', 'mod_alias.c', 'mod_wsgi.c']


def write(base, name, text):
    path = os.path.join(str(base), name.lstrip('/'))
    if not os.path.isdir(os.path.dirname(path)):
        os.makedirs(os.path.dirname(path))
    with open(path, 'w') as handle:
        handle.write(text)
    return path


def analyse(tmp_path, text, files=None, apache=None, module=None, scripts=(), **kwargs):
    """The analysis of ``text`` as httpd.conf, with ``tmp_path`` as the host's root: ``files``
    are more configuration files, ``scripts`` the (empty) WSGI scripts that exist."""
    for name, content in (files or {}).items():
        write(tmp_path, name, content)
    for name in scripts:
        write(tmp_path, name, '')
    main = write(tmp_path, 'httpd.conf', text)
    kwargs.setdefault('modules', MODULES)
    parsed = _config.parse(main, str(tmp_path), **kwargs)
    assert parsed.errors == []
    return _wsgi_facts.analyse(parsed, apache, module, sysroot=str(tmp_path))


def codes(analysis):
    return sorted(f['code'] for f in analysis.findings)


def only(analysis, code):
    found = [f for f in analysis.findings if f['code'] == code]
    assert len(found) == 1, analysis.findings
    return found[0]


def line_of(path, text):
    with open(path) as handle:
        for number, line in enumerate(handle, 1):
            if text in line:
                return number
    raise AssertionError('%r not in %s' % (text, path))


# -- Debian's real trees ---------------------------------------------------------------------

@pytest.mark.parametrize('version', ('12', '13'))
def test_debian_default_tree_has_no_wsgi_config(tmp_path, version):
    root = debian_sysroot(tmp_path, version, 'event')
    facts = _wsgi_facts.wsgi_facts(Replay(os.path.join(DEBIAN, version, 'event')), BINS.get,
                                   sysroot=root, resolve=['http://localhost/'])
    assert facts['loaded'] is True
    # The captured tree is /etc only: the module file itself is not part of it.
    assert facts['installed'] is False and facts['python'] is None
    assert facts['restrict_embedded'] is False
    assert facts['daemon_groups'] == [] and facts['mounts'] == []
    assert facts['findings'] == []
    assert facts['resolved'][0]['mount'] is None
    assert facts['resolved'][0]['server'] == '*:80'
    # 000-default.conf: no ServerName, so it answers to no name of its own.
    assert facts['vhosts'] == [{'server': '*:80', 'names': [], 'ports': ['80'], 'tls': False,
                                'file': '/etc/apache2/sites-enabled/000-default.conf', 'line': 1}]


def test_no_apache(tmp_path):
    facts = _wsgi_facts.wsgi_facts(Replay(str(tmp_path)), {}.get, sysroot=str(tmp_path),
                                   resolve=['http://x/'])
    assert facts['installed'] is False and facts['loaded'] is False
    assert facts['mounts'] == [] and facts['findings'] == []
    assert facts['vhosts'] == []
    assert facts['resolved'][0]['reason'] == 'Apache is not installed'


VHOST = '''<VirtualHost *:80>
    ServerName shop.example
    ServerAlias WWW.Shop.example
    WSGIDaemonProcess shop processes=20 threads=15 display-name=%{GROUP}
    WSGIProcessGroup shop
    WSGIScriptAlias / /srv/shop/app.wsgi
</VirtualHost>
'''


@pytest.mark.parametrize('mpm,expected', (
    ('prefork', ['frontend_capacity', 'prefork_with_daemon', 'restrict_embedded_off']),
    ('event', ['frontend_capacity', 'restrict_embedded_off']),
))
def test_debian_tree_with_a_daemon_vhost(tmp_path, mpm, expected):
    """The real Debian tree and captured -V/-M/-S, plus one daemon-mode site."""
    root = debian_sysroot(tmp_path, '12', mpm)
    site = write(root, 'etc/apache2/sites-enabled/shop.conf', VHOST)
    facts = _wsgi_facts.wsgi_facts(Replay(os.path.join(DEBIAN, '12', mpm)), BINS.get, sysroot=root)
    assert [g['name'] for g in facts['daemon_groups']] == ['shop']
    group = facts['daemon_groups'][0]
    assert group['processes'] == 20 and group['threads'] == 15
    assert group['server'] == 'shop.example:80'
    assert group['options']['display-name'] == '%{GROUP}'
    assert len(facts['mounts']) == 1
    mount = facts['mounts'][0]
    assert mount['mode'] == 'daemon' and mount['process_group'] == 'shop'
    assert mount['application_group'] == 'shop.example|'
    assert mount['decided_by'] == {'directive': 'WSGIProcessGroup shop',
                                   'file': '/etc/apache2/sites-enabled/shop.conf', 'line': 5}
    shop = [v for v in facts['vhosts'] if v['file'] == '/etc/apache2/sites-enabled/shop.conf']
    assert shop == [{'server': 'shop.example:80', 'names': ['shop.example', 'www.shop.example'],
                     'ports': ['80'], 'tls': False, 'file': '/etc/apache2/sites-enabled/shop.conf', 'line': 1}]
    assert sorted(f['code'] for f in facts['findings']) == expected
    capacity = [f for f in facts['findings'] if f['code'] == 'frontend_capacity'][0]
    # Debian's mpm_*.conf sets MaxRequestWorkers 150; 20 x 15 = 300.
    assert '150' in capacity['message'] and '300' in capacity['message']
    assert capacity['file'] == '/etc/apache2/mods-enabled/mpm_%s.conf' % mpm
    assert os.path.exists(site)


def test_prefork_kept_for_php_is_info(tmp_path):
    root = debian_sysroot(tmp_path, '12', 'prefork')
    write(root, 'etc/apache2/sites-enabled/shop.conf', VHOST.replace('processes=20', ''))
    facts = _wsgi_facts.wsgi_facts(Replay(os.path.join(DEBIAN, '12', 'mod_php')), BINS.get,
                                   sysroot=root)
    prefork = [f for f in facts['findings'] if f['code'] == 'prefork_with_daemon'][0]
    assert prefork['severity'] == 'info' and 'php_module' in prefork['message']


# -- one rule per tree -----------------------------------------------------------------------

def test_unused_daemon_group(tmp_path):
    a = analyse(tmp_path, 'WSGIDaemonProcess idle\nWSGIDaemonProcess used threads=4\n'
                          'WSGIScriptAlias /app /srv/app.wsgi process-group=used\n')
    found = only(a, 'group_unused')
    assert "'idle'" in found['message'] and found['severity'] == 'warning'
    assert found['line'] == 1 and found['file'].endswith('httpd.conf')
    idle, used = a.daemon_groups
    # processes unset: one process; threads default to 15.
    assert (idle['processes'], idle['threads']) == (1, 15)
    assert (used['processes'], used['threads']) == (1, 4)


def test_location_drops_back_to_global(tmp_path):
    a = analyse(tmp_path, '''<VirtualHost *:80>
    ServerName site.example
    WSGIDaemonProcess site
    WSGIProcessGroup site
    WSGIScriptAlias /legacy /srv/legacy.wsgi
    WSGIScriptAlias / /srv/site.wsgi
    <Location /legacy>
        WSGIProcessGroup %{GLOBAL}
    </Location>
</VirtualHost>
''')
    legacy, site = a.mounts
    assert legacy['mode'] == 'embedded' and legacy['process_group'] == ''
    assert legacy['decided_by']['line'] == 8
    assert site['mode'] == 'daemon' and site['decided_by']['line'] == 4
    found = only(a, 'mount_embedded')
    assert found['line'] == 5 and '/legacy' in found['message']


def test_process_group_option_on_the_alias_wins(tmp_path):
    a = analyse(tmp_path, '''WSGIDaemonProcess api
WSGIDaemonProcess web
WSGIProcessGroup web
<Location /api>
    WSGIProcessGroup web
    WSGIApplicationGroup web
</Location>
WSGIScriptAlias /api /srv/api.wsgi process-group=api application-group=%{GLOBAL}
''')
    mount, = a.mounts
    assert mount['process_group'] == 'api' and mount['mode'] == 'daemon'
    assert mount['application_group'] == ''
    assert mount['decided_by']['line'] == 8
    assert mount['decided_by']['directive'].startswith('WSGIScriptAlias /api')
    # Both options given: mod_wsgi preloads the script when the daemon starts.
    assert mount['preloaded'] is True
    assert "'web'" in only(a, 'group_unused')['message']


def test_two_process_groups_in_one_scope_last_wins(tmp_path):
    a = analyse(tmp_path, 'WSGIDaemonProcess one\nWSGIDaemonProcess two\n'
                          'WSGIProcessGroup one\nWSGIProcessGroup two\n'
                          'WSGIScriptAlias /x /srv/x.wsgi\n')
    mount, = a.mounts
    assert mount['process_group'] == 'two' and mount['decided_by']['line'] == 4
    assert "'one'" in only(a, 'group_unused')['message']


def test_directory_level_group(tmp_path):
    a = analyse(tmp_path, '''WSGIDaemonProcess app
WSGIScriptAlias /app /srv/app/app.wsgi
WSGIScriptAlias /other /srv/other/other.wsgi
<Directory /srv>
    WSGIApplicationGroup %{SERVER}
</Directory>
<Directory /srv/app>
    WSGIProcessGroup app
</Directory>
''')
    app, other = a.mounts
    assert app['mode'] == 'daemon' and app['decided_by']['line'] == 8
    # %{SERVER} without a ServerName: httpd uses the host's name, unknown here.
    assert app['application_group'] is None
    assert other['mode'] == 'embedded'
    assert other['decided_by']['directive'] == 'WSGIProcessGroup %{GLOBAL} (default)'


def test_default_application_group_is_resource(tmp_path):
    a = analyse(tmp_path, '''<VirtualHost *:8080>
    ServerName shop.example
    WSGIScriptAlias /api /srv/api.wsgi
    WSGIScriptAlias / /srv/root.wsgi
</VirtualHost>
<VirtualHost *:443>
    ServerName shop.example
    WSGIScriptAlias / /srv/root.wsgi
</VirtualHost>
''')
    groups = [(m['server'], m['url'], m['application_group']) for m in a.mounts]
    assert groups == [('shop.example:8080', '/api', 'shop.example:8080|/api'),
                      ('shop.example:8080', '/', 'shop.example:8080|'),
                      ('shop.example:443', '/', 'shop.example|')]


def test_group_of_another_vhost_is_not_visible(tmp_path):
    a = analyse(tmp_path, '''<VirtualHost *:80>
    ServerName a.example
    WSGIDaemonProcess agroup
    WSGIScriptAlias / /srv/a.wsgi process-group=agroup
</VirtualHost>
<VirtualHost *:443>
    ServerName a.example
    WSGIScriptAlias / /srv/a.wsgi process-group=agroup
</VirtualHost>
<VirtualHost *:80>
    ServerName b.example
    WSGIProcessGroup agroup
    WSGIScriptAlias / /srv/b.wsgi
</VirtualHost>
''')
    a80, a443, b80 = a.mounts
    assert a80['reason'] is None and a443['reason'] is None  # same ServerName: visible
    assert b80['mode'] == 'daemon' and 'cannot be accessed' in b80['reason']
    found = only(a, 'group_not_visible')
    assert found['severity'] == 'error' and found['line'] == 12


def test_undefined_and_duplicate_groups(tmp_path):
    a = analyse(tmp_path, 'WSGIDaemonProcess dup\nWSGIDaemonProcess dup threads=2\n'
                          'WSGIScriptAlias /a /srv/a.wsgi process-group=dup\n'
                          'WSGIScriptAlias /b /srv/b.wsgi process-group=missing\n')
    assert only(a, 'duplicate_group')['line'] == 2
    assert len(a.daemon_groups) == 1 and a.daemon_groups[0]['threads'] == 15
    found = only(a, 'group_undefined')
    assert found['line'] == 4 and "'missing'" in found['message']


def test_include_optional_glob(tmp_path):
    a = analyse(tmp_path, 'IncludeOptional %s/sites/*.conf\nIncludeOptional %s/none/*.conf\n'
                % (tmp_path, tmp_path),
                files={'sites/10-b.conf': '<VirtualHost *:80>\nServerName b\n'
                                          'WSGIDaemonProcess b\nWSGIProcessGroup b\n'
                                          'WSGIScriptAlias / /srv/b.wsgi\n</VirtualHost>\n',
                       'sites/02-a.conf': '<VirtualHost *:80>\nServerName a\n'
                                          'WSGIScriptAlias / /srv/a.wsgi\n</VirtualHost>\n',
                       'sites/ignored.txt': 'WSGIDaemonProcess never\n'})
    assert [(m['server'], m['mode']) for m in a.mounts] == [('a:80', 'embedded'), ('b:80', 'daemon')]
    assert a.mounts[1]['decided_by']['file'] == '%s/sites/10-b.conf' % tmp_path
    assert [g['name'] for g in a.daemon_groups] == ['b']


@pytest.mark.parametrize('defines,mode', (({}, 'embedded'), ({'DAEMON': ''}, 'daemon')))
def test_ifmodule_and_ifdefine(tmp_path, defines, mode):
    a = analyse(tmp_path, '''<IfModule mod_wsgi.c>
    WSGIScriptAlias /app /srv/app.wsgi
    <IfDefine DAEMON>
        WSGIDaemonProcess app
        WSGIProcessGroup app
    </IfDefine>
</IfModule>
<IfModule !wsgi_module>
    WSGIProcessGroup never
</IfModule>
''', defines=defines)
    assert [m['mode'] for m in a.mounts] == [mode]


def test_define_variables(tmp_path):
    a = analyse(tmp_path, 'Define APP shop\nDefine ROOT /srv/${APP}\n'
                          'WSGIDaemonProcess ${APP} python-home=${ROOT}/venv\n'
                          'WSGIScriptAlias /${APP} ${ROOT}/app.wsgi process-group=${APP}\n')
    mount, = a.mounts
    assert (mount['url'], mount['script'], mount['process_group']) == (
        '/shop', '/srv/shop/app.wsgi', 'shop')
    assert a.daemon_groups[0]['options'] == {'python-home': '/srv/shop/venv'}


def test_restrict_embedded_on_with_an_embedded_mount(tmp_path):
    a = analyse(tmp_path, 'WSGIRestrictEmbedded On\nWSGIDaemonProcess d\n'
                          'WSGIScriptAlias /d /srv/d.wsgi process-group=d\n'
                          'WSGIScriptAlias /e /srv/e.wsgi\n')
    assert a.restrict_embedded is True
    assert codes(a) == ['embedded_restricted']
    assert only(a, 'embedded_restricted')['line'] == 4


def test_restrict_embedded_off(tmp_path):
    a = analyse(tmp_path, 'WSGIRestrictEmbedded Off\nWSGIDaemonProcess d\n'
                          'WSGIScriptAlias /d /srv/d.wsgi process-group=d\n')
    assert codes(a) == ['restrict_embedded_off']
    assert only(a, 'restrict_embedded_off')['line'] == 1


def test_env_process_group_is_unknown(tmp_path):
    a = analyse(tmp_path, 'WSGIDaemonProcess maybe\nSetEnv PG maybe\n'
                          'WSGIProcessGroup %{ENV:PG}\nWSGIScriptAlias / /srv/x.wsgi\n')
    mount, = a.mounts
    assert mount['mode'] == 'unknown' and mount['process_group'] is None
    assert '%{ENV:PG}' in mount['reason']
    assert only(a, 'mode_unknown')['line'] == 4
    # The group might be selected per request: reported, but only as info.
    assert only(a, 'group_unused')['severity'] == 'info'


def test_sethandler_and_import_script(tmp_path):
    a = analyse(tmp_path, '''DocumentRoot /var/www
WSGIDaemonProcess tools
WSGIImportScript /var/www/tools/t.wsgi process-group=tools application-group=%{GLOBAL}
<Directory /var/www/tools>
    SetHandler wsgi-script
    WSGIProcessGroup tools
</Directory>
Alias /legacy /srv/legacy
<Directory /srv/legacy>
    AddHandler wsgi-script .wsgi
</Directory>
''')
    tools, legacy = a.mounts
    assert (tools['url'], tools['mode'], tools['line']) == ('/tools', 'daemon', 5)
    assert (legacy['url'], legacy['script'], legacy['mode']) == (
        '/legacy', '/srv/legacy/*.wsgi', 'embedded')
    assert 'group_unused' not in codes(a)


def test_python_mismatch(tmp_path):
    write(tmp_path, 'venv/pyvenv.cfg', 'home = /usr/bin\nversion = 3.9.2\n')
    write(tmp_path, 'venv311/pyvenv.cfg', 'home = /usr/bin\nversion_info = 3.11.2.final.0\n')
    a = analyse(tmp_path, 'WSGIDaemonProcess old python-home=/venv\n'
                          'WSGIDaemonProcess new python-home=/venv311\n'
                          'WSGIScriptAlias /o /srv/o.wsgi process-group=old\n'
                          'WSGIScriptAlias /n /srv/n.wsgi process-group=new\n',
                module={'python': {'version': '3.11'}})
    found = only(a, 'python_mismatch')
    assert found['line'] == 1 and '3.9' in found['message']
    # It names the fixes: a venv of mod_wsgi's Python, or mod_wsgi built with the venv's (the role's pip mode).
    assert found['message'].endswith(
        "which is Python 3.9: its packages will not import. Make the venv with Python 3.11, or build mod_wsgi with "
        "the venv's Python (the role modwsgi.apache.daemon_mode with modwsgi_install: pip builds it with the Python "
        "of the applications' venvs, or the one modwsgi_pip_python names)")


# -- resolve ---------------------------------------------------------------------------------

RESOLVE = '''Listen 80
Listen 8080
WSGIDaemonProcess api
WSGIDaemonProcess main
<VirtualHost *:80>
    ServerName default.example
    WSGIScriptAlias / /srv/default.wsgi
</VirtualHost>
<VirtualHost *:8080>
    ServerName first8080.example
    WSGIScriptAlias / /srv/first8080.wsgi
</VirtualHost>
<VirtualHost *:8080>
    ServerName www.shop.example
    ServerAlias shop.example *.shop.test
    WSGIProcessGroup main
    WSGIScriptAlias /api/v2 /srv/api2.wsgi
    WSGIScriptAlias /api /srv/api.wsgi process-group=api
    WSGIScriptAlias / /srv/shop.wsgi
    WSGIScriptAlias /late /srv/late.wsgi
    WSGIScriptAliasMatch ^/never /srv/never.wsgi
    <Location /api/v2/admin>
        WSGIApplicationGroup admin
    </Location>
</VirtualHost>
<VirtualHost *:80>
    ServerName regex.example
    WSGIScriptAliasMatch ^/(\\w+)/app /srv/$1.wsgi
    WSGIScriptAliasMatch ^/(\\w+) /srv/second-$1.wsgi
</VirtualHost>
'''


RESOLVE_SCRIPTS = ['/srv/%s.wsgi' % name for name in (
    'default', 'first8080', 'api2', 'api', 'shop', 'late', 'never', 'blog')]


@pytest.mark.parametrize('url,server,script,group,app_group', (
    # ServerAlias (exact and wildcard) on the right port.
    ('http://shop.example:8080/api/x', 'www.shop.example:8080', '/srv/api.wsgi', 'api',
     'www.shop.example:8080|/api'),
    ('http://eu.shop.test:8080/', 'www.shop.example:8080', '/srv/shop.wsgi', 'main',
     'www.shop.example:8080|'),
    # The first alias that matches wins: /api/v2 is listed before /api.
    ('http://www.shop.example:8080/api/v2/admin/y', 'www.shop.example:8080', '/srv/api2.wsgi',
     'main', 'admin'),
    # /apiary is not below /api (segment boundary): the root alias takes it.
    ('http://shop.example:8080/apiary', 'www.shop.example:8080', '/srv/shop.wsgi', 'main',
     'www.shop.example:8080|'),
    # Unknown names fall back to the first vhost of that port.
    ('http://unknown.example:8080/', 'first8080.example:8080', '/srv/first8080.wsgi', '',
     'first8080.example:8080|'),
    ('http://shop.example/', 'default.example:80', '/srv/default.wsgi', '', 'default.example|'),
    # The first matching WSGIScriptAliasMatch wins, with its $1 substituted.
    ('https://regex.example:80/blog/app/z', 'regex.example:80', '/srv/blog.wsgi', '',
     'regex.example|/blog/app'),
))
def test_resolve(tmp_path, url, server, script, group, app_group):
    a = analyse(tmp_path, RESOLVE, scripts=RESOLVE_SCRIPTS)
    result = a.resolve(url)
    assert result['url'] == url
    assert result['server'] == server
    assert result['mount']['script'] == script
    assert result['process_group'] == group
    assert result['application_group'] == app_group
    assert result['mode'] == ('daemon' if group else 'embedded')
    assert result['decided_by']['line'] or not group


def test_resolve_shadowed_alias_never_wins(tmp_path):
    a = analyse(tmp_path, RESOLVE, scripts=RESOLVE_SCRIPTS)
    result = a.resolve('http://shop.example:8080/late/x')
    assert result['mount']['script'] == '/srv/shop.wsgi'
    found = only(a, 'alias_shadowed')
    assert found['line'] == 20 and 'WSGIScriptAlias /late' in found['message']


def test_resolve_without_a_mount(tmp_path):
    a = analyse(tmp_path, 'DocumentRoot /var/www\n')
    result = a.resolve('http://x.example/static/a.css')
    assert result['mount'] is None and result['mode'] is None
    assert result['code'] == 'not_wsgi'
    assert result['served_by'] == {'kind': 'file', 'path': '/var/www/static/a.css',
                                   'directive': 'DocumentRoot /var/www',
                                   'file': os.path.join(str(tmp_path), 'httpd.conf'), 'line': 1}


@pytest.mark.parametrize('url,message', (
    ('ftp://x/', 'scheme must be http or https'),
    ('shop.example/x', 'not an absolute URL'),
    ('http:///x', 'has no host'),
    ('http://x:99999/', 'invalid port'),
    ('http://x/a b', 'whitespace'),
))
def test_parse_url_rejects(url, message):
    with pytest.raises(ValueError) as error:
        _wsgi_url.parse_url(url)
    assert message in str(error.value)


def test_parse_url():
    assert _wsgi_url.parse_url('https://Shop.Example/a?b') == ('https', 'shop.example', 443, '/a')
    assert _wsgi_url.parse_url('http://[::1]:8080') == ('http', '::1', 8080, '/')


# -- the module file -------------------------------------------------------------------------

@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='needs an ELF interpreter')
def test_elf_needed_on_a_real_binary():
    with open(os.path.realpath(sys.executable), 'rb') as handle:
        needed = _wsgi_module.elf_needed(handle.read())
    assert any(name.startswith('libc.so') for name in needed)


def test_elf_needed_rejects_other_files():
    assert _wsgi_module.elf_needed(b'#!/bin/sh\n' * 10) is None


@pytest.mark.parametrize('version,python,mod_wsgi', [('11', '3.9', '4.7.1'), ('12', '3.11', '4.9.4'),
                                                     ('13', '3.13', '5.0.2')])
def test_module_file_through_debian_alternatives(tmp_path, version, python, mod_wsgi):
    """Debian links mod_wsgi.so to mod_wsgi.so-3.X (here through /etc/alternatives); the
    version is the package's, from dpkg's database (captured: fixtures/debian/V/dpkg)."""
    root = str(tmp_path)
    so = 'usr/lib/apache2/modules/mod_wsgi.so-%s' % python
    write(root, so, 'not an ELF: the name tells the Python')
    os.makedirs(os.path.join(root, 'etc', 'alternatives'))
    os.symlink('/' + so, os.path.join(root, 'etc', 'alternatives', 'mod_wsgi.so'))
    os.symlink('/etc/alternatives/mod_wsgi.so',
               os.path.join(root, 'usr', 'lib', 'apache2', 'modules', 'mod_wsgi.so'))
    info = _wsgi_module.module_file(None, 'debian', root)
    assert info['installed'] is True
    assert info['version'] is None  # no dpkg database in this tree
    os.makedirs(os.path.join(root, 'var', 'lib', 'dpkg', 'info'))
    captured = os.path.join(DEBIAN, version, 'dpkg')
    shutil.copy(os.path.join(captured, 'status'), os.path.join(root, 'var', 'lib', 'dpkg', 'status'))
    shutil.copy(os.path.join(captured, 'libapache2-mod-wsgi-py3.list'),
                os.path.join(root, 'var', 'lib', 'dpkg', 'info', 'libapache2-mod-wsgi-py3.list'))
    info = _wsgi_module.module_file(None, 'debian', root)
    assert info['version'] == mod_wsgi
    assert info['python'] == {'library': None, 'version': python, 'from': 'file name'}


def test_version_of_a_pip_build(tmp_path):
    """mod_wsgi-express's venv in the bench image (fixtures/pip/express-site-packages.txt)."""
    listing = read('pip', 'express-site-packages.txt').split()
    so, = [line for line in listing if line.endswith('.so')]
    site = '/opt/express/lib/python3.11/site-packages'
    root = str(tmp_path)
    for entry in listing:
        if entry.startswith('./'):
            os.makedirs(os.path.join(root, site.lstrip('/'), entry[2:]), exist_ok=True)
    write(root, site.lstrip('/') + '/' + so, 'not an ELF')
    assert _wsgi_module.installed_version(site + '/' + so, root) == '5.0.2'
    # Not beside a mod_wsgi package, and no dpkg database: not guessed.
    assert _wsgi_module.installed_version('/usr/lib/apache2/modules/mod_wsgi.so', root) is None


# -- bad or missing configuration: findings, never a traceback -------------------------------

def test_broken_config_is_a_finding_with_file_and_line(tmp_path):
    # The tree and the outputs are Debian 12's, captured with the same zz-broken.conf in place.
    root = debian_sysroot(tmp_path, '12', 'event')
    write(root, 'etc/apache2/conf-enabled/zz-broken.conf', 'ThisIsNotADirective on\n')
    facts = _wsgi_facts.wsgi_facts(Replay(os.path.join(DEBIAN, '12', 'broken')), BINS.get,
                                   sysroot=root)
    found = [f for f in facts['findings'] if f['code'] == 'config_invalid']
    assert len(found) == 1
    assert found[0]['severity'] == 'error'
    assert (found[0]['file'], found[0]['line']) == \
        ('/etc/apache2/conf-enabled/zz-broken.conf', 1)
    assert "Invalid command 'ThisIsNotADirective'" in found[0]['message']


def test_missing_include_and_undefined_variable_are_findings(tmp_path):
    main = write(tmp_path, 'httpd.conf', 'Include missing.conf\n'
                                         'WSGIDaemonProcess ${NOPE}\n')
    parsed = _config.parse(main, str(tmp_path), modules=MODULES)
    analysis = _wsgi_facts.analyse(parsed, {}, None, sysroot='/')
    found = [f for f in analysis.findings if f['code'] == 'config_unreadable']
    assert [(f['file'], f['line'], f['severity']) for f in found] == [
        (main, 1, 'warning'), (main, 2, 'warning')]
    assert 'missing.conf' in found[0]['message']
    assert '${NOPE}' in found[1]['message']


# -- resolve follows httpd's request mapping (mod_alias, then mod_wsgi, then handlers) ------

MAPPING = '''Listen 80
Listen 8080
DocumentRoot /var/www
WSGIDaemonProcess site
WSGIScriptAlias /main /srv/main.wsgi
<VirtualHost *:80>
    ServerName site.example
    WSGIProcessGroup site
    Redirect permanent /old https://site.example/new
    RedirectMatch ^/legacy/(.*)$ /new/$1
    Alias /static/ /srv/static/
    Alias /ui /srv/ui
    ScriptAlias /cgi-bin/ /usr/lib/cgi-bin/
    Alias /plugins /srv/plugins
    <Directory /srv/plugins>
        AddHandler wsgi-script .wsgi
        Options ExecCGI
    </Directory>
    <Location /closed>
        Redirect /elsewhere
    </Location>
    WSGIScriptAlias /moin/ /srv/moin.wsgi
    WSGIScriptAlias /gone /srv/gone.wsgi
    WSGIScriptAlias / /srv/site.wsgi
</VirtualHost>
'''
MAPPING_SCRIPTS = ['/srv/main.wsgi', '/srv/site.wsgi', '/srv/moin.wsgi', '/srv/plugins/p.wsgi',
                   '/srv/static/app.css']


def mapping(tmp_path):
    return analyse(tmp_path, MAPPING, scripts=MAPPING_SCRIPTS)


@pytest.mark.parametrize('path,kind,line', (
    # An Alias inside `WSGIScriptAlias /` serves files: mod_alias runs first.
    ('/static/app.css', 'file', 11),
    ('/ui', 'file', 12),
    ('/cgi-bin/x', 'cgi-script', 13),
    ('/old/page', 'redirect', 9),
    ('/legacy/a', 'redirect', 10),
    # fixup_redir: a Redirect in a <Location> answers before any handler.
    ('/closed/x', 'redirect', 20),
))
def test_resolve_mod_alias_comes_first(tmp_path, path, kind, line):
    result = mapping(tmp_path).resolve('http://site.example' + path)
    assert result['mode'] is None and result['process_group'] is None
    assert result['code'] == ('redirect' if kind == 'redirect' else 'not_wsgi')
    assert result['served_by']['kind'] == kind and result['served_by']['line'] == line
    assert result['served_by']['file'].endswith('httpd.conf')


def test_resolve_redirect_status_and_target(tmp_path):
    a = mapping(tmp_path)
    old = a.resolve('http://site.example/old/page')['served_by']
    assert (old['status'], old['target']) == (301, 'https://site.example/new')
    legacy = a.resolve('http://site.example/legacy/a')['served_by']
    assert (legacy['status'], legacy['target']) == (302, '/new/a')


def test_resolve_static_alias_names_the_file(tmp_path):
    served = mapping(tmp_path).resolve('http://site.example/static/app.css')['served_by']
    assert served['path'] == '/srv/static/app.css'
    assert served['directive'] == 'Alias /static/ /srv/static/'


def test_resolve_handler_under_an_alias(tmp_path):
    """AddHandler in the <Directory> an Alias reaches: the handler decides, not the covering
    `WSGIScriptAlias /`."""
    result = mapping(tmp_path).resolve('http://site.example/plugins/p.wsgi/x')
    assert result['mode'] == 'daemon' and result['process_group'] == 'site'
    assert result['mount']['directive'] == 'AddHandler' and result['mount']['line'] == 16
    assert result['mount']['script'] == '/srv/plugins/p.wsgi'
    assert result['application_group'] == 'site.example|/plugins/p.wsgi'


def test_resolve_trailing_slash_alias(tmp_path):
    a = mapping(tmp_path)
    # mod_wsgi appends what follows "/moin/" to the script path: /srv/moin.wsgiFrontPage.
    missing = a.resolve('http://site.example/moin/FrontPage')
    assert missing['mode'] is None and missing['code'] == 'script_missing'
    assert missing['served_by']['path'] == '/srv/moin.wsgiFrontPage'
    assert '/srv/moin.wsgiFrontPage' in missing['reason']
    own = a.resolve('http://site.example/moin/')
    assert own['mode'] == 'daemon' and own['application_group'] == 'site.example|/moin/'
    mount = [m for m in a.mounts if m['url'] == '/moin/'][0]
    assert mount['application_group'] == 'site.example|/moin/'


def test_resolve_missing_script(tmp_path):
    result = mapping(tmp_path).resolve('http://site.example/gone/x')
    assert result['mode'] is None and result['code'] == 'script_missing'
    assert result['served_by']['path'] == '/srv/gone.wsgi/x'
    assert result['mount']['line'] == 23


def test_resolve_path_info_and_root_alias(tmp_path):
    result = mapping(tmp_path).resolve('http://site.example/shop/cart')
    assert result['mode'] == 'daemon' and result['mount']['script'] == '/srv/site.wsgi'
    assert result['application_group'] == 'site.example|'


def test_main_server_on_every_port(tmp_path):
    """Port 8080 has no virtual host: the main server answers there, with its own aliases."""
    a = mapping(tmp_path)
    main = [m for m in a.mounts if m['url'] == '/main']
    assert [m['server'] for m in main] == ['site.example:80', '*:8080']
    result = a.resolve('http://other.example:8080/main/x')
    assert result['server'] == '*:8080' and result['mode'] == 'embedded'
    # Nothing mounts / on the main server: the DocumentRoot serves it.
    root = a.resolve('http://other.example:8080/')
    assert root['code'] == 'not_wsgi' and root['served_by']['path'] == '/var/www/'
    assert [g['server'] for g in a.daemon_groups] == ['main server']


def test_mount_reached_through_an_alias_to_a_file(tmp_path):
    a = analyse(tmp_path, '''<VirtualHost *:80>
    ServerName ipa.example
    Alias /ipa/session/json /srv/ipa/wsgi.py
    <Directory /srv/ipa>
        SetHandler wsgi-script
    </Directory>
</VirtualHost>
''', scripts=['/srv/ipa/wsgi.py'])
    mount, = a.mounts
    assert mount['url'] == '/ipa/session/json' and mount['server'] == 'ipa.example:80'
    result = a.resolve('http://ipa.example/ipa/session/json')
    assert result['mode'] == 'embedded' and result['mount']['script'] == '/srv/ipa/wsgi.py'


def test_packaged_module_file_stands_only_for_the_loaded_one(tmp_path):
    # gather reads the packaged mod_wsgi while httpd runs; the configuration may load another.
    root = str(tmp_path)
    packaged_so = 'usr/lib/apache2/modules/mod_wsgi.so-3.11'
    express_so = 'srv/venv/lib/python3.11/site-packages/mod_wsgi/server/mod_wsgi-py311.cpython-311-x86_64-linux-gnu.so'
    write(root, packaged_so, 'not an ELF: the name tells the Python')
    write(root, express_so, 'not an ELF: the name tells the Python')
    packaged = _wsgi_module.module_file(None, 'debian', root)

    class Parsed(object):
        def __init__(self, path):
            self.modules = {'wsgi_module': {'path': path}} if path is not None else {}
    for path in (None, '/' + packaged_so):
        assert _wsgi_facts._module_file(Parsed(path), 'debian', root, packaged) is packaged
    other = _wsgi_facts._module_file(Parsed('/' + express_so), 'debian', root, packaged)
    assert other == _wsgi_module.module_file(Parsed('/' + express_so), 'debian', root)
    assert other['path'] == '/' + express_so
