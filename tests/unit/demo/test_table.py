"""demo/table.py on the output of a real demo run (fixtures/demo, see its README)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy
import importlib.util
import json
import os
import shutil

import pytest

from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
# The run of 2026-11-27 (a hello-world app, RSS where PSS could not be read) and the run of
# 2026-12-07 (the app doing real work, each daemon group measured under load by the audit).
DEMO = os.path.join(FIXTURES, 'demo')
MEASURED = os.path.join(FIXTURES, 'demo_measured')

_spec = importlib.util.spec_from_file_location('demo_table', os.path.join(ROOT, 'demo', 'table.py'))
table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(table)


def _load(directory):
    return dict((name, table.load_phase(os.path.join(directory, name))) for name in table.PHASES)


@pytest.fixture
def phases():
    """The current demo's output: the run of 2026-12-07."""
    return _load(MEASURED)


@pytest.fixture
def unmeasured():
    """The run of 2026-11-27, before the audit measured the daemon groups."""
    return _load(DEMO)


def burst_of(phases, phase, host):
    return next(b for b in phases[phase]['burst'] if b['host'] == host)


def record_of(phases, phase, host):
    return table.host_record(phases[phase]['report'], host)


def test_parse_ab_captured(unmeasured, phases):
    prefork = table.parse_ab(burst_of(unmeasured, 'before', 'prefork')['ab'][0])
    assert prefork == {'rps': 238.34, 'complete': 4775, 'failed': 0, 'non_2xx': 0, 'p99_ms': 838}
    nogroup = table.parse_ab(burst_of(unmeasured, 'before', 'nogroup')['ab'][0])
    assert nogroup['complete'] == 5000 and nogroup['rps'] == 1467.97
    # The app doing real work: prefork's burst spent 1.6 s on its slowest requests (forking).
    prefork = table.parse_ab(burst_of(phases, 'before', 'prefork')['ab'][0])
    assert prefork == {'rps': 153.14, 'complete': 3063, 'failed': 0, 'non_2xx': 0, 'p99_ms': 1578}
    assert table.parse_ab(burst_of(phases, 'after', 'prefork')['ab'][0])['p99_ms'] == 116


def test_parse_ab_counts_failures_and_non_2xx(unmeasured):
    text = burst_of(unmeasured, 'before', 'prefork')['ab'][0]
    text = text.replace('Failed requests:        0', 'Failed requests:        7')
    text = text.replace('Total transferred:', 'Non-2xx responses:      12\nTotal transferred:')
    parsed = table.parse_ab(text)
    assert parsed['failed'] == 7 and parsed['non_2xx'] == 12


def test_parse_ab_without_output():
    assert table.parse_ab(None) == {'rps': None, 'complete': None, 'failed': None, 'non_2xx': 0, 'p99_ms': None}


def test_rows(unmeasured):
    phases = unmeasured
    rows = dict((row['host'], row) for row in table.rows(phases))
    assert sorted(rows) == ['nogroup', 'php', 'prefork']
    assert [(rows[h]['app'], rows[h]['server']) for h in ('prefork', 'nogroup', 'php')] == [
        ('shop', 'shop.example:80'), ('blog', 'blog.example:80'), ('wiki', 'wiki.example:80')]
    assert [(rows[h]['before']['mpm'], rows[h]['after']['mpm']) for h in ('prefork', 'nogroup', 'php')] == [
        ('prefork', 'event'), ('event', 'event'), ('prefork', 'prefork')]
    for row in rows.values():
        assert row['before']['mode'] == 'embedded' and row['before']['probe'] is None
        assert row['after']['mode'] == 'daemon'
        assert row['after']['probe']['mode'] == 'daemon'
        assert row['after']['probe']['process_group'] == row['app']
    # The captured before/ run could not read PSS on the prefork hosts: RSS instead, and said so.
    assert rows['prefork']['before']['memory'] == (1008.5, 'RSS', 18)
    assert rows['prefork']['after']['memory'] == (111.7, 'PSS', 5)
    # No measurement in that run: no group.
    assert all(row[phase]['group'] is None for row in rows.values() for phase in table.PHASES)


def test_rows_measured_groups(phases):
    rows = dict((row['host'], row) for row in table.rows(phases))
    assert all(row['before']['group'] is None for row in rows.values())
    shop = rows['prefork']['after']['group']
    assert shop['process_group'] == 'shop' and (shop['processes'], shop['threads']) == (2, 15)
    assert shop['utilization'] == 0.1367
    assert (shop['recommendation']['processes'], shop['recommendation']['threads']) == (2, 5)
    assert rows['nogroup']['after']['group']['recommendation']['threads'] == 6


def test_render(unmeasured):
    text = table.render(unmeasured)
    lines = text.splitlines()
    assert lines[0].split() == ['host', 'app', 'MPM', 'mode', 'memory', 'after', 'the', 'burst', 'req/s',
                                'p99', 'ms', 'daemon', 'group', 'after:', 'utilisation', '->', 'recommended']
    prefork = next(line for line in lines if line.startswith('prefork '))
    assert 'prefork -> event' in prefork
    assert 'embedded -> daemon (probe: daemon)' in prefork
    assert '1008 MB RSS, 18 procs -> 112 MB PSS, 5 procs' in prefork
    assert '238 -> 1578' in prefork
    assert prefork.endswith('not measured')
    php = next(line for line in lines if line.startswith('php '))
    assert 'prefork -> prefork' in php
    assert 'Why each recommended size' not in text
    assert lines[-2].endswith(os.path.join(DEMO, 'before', 'report.html'))
    assert lines[-1].endswith(os.path.join(DEMO, 'after', 'report.html'))


