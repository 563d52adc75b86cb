# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""takeover: in_place (plugins/plugin_utils/_inplace.py), on real configuration texts.

The sites: Molecule in_place's legacy site (molecule/in_place/files/legacy.conf, which Apache
serves in that scenario, before and after), and Django's published "Serving files" example
(molecule/audit/files/corpus/09-django-static.conf, see PROVENANCE.md there). Each is placed in
Debian 12's captured /etc/apache2 (fixtures/trees) and read by wsgi_facts' own parser, as the
role reads the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
from pathlib import Path

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _wsgi_facts
from ansible_collections.modwsgi.apache.plugins.module_utils._preflight import site_sources
from ansible_collections.modwsgi.apache.plugins.plugin_utils import _inplace, _plan
from ansible_collections.modwsgi.apache.plugins.plugin_utils._collateral import left_embedded
from ansible_collections.modwsgi.apache.plugins.plugin_utils._role_input import APP_DEFAULTS, validate
from ansible_collections.modwsgi.apache.plugins.plugin_utils._takeover import plan as takeover_plan
from ansible_collections.modwsgi.apache.plugins.plugin_utils._takeover import refusals
from ansible_collections.modwsgi.apache.tests.unit.helpers import DEBIAN, Replay, debian_sysroot

ROOT = Path(__file__).resolve().parents[4]
LEGACY_FILE = ROOT / 'molecule' / 'in_place' / 'files' / 'legacy.conf'
# The legacy site's TLS comes from Certbot's include (its SSLEngine on), as in Molecule in_place.
CERTBOT_TLS_FILE = ROOT / 'molecule' / 'in_place' / 'files' / 'options-ssl-apache.conf'
CERTBOT_TLS = '/etc/letsencrypt/options-ssl-apache.conf'
DJANGO_FILE = ROOT / 'molecule' / 'audit' / 'files' / 'corpus' / '09-django-static.conf'
DJANGO_BASIC_FILE = ROOT / 'molecule' / 'audit' / 'files' / 'corpus' / '12-django-basic.conf'
if not LEGACY_FILE.exists():
    # As in test_role_input: the collection's tarball does not ship molecule/.
    pytest.skip('molecule/ is not shipped', allow_module_level=True)
LEGACY = LEGACY_FILE.read_text()
DJANGO = DJANGO_FILE.read_text()
DJANGO_BASIC = DJANGO_BASIC_FILE.read_text()

BINS = {'apache2': '/usr/sbin/apache2', 'apache2ctl': '/usr/sbin/apache2ctl'}
OURS = r'/modwsgi-[^/]+\.conf$'
PROBE_URL = '/.well-known/modwsgi-probe'
PROBE_DIR = '/usr/local/share/modwsgi-probe'
ENABLED = '/etc/apache2/sites-enabled/legacy.conf'
AVAILABLE = '/etc/apache2/sites-available/legacy.conf'

SHOP = {'name': 'shop', 'server_name': 'legacy.test', 'port': 443, 'wsgi_script': '/srv/legacy/shop/shop.wsgi',
        'python_home': '/opt/legacy/venv', 'processes': 2, 'threads': 5, 'takeover': 'in_place'}
API = {'name': 'api', 'server_name': 'legacy.test', 'port': 443, 'url_path': '/api',
       'wsgi_script': '/srv/legacy/api/api.wsgi', 'python_home': '/opt/legacy/venv', 'processes': 1,
       'threads': 3, 'takeover': 'in_place'}

# What the role makes of the legacy site: the two blocks after <VirtualHost *:443>, and each
# WSGIScriptAlias with its groups, the original line kept. Nothing else changes.
CONVERTED = LEGACY.replace('''<VirtualHost *:443>
''', '''<VirtualHost *:443>
    # BEGIN modwsgi.apache.daemon_mode shop: daemon mode for shop; state: absent removes this block
    WSGIDaemonProcess shop processes=2 threads=5 display-name=%{GROUP} python-home=/opt/legacy/venv home=/srv/legacy/shop server-metrics=On
    WSGIScriptAlias /.well-known/modwsgi-probe/shop /usr/local/share/modwsgi-probe/probe.wsgi process-group=shop application-group=%{GLOBAL}
    <Location /.well-known/modwsgi-probe/shop>
        Require local
    </Location>
    <Directory /srv/legacy/shop>
        <Files shop.wsgi>
            WSGIProcessGroup shop
            WSGIApplicationGroup %{GLOBAL}
        </Files>
    </Directory>
    # END modwsgi.apache.daemon_mode shop
    # BEGIN modwsgi.apache.daemon_mode api: daemon mode for api; state: absent removes this block
    WSGIDaemonProcess api processes=1 threads=3 display-name=%{GROUP} python-home=/opt/legacy/venv home=/srv/legacy/api server-metrics=On
    WSGIScriptAlias /.well-known/modwsgi-probe/api /usr/local/share/modwsgi-probe/probe.wsgi process-group=api application-group=%{GLOBAL}
    <Location /.well-known/modwsgi-probe/api>
        Require local
    </Location>
    <Directory /srv/legacy/api>
        <Files api.wsgi>
            WSGIProcessGroup api
            WSGIApplicationGroup %{GLOBAL}
        </Files>
    </Directory>
    # END modwsgi.apache.daemon_mode api
''').replace('''    WSGIScriptAlias /api /srv/legacy/api/api.wsgi
    WSGIScriptAlias / /srv/legacy/shop/shop.wsgi
''', '''    # BEGIN modwsgi.apache.daemon_mode api alias: preloaded in api; state: absent restores the original line
# original line:     WSGIScriptAlias /api /srv/legacy/api/api.wsgi
    WSGIScriptAlias /api /srv/legacy/api/api.wsgi process-group=api application-group=%{GLOBAL}
    # END modwsgi.apache.daemon_mode api alias
    # BEGIN modwsgi.apache.daemon_mode shop alias: preloaded in shop; state: absent restores the original line
# original line:     WSGIScriptAlias / /srv/legacy/shop/shop.wsgi
    WSGIScriptAlias / /srv/legacy/shop/shop.wsgi process-group=shop application-group=%{GLOBAL}
    # END modwsgi.apache.daemon_mode shop alias
''')


