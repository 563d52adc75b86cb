# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a run of the role leaves embedded, and WSGIRestrictEmbedded On's 500s
(plugins/plugin_utils/_collateral.py), on a real captured Debian 12 host.

fixtures/embedded/debian12 (capture.sh, README.md there): /etc/apache2 and Apache's answers on a
host where four sites the role did not write run their applications embedded (shop.test, blog.test,
other.test, legacy.test with /api and /), read by wsgi_facts' own code as the preflight module
reads the host. The one state that is not captured, a site converted in place, is made by the
role's own code (_inplace.plan) from the captured file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
from pathlib import Path

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _wsgi_facts
from ansible_collections.modwsgi.apache.plugins.plugin_utils import _inplace
from ansible_collections.modwsgi.apache.plugins.plugin_utils._collateral import collateral
from ansible_collections.modwsgi.apache.plugins.plugin_utils._role_input import validate
from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES, Replay

CAPTURE = os.path.join(FIXTURES, 'embedded', 'debian12')
BINS = {'apache2': '/usr/sbin/apache2', 'apache2ctl': '/usr/sbin/apache2ctl'}
OURS = r'/modwsgi-[^/]+[.]conf$'
PROBE_URL = '/.well-known/modwsgi-probe'
DOC = Path(__file__).resolve().parents[4] / 'docs' / 'role_daemon_mode.md'

SHOP = {'name': 'shop', 'server_name': 'shop.test', 'wsgi_script': '/srv/shop/app.wsgi', 'takeover': True}
BLOG = {'name': 'blog', 'server_name': 'blog.test', 'server_aliases': ['www.blog.test'],
        'wsgi_script': '/srv/blog/app.wsgi', 'takeover': True}
LEGACY_SHOP = {'name': 'legacy', 'server_name': 'legacy.test', 'wsgi_script': '/srv/legacy/shop/app.wsgi',
               'takeover': 'in_place'}

OTHER = 'other.test:80/ (WSGIScriptAlias /srv/other/app.wsgi at /etc/apache2/sites-enabled/other.conf:3)'
API = 'legacy.test:80/api (WSGIScriptAlias /srv/legacy/api/app.wsgi at /etc/apache2/sites-enabled/legacy.conf:4)'
ROOT_OF_LEGACY = ('legacy.test:80/ (WSGIScriptAlias /srv/legacy/shop/app.wsgi at '
                  '/etc/apache2/sites-enabled/legacy.conf:5)')


def refusal(*mounts):
    return ('modwsgi_restrict_embedded: true writes WSGIRestrictEmbedded On, and every request to these '
            'applications, which run in embedded mode and which this run does not convert, would answer 500: '
            '%s. Convert them (list them in modwsgi_apps), accept the 500s by listing them in '
            'modwsgi_restrict_embedded_accept (as SERVER:PORT/URL or script, for example "%s"), or set '
            'modwsgi_restrict_embedded: false' % ('; '.join(mounts), mounts[0].split(' ')[0]))


@pytest.fixture(scope='module')
def facts():
    """wsgi_facts' mod_wsgi of the captured host, as the preflight module reads it."""
    return _wsgi_facts.wsgi_facts(Replay(CAPTURE), BINS.get, sysroot=CAPTURE)


def run(facts, apps, **settings):
    """The rule as the action calls it: input validated first, then the host's facts."""
    settings, apps = validate(settings, apps, PROBE_URL)
    return collateral(facts, apps, settings, OURS, PROBE_URL)


def where(left):
    return [(mount['server'], mount['url'], mount['accepted']) for mount in left]


def test_the_capture_runs_every_application_embedded(facts):
    # answers.txt: each application said so to a request through Apache.
    with open(os.path.join(CAPTURE, 'answers.txt')) as handle:
        answers = handle.read().splitlines()
    assert len(answers) == 5 and all(line.endswith('says hello from (embedded)') for line in answers)
    assert sorted((m['server'], m['url'], m['mode']) for m in facts['mounts']) == [
        ('blog.test:80', '/', 'embedded'), ('legacy.test:80', '/', 'embedded'),
        ('legacy.test:80', '/api', 'embedded'), ('other.test:80', '/', 'embedded'),
        ('shop.test:80', '/', 'embedded')]
    assert facts['restrict_embedded'] is False


def test_what_the_run_does_not_convert_is_refused_by_name(facts):
    left, errors = run(facts, [SHOP, BLOG])
    # shop and blog are taken over (their files disabled); legacy and other are not listed.
    assert where(left) == [('legacy.test:80', '/api', False), ('legacy.test:80', '/', False),
                           ('other.test:80', '/', False)]
    assert errors == [refusal(API, ROOT_OF_LEGACY, OTHER)]
    assert left[2] == {'server': 'other.test:80', 'url': '/', 'script': '/srv/other/app.wsgi',
                       'directive': 'WSGIScriptAlias', 'file': '/etc/apache2/sites-enabled/other.conf', 'line': 3,
                       'keys': ['other.test:80/', '/srv/other/app.wsgi'], 'why': 'embedded', 'accepted': False}


def test_the_documented_message_is_the_code_s(facts):
    # docs/role_daemon_mode.md quotes the refusal for other.test alone.
    _left, errors = run(facts, [SHOP, BLOG, dict(LEGACY_SHOP, takeover=True)])
    text = DOC.read_text(encoding='utf-8')
    quoted = re.search(r'```text\n(modwsgi_restrict_embedded: true .*?)\n```', text, re.S).group(1)
    assert errors == [refusal(OTHER)] == [' '.join(quoted.split())]


