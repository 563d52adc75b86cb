"""The acceptance test of wsgi_facts: its static prediction equals the live probe, per mount.

Every mount that wsgi_facts finds is requested live through modwsgi.apache.probe (the probe
script is every mount's script here), with the mount's ServerName as Host header. The live
answer's process group and mode must equal the prediction in ``mounts`` and in ``resolved``.
Where the prediction says the request cannot run (WSGIRestrictEmbedded On with an embedded
mount, or a group not visible from the vhost), Apache must answer 500.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared'))
from modwsgi_testinfra import ansible, ansible_each  # noqa: E402  pylint: disable=wrong-import-position

# A concrete URL for each WSGIScriptAliasMatch pattern of the layouts.
PATTERN_SAMPLES = {'^/match/([^/]+)': '/match/sample'}
HANDLER_DIRECTIVES = ('SetHandler', 'AddHandler')


def request_path(mount):
    if mount['directive'] == 'WSGIScriptAliasMatch':
        return PATTERN_SAMPLES[mount['url']]
    if mount['directive'] in HANDLER_DIRECTIVES:
        return mount['url'].rstrip('/') + '/probe.wsgi'
    return mount['url']


def target(mount):
    name, port = mount['server'].rsplit(':', 1)
    return name, int(port), request_path(mount)


def expect_failure(mount, restricted):
    """Apache answers 500 instead of running the app."""
    if mount['mode'] == 'embedded':
        return restricted
    return mount['mode'] == 'daemon' and bool(mount.get('reason'))


def layout_mounts(mounts):
    """The mounts of files/layouts; test_corpus.py checks those of files/corpus."""
    return [m for m in mounts if '/corpus-' not in m['file']]


@pytest.fixture(scope='module')
def audit(host):
    facts = ansible(host, 'modwsgi.apache.wsgi_facts', {})
    assert not facts.get('failed'), facts
    facts['ansible_facts']['mod_wsgi']['mounts'] = layout_mounts(
        facts['ansible_facts']['mod_wsgi']['mounts'])
    mounts = facts['ansible_facts']['mod_wsgi']['mounts']
    urls = ['http://%s:%d%s' % target(m) for m in mounts]
    resolved = ansible(host, 'modwsgi.apache.wsgi_facts', {'resolve': urls})
    assert not resolved.get('failed'), resolved
    return facts['ansible_facts']['mod_wsgi'], resolved['ansible_facts']['mod_wsgi']['resolved']


def live(host, mounts):
    """The probe's live answer for each mount, in one playbook run."""
    args = []
    for mount in mounts:
        name, port, path = target(mount)
        args.append({'url': 'http://127.0.0.1:%d%s' % (port, path), 'host': name})
    return ansible_each(host, 'modwsgi.apache.probe', args)


def probe_failed(answer):
    # A probe that answered always says its process group (possibly ''); a failure does not.
    return 'process_group' not in answer


def test_every_layout_is_found(host, audit):
    facts = audit[0]
    servers = set(m['server'].split(':')[0] for m in facts['mounts'])
    assert servers >= set(['unused.test', 'locglobal.test', 'aliasopt.test', 'twolines.test',
                           'dirgroup.test', 'owner.test', 'thief.test', 'glob.test',
                           'guarded.test', 'define.test', 'match.test'])
    assert len(facts['mounts']) >= 13


def test_prediction_equals_live_probe(host, audit):
    facts, resolved = audit
    restricted = facts['restrict_embedded']
    assert restricted is ('restrict_embedded' in host.ansible.get_variables()['group_names'])
    mismatches = []
    for mount, static, answer in zip(facts['mounts'], resolved, live(host, facts['mounts'])):
        label = '%s %s (%s:%s)' % (mount['server'], mount['url'], mount['file'], mount['line'])
        if expect_failure(mount, restricted):
            if not (probe_failed(answer) and answer.get('status') == 500):
                mismatches.append('%s: predicted a 500, live answered %r' % (label, answer))
            continue
        if probe_failed(answer):
            mismatches.append('%s: predicted %s/%r, live failed: %s'
                              % (label, mount['mode'], mount['process_group'], answer.get('msg')))
            continue
        for name, predicted in (('mounts', mount), ('resolve', static)):
            expected = (predicted['mode'], predicted['process_group'])
            if expected != (answer['mode'], answer['process_group']):
                mismatches.append('%s: %s predicted %s/%r, live is %s/%r' % (
                    label, name, predicted['mode'], predicted['process_group'],
                    answer['mode'], answer['process_group']))
    assert not mismatches, '\n'.join(mismatches)


def test_findings_name_file_and_line(host, audit):
    facts = audit[0]
    apache_etc = host.ansible.get_variables()['apache_etc']
    codes = set(f['code'] for f in facts['findings'])
    assert 'group_unused' in codes
    assert 'group_not_visible' in codes
    if facts['restrict_embedded']:
        # The restricted host also runs prefork: daemon mode there should move to event.
        assert 'embedded_restricted' in codes and 'prefork_with_daemon' in codes
    else:
        assert 'mount_embedded' in codes and 'restrict_embedded_off' in codes
    for finding in facts['findings']:
        if finding['code'] in ('group_unused', 'group_not_visible', 'mount_embedded',
                               'embedded_restricted'):
            assert finding['file'].startswith(apache_etc + '/'), finding
            assert finding['line'] > 0, finding