class Host(object):
    """Debian 12's captured tree with one site (or more: ``more``, ``{name: text}``), read as the
    role reads it (wsgi_facts, stat, slurp)."""

    def __init__(self, tmp_path, text, name='legacy.conf', more=None):
        self.root = debian_sysroot(tmp_path, '12', 'event')
        self.available = '/etc/apache2/sites-available/' + name
        self.enabled = '/etc/apache2/sites-enabled/' + name
        for site, content in [(name, text)] + sorted((more or {}).items()):
            self.write(content, '/etc/apache2/sites-available/' + site)
            os.symlink('../sites-available/' + site, self.root + '/etc/apache2/sites-enabled/' + site)
        os.makedirs(os.path.dirname(self.root + CERTBOT_TLS))
        shutil.copyfile(str(CERTBOT_TLS_FILE), self.root + CERTBOT_TLS)

    def enable_ssl(self):
        """``a2enmod ssl``: its links, and those of the module it depends on."""
        for module in ('socache_shmcb.load', 'ssl.load', 'ssl.conf'):
            os.symlink('../mods-available/' + module, self.root + '/etc/apache2/mods-enabled/' + module)

    def write(self, text, path=None):
        with open(self.root + (path or self.available), 'w', newline='') as handle:
            handle.write(text)

    def text(self, path=None):
        with open(self.root + (path or self.available), newline='') as handle:
            return handle.read()

    def facts(self):
        return _wsgi_facts.wsgi_facts(Replay(os.path.join(DEBIAN, '12', 'event')), BINS.get, sysroot=self.root)

    def plan(self, apps, probe=True):
        facts = self.facts()
        paths = _inplace.files_to_read(facts, apps, OURS)
        sources = dict((path, {'content': self.text(path.replace('-enabled/', '-available/')),
                               'real': path.replace('-enabled/', '-available/'), 'mode': '0640',
                               'owner': 'root', 'group': 'root'}) for path in paths)
        return _inplace.plan(facts, apps, sources, OURS, PROBE_URL, PROBE_DIR, probe)

    def apply(self, apps):
        result = self.plan(apps)
        for entry in result['files']:
            assert entry['path'].startswith('/etc/apache2/sites-available/')
            self.write(entry['content'], entry['path'])
        return result


def normalized(*apps):
    return validate({}, list(apps), PROBE_URL)[1]


@pytest.fixture
def legacy(tmp_path):
    return Host(tmp_path, LEGACY)


def test_two_apps_of_one_vhost_are_converted_and_nothing_else_changes(legacy):
    result = legacy.apply(normalized(SHOP, API))
    assert [dict(e, content=None) for e in result['files']] == [{
        'path': AVAILABLE, 'content': None, 'mode': '0640', 'owner': 'root', 'group': 'root',
        'on_change': 'restart'}]
    assert legacy.text() == CONVERTED
    # The vhost is HTTPS (SSLEngine on): each app is probed there, at its own URL.
    assert result['apps'] == {
        'shop': {'url': 'https://127.0.0.1:443/.well-known/modwsgi-probe/shop', 'file': ENABLED, 'files': [ENABLED]},
        'api': {'url': 'https://127.0.0.1:443/.well-known/modwsgi-probe/api', 'file': ENABLED, 'files': [ENABLED]}}


@pytest.mark.parametrize('included, scheme', [
    (None, 'https'),  # Certbot's own lines (files/options-ssl-apache.conf)
    ('SSLEngine on\nSSLEngine off\n', 'http'),
    ('<IfModule mod_nosuch.c>\n    SSLEngine on\n</IfModule>\n', 'http'),
])
def test_the_scheme_is_the_vhost_s_tls_as_apache_reads_it_includes_too(tmp_path, included, scheme):
    # The site's SSLEngine on is only in Certbot's Include: Apache serves TLS there, so the probe
    # and the app's own URLs are asked over https; the last SSLEngine that holds decides.
    assert 'SSLEngine' not in LEGACY and 'Include ' + CERTBOT_TLS in LEGACY
    host = Host(tmp_path, LEGACY)
    if included is not None:
        with open(host.root + CERTBOT_TLS, 'w') as handle:
            handle.write(included)
    vhost = [v for v in host.facts()['vhosts'] if v['server'] == 'legacy.test:443']
    assert [v['tls'] for v in vhost] == [scheme == 'https']
    result = host.plan(normalized(SHOP))
    assert result['apps']['shop']['url'] == '%s://127.0.0.1:443/.well-known/modwsgi-probe/shop' % scheme