def test_render_measured(phases):
    lines = table.render(phases).splitlines()
    prefork = next(line for line in lines if line.startswith('prefork '))
    assert '1592 MB PSS, 31 procs -> 122 MB PSS, 5 procs' in prefork
    assert '153 -> 397' in prefork and '1578 -> 116' in prefork
    assert prefork.endswith('2 x 15: 14% busy -> 2 x 5')
    why = lines.index('Why each recommended size (docs/sizing.md):')
    assert lines[why + 1].startswith("  shop: 46.4 req/s x 88.0 ms = 4.1 busy threads (Little's law)")
    assert [line.split(':')[0] for line in lines[why + 1:why + 4]] == ['  shop', '  blog', '  wiki']


def test_the_captured_run_tells_the_story(phases):
    assert table.problems(phases) == []


def test_the_earlier_run_lacks_only_the_measurement(unmeasured):
    assert table.problems(unmeasured) == [
        '%s: after, the audit has no measurement of its daemon group with a recommended size (None)' % name
        for name in ('prefork/shop', 'nogroup/blog', 'php/wiki')]


def _probe(phases, host):
    return record_of(phases, 'after', host)['probes'][0]


@pytest.mark.parametrize('spoil, expected', [
    (lambda p: _probe(p, 'nogroup').update(mode='embedded', process_group=''),
     "nogroup/blog: after, the probe says embedded mode in group '', not daemon in 'blog'"),
    (lambda p: _probe(p, 'php').update(failed=True, msg='HTTP Error 500'),
     'php/wiki: after, the probe did not answer (HTTP Error 500)'),
    (lambda p: record_of(p, 'after', 'prefork').update(probes=[]),
     'prefork/shop: after, the probe did not answer (no probe in the report)'),
    (lambda p: record_of(p, 'before', 'php')['mod_wsgi']['mounts'][0].update(mode='daemon'),
     'php/wiki: before, the mount is daemon, not embedded'),
    (lambda p: p['before']['report']['summary'].update(prefork=0),
     'before: no host runs prefork'),
    (lambda p: p['after']['report']['summary'].update(embedded_mounts=1),
     'after: 1 embedded mount(s) left'),
    (lambda p: record_of(p, 'after', 'php')['apache']['mpm'].update(name='event'),
     'php: after, the MPM is event, not prefork'),
    (lambda p: record_of(p, 'after', 'prefork')['apache']['mpm'].update(name='prefork'),
     'prefork: after, the MPM is prefork, not event'),
    (lambda p: record_of(p, 'after', 'nogroup')['measurement'].update(failed=True),
     'nogroup/blog: after, the audit has no measurement of its daemon group with a recommended size (None)'),
    (lambda p: record_of(p, 'after', 'php')['measurement']['groups'][0].update(process_group='other'),
     'php/wiki: after, the audit has no measurement of its daemon group with a recommended size (None)'),
])
def test_problems_name_what_is_wrong(phases, spoil, expected):
    spoil(phases)
    assert expected in table.problems(phases)


def test_a_failed_burst_is_a_problem(phases):
    burst = burst_of(phases, 'after', 'nogroup')
    burst['ab'] = [burst['ab'][0].replace('Failed requests:        0', 'Failed requests:        3')]
    assert [p for p in table.problems(phases) if p.startswith('nogroup/blog: after, ab did not complete')]


def test_the_html_must_name_every_host(phases, tmp_path):
    html = tmp_path / 'report.html'
    with open(phases['after']['html']) as handle:
        html.write_text(handle.read().replace('<h2>nogroup</h2>', '<h2>somewhere</h2>')
                        .replace('wiki.example:80', 'elsewhere:80'))
    phases['after']['html'] = str(html)
    assert table.problems(phases) == [
        'after: the HTML report %s does not show nogroup, wiki.example:80' % html]
    phases['before']['html'] = str(tmp_path / 'missing.html')
    assert table.problems(phases)[0].startswith('before: cannot read the HTML report')


def test_main_exit_codes(tmp_path, capsys):
    output = tmp_path / 'output'
    shutil.copytree(MEASURED, str(output), ignore=shutil.ignore_patterns('README.md'))
    assert table.main(['--check', str(output)]) == 0
    out = capsys.readouterr().out
    assert 'prefork -> event' in out and 'Story checked' in out
    report = output / 'after' / 'report.json'
    data = json.loads(report.read_text())
    spoiled = copy.deepcopy(data)
    spoiled['summary']['embedded_mounts'] = 2
    report.write_text(json.dumps(spoiled))
    assert table.main([str(output)]) == 0
    assert table.main(['--check', str(output)]) == 1
    assert 'after: 2 embedded mount(s) left' in capsys.readouterr().out
