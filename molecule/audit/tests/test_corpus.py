"""Published configurations (files/corpus, see its PROVENANCE): resolve equals the live answer.

Every URL below is predicted by ``wsgi_facts``'s ``resolve`` and requested live with the probe
(the probe script is every corpus app's script). Where resolve predicts a mode, the probe must
answer in that mode and process group (or 500, where the group cannot be reached); where it
predicts no WSGI at all (``mode: null``), the probe must not answer: a redirect answers 3xx, a
missing script 404, and a static file is not the probe.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared'))
from modwsgi_testinfra import ansible, ansible_each  # noqa: E402  pylint: disable=wrong-import-position

# (Host, port, path, what the URL is), one or more per configuration.
URLS = [
    ('localhost', 5000, '/v3/auth/tokens', 'app'),                  # 01 keystone
    ('localhost', 35357, '/', 'app'),
    ('localhost', 8081, '/dashboard/auth/login/', 'app'),           # 02 horizon
    ('localhost', 8081, '/dashboard/static/dashboard/app.css', 'static'),
    ('localhost', 8081, '/dashboard/media/missing.png', 'static 404'),
    ('localhost', 8081, '/', 'redirect'),
    ('localhost', 8774, '/v2.1/servers', 'app'),                    # 03 nova-api
    ('localhost', 80, '/compute/v2.1', 'app (Alias + SetHandler)'),
    ('graphite', 80, '/compute/v2.1', 'group not visible: 500'),
    ('localhost', 80, '/placement/resource_providers', 'app'),      # 04 placement
    ('localhost', 8776, '/v3/volumes', 'app'),                      # 05 cinder
    ('graphite', 80, '/render', 'app'),                             # 06 graphite
    ('graphite', 80, '/content/js/app.js', 'static'),
    ('graphite', 80, '/media/missing.png', 'static 404'),
    ('localhost', 80, '/cblr/svc/op/ks/profile/x', 'app'),          # 07 cobbler
    ('localhost', 80, '/cblr/links/x', 'static 404'),
    ('localhost', 80, '/cobbler/index.txt', 'static'),
    ('wiki.test', 80, '/moin/', 'app'),                             # 08 moinmoin
    ('wiki.test', 80, '/moin/FrontPage', 'script missing: 404'),
    ('wiki.test', 80, '/moin_static184/common/screen.css', 'static'),
    ('django.test', 80, '/polls/1/', 'app'),                        # 09 django static
    ('django.test', 80, '/static/admin/base.css', 'static'),
    ('django.test', 80, '/robots.txt', 'static'),
    ('django.test', 80, '/site.css', 'static 404'),
    ('www.example.com', 80, '/', 'app'),                            # 10 mod_wsgi quick guide
    ('www.example.com', 80, '/media/logo.png', 'static'),
    ('www.example.com', 8085, '/shop/cart', 'app'),                 # 11 mod_wsgi guidelines
    ('www.example.com', 8085, '/media/theme.css', 'static 404'),
    ('localhost', 80, '/anything', 'app'),                          # 12 django basic
]


def corpus_host(host):
    groups = host.ansible.get_variables()['group_names']
    return 'mpm_event' in groups and 'el9' not in groups


@pytest.fixture(scope='module')
def resolved(host):
    if not corpus_host(host):
        pytest.skip('the corpus is loaded on the Debian event host (the EL 9 layout host '
                    'lacks mod_proxy)')
    urls = ['http://%s:%d%s' % (name, port, path) for name, port, path, dummy in URLS]
    result = ansible(host, 'modwsgi.apache.wsgi_facts', {'resolve': urls})
    assert not result.get('failed'), result
    return result['ansible_facts']['mod_wsgi']['resolved']


def test_resolve_equals_live(host, resolved):
    mismatches = []
    answers = ansible_each(host, 'modwsgi.apache.probe', [
        {'url': 'http://127.0.0.1:%d%s' % (port, path), 'host': name}
        for name, port, path, dummy in URLS])
    for (name, port, path, what), static, answer in zip(URLS, resolved, answers):
        label = '%s:%d%s (%s)' % (name, port, path, what)
        answered = 'process_group' in answer
        if static['mode'] is None:
            if answered:
                mismatches.append('%s: predicted no WSGI (%s), live %s/%r' % (
                    label, static['code'], answer['mode'], answer['process_group']))
            elif static['code'] == 'redirect' and not 300 <= (answer.get('status') or 0) < 400:
                mismatches.append('%s: predicted a redirect, live %r' % (label, answer.get('msg')))
            elif static['code'] == 'script_missing' and answer.get('status') != 404:
                mismatches.append('%s: predicted 404, live %r' % (label, answer.get('msg')))
            continue
        if static['reason']:
            if answered or answer.get('status') != 500:
                mismatches.append('%s: predicted 500 (%s), live %r' % (label, static['reason'],
                                                                       answer))
            continue
        if not answered:
            mismatches.append('%s: predicted %s/%r, live failed: %s' % (
                label, static['mode'], static['process_group'], answer.get('msg')))
        elif (static['mode'], static['process_group']) != (answer['mode'], answer['process_group']):
            mismatches.append('%s: predicted %s/%r, live %s/%r' % (
                label, static['mode'], static['process_group'], answer['mode'],
                answer['process_group']))
    assert not mismatches, '\n'.join(mismatches)


def test_corpus_covers_static_redirect_and_missing(resolved):
    codes = [r['code'] for r in resolved]
    assert codes.count('not_wsgi') >= 10 and 'redirect' in codes and 'script_missing' in codes
    assert sum(1 for r in resolved if r['mode'] == 'daemon') >= 10