def test_after_the_conversion_each_url_runs_in_its_own_daemon_group(legacy):
    legacy.apply(normalized(SHOP, API))
    facts = legacy.facts()
    mounts = dict((m['url'], m) for m in facts['mounts'] if m['server'] == 'legacy.test:443')
    expected = {'/': 'shop', '/api': 'api', PROBE_URL + '/shop': 'shop', PROBE_URL + '/api': 'api'}
    assert dict((url, (m['mode'], m['process_group'])) for url, m in mounts.items()) == dict(
        (url, ('daemon', group)) for url, group in expected.items())
    assert mounts['/']['preloaded'] and mounts['/api']['preloaded']
    assert [g['name'] for g in facts['daemon_groups']] == ['shop', 'api']


def test_a_second_run_changes_nothing(legacy):
    apps = normalized(SHOP, API)
    legacy.apply(apps)
    again = legacy.plan(apps)
    assert again['files'] == [] and sorted(again['apps']) == ['api', 'shop']


def test_state_absent_restores_the_original_byte_for_byte(legacy):
    legacy.apply(normalized(SHOP, API))
    # One app at a time: the other keeps its blocks.
    legacy.apply(normalized(dict(API, state='absent'), SHOP))
    assert 'daemon_mode api' not in legacy.text() and 'daemon_mode shop' in legacy.text()
    legacy.apply(normalized({'name': 'shop', 'state': 'absent'}, {'name': 'api', 'state': 'absent'}))
    assert legacy.text() == LEGACY


def test_without_preload_the_alias_line_is_kept(legacy):
    legacy.apply(normalized(dict(SHOP, preload=False)))
    text = legacy.text()
    assert '    WSGIScriptAlias / /srv/legacy/shop/shop.wsgi\n' in text and 'alias' not in text.split('shop')[0]
    assert 'original line' not in text
    mounts = dict((m['url'], m) for m in legacy.facts()['mounts'] if m['server'] == 'legacy.test:443')
    assert (mounts['/']['mode'], mounts['/']['process_group'], mounts['/']['preloaded']) == ('daemon', 'shop', False)
    # The API, not converted, still runs embedded.
    assert mounts['/api']['mode'] == 'embedded'


def test_without_the_probe_there_is_no_probe_mount(legacy):
    result = legacy.plan(normalized(SHOP), probe=False)
    assert PROBE_URL not in result['files'][0]['content']


def test_crlf_files_keep_their_line_endings(tmp_path):
    crlf = LEGACY.replace('\n', '\r\n')
    host = Host(tmp_path, crlf)
    host.apply(normalized(SHOP, API))
    assert host.text() == CONVERTED.replace('\n', '\r\n')
    host.apply(normalized({'name': 'shop', 'state': 'absent'}, {'name': 'api', 'state': 'absent'}))
    with open(host.root + host.available, 'rb') as handle:
        assert handle.read() == crlf.encode()


def test_a_published_django_site(tmp_path):
    host = Host(tmp_path, DJANGO, 'django.conf')
    app = {'name': 'mysite', 'server_name': 'django.test', 'wsgi_script': '/srv/corpus/mysite.com/mysite/wsgi.py',
           'python_home': '/srv/corpus/venv', 'takeover': 'in_place'}
    host.apply(normalized(app))
    mounts = dict((m['url'], m) for m in host.facts()['mounts'] if m['server'] == 'django.test:80')
    assert (mounts['/']['mode'], mounts['/']['process_group']) == ('daemon', 'mysite')
    assert mounts[PROBE_URL + '/mysite']['process_group'] == 'mysite'
    host.apply(normalized(dict(app, state='absent')))
    assert host.text() == DJANGO


def refused(host, *apps):
    with pytest.raises(_inplace.InPlaceError) as caught:
        host.plan(normalized(*apps))
    return caught.value.errors


def test_refused_without_the_vhost(legacy):
    assert refused(legacy, dict(SHOP, port=8443)) == [
        'modwsgi_apps[0].takeover: in_place converts the one virtual host that serves legacy.test:8443; there is none; '
        'the script is mounted by WSGIScriptAlias / at %s:28: set server_name and port to '
        'its virtual host, or, for a mount outside any virtual host, use takeover: replace' % ENABLED]