def test_each_one_may_be_accepted_by_url_or_script(facts):
    # Server names in any case; the API by its script.
    accept = ['Other.Test:80/', '/srv/legacy/api/app.wsgi', 'legacy.test:80/']
    left, errors = run(facts, [SHOP, BLOG], modwsgi_restrict_embedded_accept=accept)
    assert errors == []
    assert where(left) == [('legacy.test:80', '/api', True), ('legacy.test:80', '/', True),
                           ('other.test:80', '/', True)]


def test_only_the_ones_not_accepted_are_named(facts):
    _left, errors = run(facts, [SHOP, BLOG], modwsgi_restrict_embedded_accept=['legacy.test:80/api'])
    assert errors == [refusal(ROOT_OF_LEGACY, OTHER)]


def test_restrict_embedded_off_lists_them_and_refuses_nothing(facts):
    left, errors = run(facts, [SHOP, BLOG], modwsgi_restrict_embedded='no')
    assert errors == [] and len(left) == 3 and not any(mount['accepted'] for mount in left)


@pytest.mark.parametrize('entry', ['shop.test:80/', 'other.test:8080/', 'other.test:80/app', '/srv/shop/app.wsgi'])
def test_an_entry_that_names_nothing_left_is_refused(facts, entry):
    # shop is converted by this run: accepting its 500s would be a stale entry.
    _left, errors = run(facts, [SHOP, BLOG], modwsgi_restrict_embedded='false',
                        modwsgi_restrict_embedded_accept=['other.test:80/', entry])
    assert errors == ['modwsgi_restrict_embedded_accept[1]: "%s" names no embedded application that this run '
                      'leaves embedded; remove it' % entry]


def test_in_place_converts_its_script_s_mounts_and_no_other(facts):
    # legacy.test's / is converted in place; its /api, another script, stays embedded.
    left, errors = run(facts, [SHOP, BLOG, LEGACY_SHOP])
    assert where(left) == [('legacy.test:80', '/api', False), ('other.test:80', '/', False)]
    assert errors == [refusal(API, OTHER)]


def test_a_claimed_site_is_left_to_the_takeover_rule(facts):
    # Without takeover, the takeover rule refuses shop's and blog's sites, naming them.
    left, _errors = run(facts, [dict(SHOP, takeover=False), dict(BLOG, takeover=False)],
                        modwsgi_restrict_embedded=False)
    assert [mount['server'] for mount in left] == ['legacy.test:80', 'legacy.test:80', 'other.test:80']


def test_the_role_s_own_files_are_not_left(facts):
    left, _errors = collateral(facts, validate({}, [SHOP, BLOG], PROBE_URL)[1], {'modwsgi_restrict_embedded': False},
                               r'/(other|legacy)[.]conf$', PROBE_URL)
    assert left == []


def test_a_host_without_mod_wsgi_leaves_nothing():
    assert collateral({'installed': False}, [], {}, OURS, PROBE_URL) == ([], [])


@pytest.fixture
def converted(tmp_path, facts):
    """The capture after the role converted legacy.test's / in place (its own code's text)."""
    root = str(tmp_path / 'root')
    shutil.copytree(os.path.join(CAPTURE, 'etc'), os.path.join(root, 'etc'), symlinks=True)
    _settings, apps = validate({}, [LEGACY_SHOP], PROBE_URL)
    path = '/etc/apache2/sites-enabled/legacy.conf'
    with open(os.path.join(CAPTURE, path.lstrip('/'))) as handle:
        sources = {path: {'content': handle.read(), 'real': '/etc/apache2/sites-available/legacy.conf'}}
    result = _inplace.plan(facts, apps, sources, OURS, PROBE_URL, '/usr/local/share/modwsgi-probe')
    (change,) = result['files']
    with open(os.path.join(root, change['path'].lstrip('/')), 'w') as handle:
        handle.write(change['content'])
    return _wsgi_facts.wsgi_facts(Replay(CAPTURE), BINS.get, sysroot=root)


def test_an_absent_in_place_application_s_site_is_embedded_again(converted):
    assert [(m['url'], m['mode']) for m in converted['mounts'] if m['server'] == 'legacy.test:80'
            and not m['url'].startswith(PROBE_URL)] == [('/api', 'embedded'), ('/', 'daemon')]
    # Present: converted. Absent: its block goes, and the site's own line (embedded) comes back.
    left, errors = run(converted, [SHOP, BLOG, LEGACY_SHOP, {'name': 'api-kept-out', 'state': 'absent'}],
                       modwsgi_restrict_embedded_accept=['legacy.test:80/api', 'other.test:80/'])
    assert errors == [] and [m['url'] for m in left if m['server'] == 'legacy.test:80'] == ['/api']
    left, errors = run(converted, [SHOP, BLOG, {'name': 'legacy', 'state': 'absent'}],
                       modwsgi_restrict_embedded_accept=['legacy.test:80/api', 'other.test:80/'])
    assert [(m['url'], m['why']) for m in left if m['server'] == 'legacy.test:80'] == [
        ('/api', 'embedded'), ('/', 'restored')]
    # The alias line the role wrote (its block holds the original line) is line 20 now.
    assert errors == [refusal(ROOT_OF_LEGACY.replace('legacy.conf:5)', 'legacy.conf:20, embedded again once the '
                                                     'block of its absent application goes)'))]