def test_refused_for_a_server_level_mount_names_its_file_and_line(tmp_path):
    # Django's "Basic configuration" as published (molecule/audit/files/corpus/12-django-basic.conf):
    # WSGIScriptAlias at server level, in no <VirtualHost>.
    host = Host(tmp_path, DJANGO_BASIC, 'corpus-12-django-basic.conf')
    app = {'name': 'mysite', 'server_name': 'localhost', 'wsgi_script': '/srv/corpus/mysite.com/mysite/wsgi.py',
           'takeover': 'in_place'}
    assert refused(host, app) == [
        'modwsgi_apps[0].takeover: in_place converts the one virtual host that serves localhost:80; there is none; '
        'the script is mounted by WSGIScriptAlias / at /etc/apache2/sites-enabled/corpus-12-django-basic.conf:1: '
        'set server_name and port to its virtual host, or, for a mount outside any virtual host, '
        'use takeover: replace']


def test_refused_when_two_vhosts_answer(tmp_path):
    host = Host(tmp_path, LEGACY + LEGACY[LEGACY.index('<VirtualHost *:443>'):])
    assert refused(host, SHOP) == [
        'modwsgi_apps[0].takeover: in_place converts the one virtual host that serves legacy.test:443; there are 2: '
        '%s:8, %s:43' % (ENABLED, ENABLED)]


def test_refused_without_its_wsgiscriptalias(legacy):
    assert refused(legacy, dict(API, url_path='/v2')) == [
        'modwsgi_apps[0].url_path: in_place converts a WSGIScriptAlias /v2 in %s:8; there is none. '
        'Use takeover: replace' % ENABLED]


def test_refused_when_the_site_mounts_another_script(legacy):
    assert refused(legacy, dict(SHOP, wsgi_script='/srv/legacy/shop/other.wsgi')) == [
        'modwsgi_apps[0].wsgi_script: /srv/legacy/shop/other.wsgi, but the site mounts '
        '/srv/legacy/shop/shop.wsgi at %s:28' % ENABLED]


def test_refused_for_a_handler_mount(tmp_path):
    host = Host(tmp_path, LEGACY.replace('    WSGIScriptAlias /api /srv/legacy/api/api.wsgi\n', '''    Alias /api /srv/legacy/api/api.wsgi
    <Location /api>
        SetHandler wsgi-script
        Options +ExecCGI
    </Location>
'''))
    assert refused(host, API) == [
        'modwsgi_apps[0].url_path: in_place converts a WSGIScriptAlias /api in %s:8; SetHandler at %s:29. '
        'Use takeover: replace' % (ENABLED, ENABLED)]
    # The shop at / is refused too: that handler would still decide how /api runs.
    assert refused(host, SHOP) == [
        'modwsgi_apps[0].takeover: "SetHandler wsgi-script" at %s:29, inside a section, would decide the mode '
        'of some URLs of this virtual host; in_place does not change sections: move it out first' % ENABLED]


def test_refused_for_a_group_chosen_in_a_section_without_preload(tmp_path):
    host = Host(tmp_path, LEGACY.replace('        Require valid-user\n',
                                         '        Require valid-user\n        WSGIProcessGroup %{GLOBAL}\n'))
    assert refused(host, dict(SHOP, preload=False)) == [
        'modwsgi_apps[0].takeover: "WSGIProcessGroup %%{GLOBAL}" at %s:38, inside a section, would decide the mode '
        'of some URLs of this virtual host; in_place does not change sections: move it out first' % ENABLED]
    # With preload, the alias's process-group= wins over the section: converted.
    assert host.plan(normalized(SHOP))['apps']['shop']


def test_refused_for_a_group_set_for_the_vhost(tmp_path):
    host = Host(tmp_path, LEGACY.replace('    DocumentRoot /srv/legacy/htdocs\n',
                                         '    DocumentRoot /srv/legacy/htdocs\n    WSGIProcessGroup %{GLOBAL}\n'))
    assert refused(host, dict(SHOP, preload=False)) == [
        'modwsgi_apps[0].takeover: the process group of / on legacy.test:443 is set by "WSGIProcessGroup %%{GLOBAL}" '
        'at %s:12; in_place would not override it: remove it first' % ENABLED]


def test_refused_for_a_continued_alias_line(tmp_path):
    host = Host(tmp_path, LEGACY.replace('WSGIScriptAlias / /srv/legacy/shop/shop.wsgi\n',
                                         'WSGIScriptAlias / \\\n        /srv/legacy/shop/shop.wsgi\n'))
    assert refused(host, SHOP) == [
        'modwsgi_apps[0].url_path: the WSGIScriptAlias at %s:28 continues on the next line; '
        'write it on one line first' % ENABLED]


def test_a_damaged_block_is_refused_not_guessed(legacy):
    legacy.apply(normalized(SHOP))
    text = legacy.text()
    legacy.write(text.replace('    # END modwsgi.apache.daemon_mode shop alias\n', ''))
    assert refused(legacy, SHOP) == [
        '%s:41: the block of shop is not closed; fix the file by hand' % ENABLED]
    legacy.write(text.replace('# original line:     WSGIScriptAlias / /srv/legacy/shop/shop.wsgi\n', ''))
    assert refused(legacy, SHOP) == [
        '%s:41: the block of shop has lost its "# original line:" line; restore it by hand' % ENABLED]


def test_files_to_read(legacy):
    facts = legacy.facts()
    assert _inplace.files_to_read(facts, normalized(SHOP, API), OURS) == [ENABLED]
    assert _inplace.files_to_read(facts, normalized(dict(SHOP, takeover='replace')), OURS) == []
    legacy.apply(normalized(SHOP))
    # An earlier run's block is found by its daemon group, even for an absent app.
    assert _inplace.files_to_read(legacy.facts(), normalized({'name': 'shop', 'state': 'absent'}), OURS) == [ENABLED]


def test_in_place_apps_take_over_nothing_and_the_others_are_refused(legacy):
    vhosts = legacy.facts()['vhosts']
    main = ['/etc/apache2/apache2.conf']
    assert takeover_plan(vhosts, normalized(SHOP, API), OURS, main) == []
    entries = takeover_plan(vhosts, normalized(dict(SHOP, takeover=False)), OURS, main)
    assert refusals(entries, '/var/backups/modwsgi') == [
        'modwsgi_apps[0].takeover: shop would be served by %s:8 (legacy.test:443), a virtual host this role did '
        'not write. Set takeover: in_place on shop to convert it to daemon mode where it is, or takeover: replace '
        'to disable %s (a copy is kept in /var/backups/modwsgi), or remove it first.' % (ENABLED, ENABLED)]
    # replace: the file also holds the port-80 redirect, which no application claims.
    entries = takeover_plan(vhosts, normalized(dict(SHOP, takeover=True)), OURS, main)
    assert refusals(entries, '/var/backups/modwsgi') == [
        'modwsgi_apps[0].takeover: cannot disable %s: it also holds %s:2 (legacy.test:80), which no application '
        'takes over. Move %s:8 (legacy.test:443) to a file of its own first.' % (ENABLED, ENABLED, ENABLED)]
    moved = [dict(v, file='/etc/apache2/apache2.conf') for v in vhosts if v['server'] == 'legacy.test:443']
    entries = takeover_plan(moved, normalized(dict(SHOP, takeover='replace')), OURS, main)
    assert refusals(entries, '/x') == [
        "modwsgi_apps[0].takeover: cannot disable /etc/apache2/apache2.conf: it is Apache's main configuration "
        'file. Move /etc/apache2/apache2.conf:8 (legacy.test:443) to a file of its own first.']


def test_the_plan_writes_the_file_a_link_points_to_and_keeps_its_mode(legacy):
    # The host module's read (module_utils/_preflight.py, site_sources): the link is resolved,
    # and the mode and owner are those of the file it points to.
    os.chmod(legacy.root + AVAILABLE, 0o640)
    facts = legacy.facts()
    apps = normalized(SHOP, API)
    sources = site_sources(facts, apps, OURS, sysroot=legacy.root)
    # Every site file (the host does not decide which one an application claims), the role's own aside.
    assert sorted(sources) == ['/etc/apache2/sites-enabled/000-default.conf', ENABLED]
    assert sources[ENABLED]['real'] == AVAILABLE and sources[ENABLED]['content'] == LEGACY
    files, reach = _plan.in_place(facts, apps, sources, [], PROBE_URL, True, '/var/backups/modwsgi')
    assert [(f['path'], f['mode'], f['content'] == CONVERTED) for f in files] == [(AVAILABLE, '0640', True)]
    assert reach == {'shop': {'url': 'https://127.0.0.1:443%s/shop' % PROBE_URL, 'file': ENABLED, 'files': [ENABLED]},
                     'api': {'url': 'https://127.0.0.1:443%s/api' % PROBE_URL, 'file': ENABLED, 'files': [ENABLED]}}
    # A refusal names the field, with the takeover refusals, before anything changes.
    with pytest.raises(_plan.PlanError) as refused:
        _plan.in_place(facts, normalized(dict(SHOP, port=8443)), sources, [], PROBE_URL, True, '/x')
    assert refused.value.errors == [
        'modwsgi_apps[0].takeover: in_place converts the one virtual host that serves legacy.test:8443; there is none; '
        'the script is mounted by WSGIScriptAlias / at %s:28: set server_name and port to '
        'its virtual host, or, for a mount outside any virtual host, use takeover: replace' % ENABLED]


def test_a_site_that_is_not_utf8_is_refused_naming_it(legacy):
    with open(legacy.root + AVAILABLE, 'ab') as handle:
        handle.write(b'# caf\xe9\n')
    facts = legacy.facts()
    apps = normalized(SHOP)
    sources = site_sources(facts, apps, OURS, sysroot=legacy.root)
    assert sources[ENABLED]['content'] is None
    with pytest.raises(_plan.PlanError) as refused:
        _plan.in_place(facts, apps, sources, [], PROBE_URL, True, '/x')
    assert refused.value.errors == ['%s: is not UTF-8 text; in_place only edits text files' % ENABLED]


# The WSGIDaemonProcess options: one rule for the role's own virtual hosts and the sites
# converted in place (these tests came from the removed filter wsgi_daemon_options).
SHOP_APP = dict(APP_DEFAULTS, name='shop', server_name='shop.test', wsgi_script='/srv/shop/app.wsgi',
                python_home='/srv/shop/venv')


def test_daemon_options_defaults_in_the_order_the_role_writes_them():
    assert _inplace.daemon_options(SHOP_APP) == [
        'processes=2', 'threads=15', 'display-name=%{GROUP}', 'python-home=/srv/shop/venv',
        'home=/srv/shop', 'server-metrics=On']


def test_daemon_options_server_metrics_is_on_unless_daemon_options_say_otherwise():
    # group_metrics reads Apache's scoreboard through server_metrics(), which needs it.
    options = _inplace.daemon_options(dict(SHOP_APP, daemon_options={'server-metrics': False}))
    assert options[-1] == 'server-metrics=Off' and 'server-metrics=On' not in options


def test_daemon_options_python_path_and_options_sorted_booleans_as_on_off():
    app = dict(SHOP_APP, user='shop', group='www-data', python_home=None, python_path=['/srv/shop/lib', '/srv/lib'],
               daemon_options={'maximum-requests': 1000, 'lang': 'C.UTF-8', 'startup-timeout': 15,
                               'restart-interval': 0, 'send-buffer-size': 0, 'home': '/srv',
                               'shutdown-timeout': 5, 'graceful-timeout': 15, 'socket-user': 'www-data'})
    options = _inplace.daemon_options(app)
    # No python-home= without a venv (the Python mod_wsgi is built for); home= from the options.
    assert options[:5] == ['processes=2', 'threads=15', 'display-name=%{GROUP}', 'user=shop', 'group=www-data']
    assert 'python-home' not in ' '.join(options) and options.count('home=/srv') == 1
    assert options[5:7] == ['python-path=/srv/shop/lib:/srv/lib', 'server-metrics=On']
    assert options[7:] == sorted(options[7:])
    assert _inplace.daemon_options(dict(SHOP_APP, daemon_options={'lazy': True}))[-1] == 'lazy=On'


# Certbot's pair (issue 22): Molecule in_place's mysite (where each line comes from:
# molecule/in_place/files/PROVENANCE.md). mysite.conf on *:80 still mounts the app and ends with
# Certbot's unindented redirect; mysite-le-ssl.conf is Certbot's copy on *:443, inside
# <IfModule mod_ssl.c>, its TLS only from Certbot's include. Debian reads mysite-le-ssl.conf
# first ('-' sorts before '.').
MYSITE_FILE = ROOT / 'molecule' / 'in_place' / 'files' / 'mysite.conf'
MYSITE_SSL_FILE = ROOT / 'molecule' / 'in_place' / 'files' / 'mysite-le-ssl.conf'
MYSITE = MYSITE_FILE.read_text()
MYSITE_SSL = MYSITE_SSL_FILE.read_text()
SSL_ENABLED = '/etc/apache2/sites-enabled/mysite-le-ssl.conf'
SSL_AVAILABLE = '/etc/apache2/sites-available/mysite-le-ssl.conf'
HTTP_ENABLED = '/etc/apache2/sites-enabled/mysite.conf'
HTTP_AVAILABLE = '/etc/apache2/sites-available/mysite.conf'
MYSITE_APP = {'name': 'mysite', 'server_name': 'mysite.test', 'server_aliases': ['www.mysite.test'], 'port': 443,
              'wsgi_script': '/srv/mysite/mysite/wsgi.py', 'processes': 1, 'threads': 2, 'takeover': 'in_place'}
SELECTION = '''    <Directory /srv/mysite/mysite>
        <Files wsgi.py>
            WSGIProcessGroup mysite
            WSGIApplicationGroup %{GLOBAL}
        </Files>
    </Directory>
'''
ALIAS = '''    # BEGIN modwsgi.apache.daemon_mode mysite alias: preloaded in mysite; state: absent restores the original line
# original line:     WSGIScriptAlias / /srv/mysite/mysite/wsgi.py
    WSGIScriptAlias / /srv/mysite/mysite/wsgi.py process-group=mysite application-group=%{GLOBAL}
    # END modwsgi.apache.daemon_mode mysite alias
'''
# The app's own virtual host (port 443): the group, the probe, the selection, the preloaded alias.
MYSITE_SSL_CONVERTED = MYSITE_SSL.replace('<VirtualHost *:443>\n', '''<VirtualHost *:443>
    # BEGIN modwsgi.apache.daemon_mode mysite: daemon mode for mysite; state: absent removes this block
    WSGIDaemonProcess mysite processes=1 threads=2 display-name=%{GROUP} home=/srv/mysite/mysite server-metrics=On
    WSGIScriptAlias /.well-known/modwsgi-probe/mysite /usr/local/share/modwsgi-probe/probe.wsgi process-group=mysite application-group=%{GLOBAL}
    <Location /.well-known/modwsgi-probe/mysite>
        Require local
    </Location>
''' + SELECTION + '''    # END modwsgi.apache.daemon_mode mysite
''').replace('    WSGIScriptAlias / /srv/mysite/mysite/wsgi.py\n', ALIAS)
# The *:80 one: the selection of that group, and its alias preloaded there too. Certbot's
# unindented lines stay as they are.
MYSITE_CONVERTED = MYSITE.replace('<VirtualHost *:80>\n', '''<VirtualHost *:80>
    # BEGIN modwsgi.apache.daemon_mode mysite: daemon group mysite, defined in the virtual host mysite.test:443 of %s; state: absent removes this block
''' % SSL_ENABLED + SELECTION + '''    # END modwsgi.apache.daemon_mode mysite
''').replace('    WSGIScriptAlias / /srv/mysite/mysite/wsgi.py\n', ALIAS)


def certbot_pair(tmp_path, http=MYSITE, ssl=MYSITE_SSL):
    host = Host(tmp_path, ssl, 'mysite-le-ssl.conf', more={'mysite.conf': http})
    host.enable_ssl()
    return host


def script_mounts(facts):
    return sorted((m['server'], m['url'], m['mode'], m['process_group'], m['preloaded'])
                  for m in facts['mounts'] if m['script'] == MYSITE_APP['wsgi_script'])


def test_certbot_s_pair_is_converted_as_one_app(tmp_path):
    host = certbot_pair(tmp_path)
    vhosts = dict((v['server'], v) for v in host.facts()['vhosts'] if 'mysite.test' in v['names'])
    # As Apache reads it: the copy inside <IfModule mod_ssl.c>, its TLS from Certbot's include.
    assert [(server, v['tls'], v['file']) for server, v in sorted(vhosts.items())] == [
        ('mysite.test:443', True, SSL_ENABLED), ('mysite.test:80', False, HTTP_ENABLED)]
    result = host.apply(normalized(MYSITE_APP))
    assert [f['path'] for f in result['files']] == [SSL_AVAILABLE, HTTP_AVAILABLE]
    assert host.text(SSL_AVAILABLE) == MYSITE_SSL_CONVERTED
    assert host.text(HTTP_AVAILABLE) == MYSITE_CONVERTED
    assert result['apps'] == {'mysite': {'url': 'https://127.0.0.1:443%s/mysite' % PROBE_URL, 'file': SSL_ENABLED,
                                         'files': [SSL_ENABLED, HTTP_ENABLED]}}


def test_after_the_pair_s_conversion_the_audit_shows_no_embedded_mount_of_the_app(tmp_path):
    host = certbot_pair(tmp_path)
    assert script_mounts(host.facts()) == [('mysite.test:443', '/', 'embedded', '', False),
                                           ('mysite.test:80', '/', 'embedded', '', False)]
    host.apply(normalized(MYSITE_APP))
    facts = host.facts()
    # One daemon group, and every mount of the script runs in it, on both ports.
    assert [g['name'] for g in facts['daemon_groups']] == ['mysite']
    assert script_mounts(facts) == [('mysite.test:443', '/', 'daemon', 'mysite', True),
                                    ('mysite.test:80', '/', 'daemon', 'mysite', True)]
    assert [f for f in facts['findings'] if 'mysite' in json.dumps(f)] == []
    # The restriction rule agrees: nothing of the app is left embedded.
    assert left_embedded(host.facts(), normalized(MYSITE_APP), OURS, PROBE_URL) == []


def test_the_pair_s_second_run_changes_nothing_and_state_absent_restores_both_files(tmp_path):
    host = certbot_pair(tmp_path)
    apps = normalized(MYSITE_APP)
    host.apply(apps)
    assert host.plan(apps)['files'] == []
    absent = normalized({'name': 'mysite', 'state': 'absent'})
    # mysite.conf only selects the group: it is found through its mount's group, on the host too.
    assert _inplace.files_to_read(host.facts(), absent, OURS) == [SSL_ENABLED, HTTP_ENABLED]
    assert sorted(site_sources(host.facts(), absent, OURS, sysroot=host.root)) == [SSL_ENABLED, HTTP_ENABLED]
    result = host.apply(absent)
    assert [f['path'] for f in result['files']] == [SSL_AVAILABLE, HTTP_AVAILABLE] and result['apps'] == {}
    assert host.text(SSL_AVAILABLE) == MYSITE_SSL and host.text(HTTP_AVAILABLE) == MYSITE


def test_before_the_pair_is_converted_the_restriction_rule_counts_the_port_80_mount_as_converted(tmp_path):
    host = certbot_pair(tmp_path)
    assert left_embedded(host.facts(), normalized(MYSITE_APP), OURS, PROBE_URL) == []


def test_a_companion_read_before_the_group_selects_it_without_preload(tmp_path):
    # The app on port 80: its group is defined in mysite.conf, which Apache reads after
    # mysite-le-ssl.conf. A process-group= there would be refused when Apache reads it ("WSGI
    # process group not yet configured."): the copy on 443 selects the group by its <Files> only.
    host = certbot_pair(tmp_path)
    result = host.apply(normalized(dict(MYSITE_APP, port=80)))
    assert [f['path'] for f in result['files']] == [SSL_AVAILABLE, HTTP_AVAILABLE]
    ssl = host.text(SSL_AVAILABLE)
    assert 'WSGIDaemonProcess' not in ssl and 'original line' not in ssl
    assert ssl == MYSITE_SSL.replace('<VirtualHost *:443>\n', '''<VirtualHost *:443>
    # BEGIN modwsgi.apache.daemon_mode mysite: daemon group mysite, defined in the virtual host mysite.test:80 of %s; state: absent removes this block
''' % HTTP_ENABLED + SELECTION + '''    # END modwsgi.apache.daemon_mode mysite
''')
    assert result['apps']['mysite'] == {'url': 'http://127.0.0.1:80%s/mysite' % PROBE_URL, 'file': HTTP_ENABLED,
                                        'files': [HTTP_ENABLED, SSL_ENABLED]}
    assert script_mounts(host.facts()) == [('mysite.test:443', '/', 'daemon', 'mysite', False),
                                           ('mysite.test:80', '/', 'daemon', 'mysite', True)]
    assert host.plan(normalized(dict(MYSITE_APP, port=80)))['files'] == []
    host.apply(normalized({'name': 'mysite', 'state': 'absent'}))
    assert host.text(SSL_AVAILABLE) == MYSITE_SSL and host.text(HTTP_AVAILABLE) == MYSITE


def test_a_companion_with_another_servername_is_refused_before_any_change(tmp_path):
    # mod_wsgi: a group defined in a <VirtualHost> serves only virtual hosts with its ServerName.
    http = MYSITE.replace('    ServerName mysite.test\n    ServerAlias www.mysite.test\n',
                          '    ServerName www.mysite.test\n    ServerAlias mysite.test\n')
    host = certbot_pair(tmp_path, http=http)
    assert refused(host, MYSITE_APP) == [
        'modwsgi_apps[0].takeover: in_place defines the daemon group mysite in %s:2 (ServerName mysite.test), and '
        '%s:5 (ServerName www.mysite.test) also mounts /srv/mysite/mysite/wsgi.py for the app\'s names at %s:8; '
        'mod_wsgi lets only virtual hosts with the same ServerName use a group defined in a virtual host ("WSGI '
        'process group not accessible."): give it ServerName mysite.test, or remove that mount first'
        % (SSL_ENABLED, HTTP_ENABLED, HTTP_ENABLED)]
    assert host.text(HTTP_AVAILABLE) == http and host.text(SSL_AVAILABLE) == MYSITE_SSL


@pytest.mark.parametrize('http', [
    # The port-80 site mounts another script: not the app's, left alone (and still embedded).
    MYSITE.replace('WSGIScriptAlias / /srv/mysite/mysite/wsgi.py', 'WSGIScriptAlias / /srv/mysite/other.wsgi'),
    # A pure redirect, as Certbot writes one when the site had no port-80 mount of its own.
    MYSITE.replace('    WSGIScriptAlias / /srv/mysite/mysite/wsgi.py\n', ''),
], ids=['another-script', 'redirect-only'])
def test_a_virtual_host_of_the_names_that_does_not_mount_the_script_is_left_alone(tmp_path, http):
    host = certbot_pair(tmp_path, http=http)
    # The restriction rule counts another script's mount as left embedded.
    assert [m['script'] for m in left_embedded(host.facts(), normalized(MYSITE_APP), OURS, PROBE_URL)] == (
        ['/srv/mysite/other.wsgi'] if 'other.wsgi' in http else [])
    result = host.apply(normalized(MYSITE_APP))
    assert [f['path'] for f in result['files']] == [SSL_AVAILABLE]
    assert result['apps']['mysite']['files'] == [SSL_ENABLED]
    assert host.text(SSL_AVAILABLE) == MYSITE_SSL_CONVERTED and host.text(HTTP_AVAILABLE) == http
    assert [(m['server'], m['mode']) for m in host.facts()['mounts'] if m['server'] == 'mysite.test:80'] == (
        [('mysite.test:80', 'embedded')] if 'other.wsgi' in http else [])


def test_a_companion_whose_servername_comes_after_its_alias_selects_the_group_without_preload(tmp_path):
    # Apache reads the alias before the ServerName: a process-group= there would be refused
    # ("WSGI process group not matchable."). The <Files> selection is checked per request.
    http = MYSITE.replace('    ServerName mysite.test\n    ServerAlias www.mysite.test\n'
                          '    WSGIScriptAlias / /srv/mysite/mysite/wsgi.py\n',
                          '    WSGIScriptAlias / /srv/mysite/mysite/wsgi.py\n'
                          '    ServerName mysite.test\n    ServerAlias www.mysite.test\n')
    host = certbot_pair(tmp_path, http=http)
    host.apply(normalized(MYSITE_APP))
    assert 'original line' not in host.text(HTTP_AVAILABLE) and 'WSGIProcessGroup mysite' in host.text(HTTP_AVAILABLE)
    assert script_mounts(host.facts()) == [('mysite.test:443', '/', 'daemon', 'mysite', True),
                                           ('mysite.test:80', '/', 'daemon', 'mysite', False)]
    host.apply(normalized({'name': 'mysite', 'state': 'absent'}))
    assert host.text(HTTP_AVAILABLE) == http
