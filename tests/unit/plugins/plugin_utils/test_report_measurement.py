"""The audit report with a measurement (the optional ``measurement`` of a host record).

DERIVED, not captured as a whole: the captured event record of fixtures/report/, with the
``measurement`` that modwsgi.apache.group_metrics computes from the captured probe answers of
fixtures/group_metrics/ (as _group_metrics.measure does: summarize, recommend, frontend). The
Debian 11 capture (mod_wsgi 4.7.1) shows what a version without request_metrics() reports."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _group_metrics, _group_sizing, _mpm_sizing
from ansible_collections.modwsgi.apache.plugins.plugin_utils import _report
from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES


def record(name):
    with open(os.path.join(FIXTURES, 'report', 'record-%s.json' % name)) as handle:
        return json.load(handle)


def measurement(version):
    with open(os.path.join(FIXTURES, 'group_metrics', version, 'session.json')) as handle:
        session = json.load(handle)
    reads = [(read['round'], json.loads(read['body'])) for read in session['reads']]
    group = _group_metrics.summarize(reads, [session['proc']['before'], session['proc']['after']], cores=2)
    group['recommendation'] = _group_sizing.recommend(group, cores=2)
    # what ansible's register adds around the module's result
    return {'changed': False, 'invocation': {'module_args': {'window': 10}}, 'groups': [group],
            'window': 10, 'cores': 2, 'frontend': _group_sizing.frontend([group['recommendation']])}


def measured(version='debian12'):
    return dict(record('event'), measurement=measurement(version))


def test_markdown_shows_each_group_s_load_and_recommendation():
    text = _report.render_markdown([measured()])
    assert '### Daemon groups: load and size' in text
    assert 'measured by modwsgi.apache.group_metrics over 10 s, 2 cores' in text
    group = measurement('debian12')['groups'][0]
    row = [line for line in text.splitlines() if line.startswith('| app |')][0]
    cells = [cell.strip() for cell in row.strip('|').split('|')]
    assert cells[:2] == ['app', '2 x 4']
    assert cells[3] == '%d%%' % int(round(group['utilization'] * 100))
    rec = group['recommendation']
    assert cells[8] == '%d x %d (%s)' % (rec['processes'], rec['threads'], rec['change'])
    assert cells[9] == rec['reason']
    # the host runs event: the front end for the recommended groups, with the role's MPM rule
    event = _mpm_sizing.mpm_sizing([{'processes': rec['processes'], 'threads': rec['threads']}])['event']
    assert ('- front end for the recommended groups (event): MaxRequestWorkers %(MaxRequestWorkers)d, '
            'MaxSpareThreads %(MaxSpareThreads)d, MinSpareThreads %(MinSpareThreads)d, ServerLimit %(ServerLimit)d, '
            'StartServers %(StartServers)d, ThreadLimit %(ThreadLimit)d, ThreadsPerChild %(ThreadsPerChild)d'
            % event) in text


def test_a_version_without_request_metrics_says_what_is_missing():
    text = _report.render_markdown([measured('debian11')])
    assert '- app: no p99: mod_wsgi 4.7.1 has no request_metrics()' in text
    row = [line for line in text.splitlines() if line.startswith('| app |')][0]
    assert '/ n/a |' in row


def test_html_has_the_table():
    text = _report.render_html([measured()])
    rec = measurement('debian12')['groups'][0]['recommendation']
    assert '<h3>Daemon groups: load and size</h3>' in text
    assert '<td>%d x %d (%s)</td>' % (rec['processes'], rec['threads'], rec['change']) in text


def test_json_keeps_the_figures_not_the_members_and_reads_back():
    data = json.loads(_report.render_json([measured(), record('prefork')]))
    _report.check_report(data)
    kept = data['hosts'][0]['measurement']
    assert kept['window'] == 10 and kept['failed'] is False
    assert 'members' not in kept['groups'][0] and 'invocation' not in kept
    assert kept['groups'][0]['recommendation'] == dict(
        (key, value) for key, value in measurement('debian12')['groups'][0]['recommendation'].items()
        if key in ('processes', 'threads', 'basis', 'change', 'reason'))
    assert 'measurement' not in data['hosts'][1]
    # report.json is valid input again (audit_merge), and gives the same report
    assert _report.render_json(data['hosts']) == _report.render_json([measured(), record('prefork')])


def test_a_failed_or_absent_measurement():
    failed = dict(record('event'), measurement={'failed': True, 'msg': 'Error while reading the metrics of x: old'})
    text = _report.render_markdown([failed])
    assert 'the measurement failed: Error while reading the metrics of x: old' in text
    none = dict(record('event'), measurement=None)
    assert _report.render_markdown([none]) == _report.render_markdown([record('event')])


@pytest.mark.parametrize('bad, path', [
    ({'groups': {}}, 'records[0].measurement'),
    ({'groups': [{'process_group': 'app'}]}, 'records[0].measurement'),
])
def test_a_bad_measurement_is_refused_by_its_path(bad, path):
    with pytest.raises(_report.ReportError) as caught:
        _report.render_markdown([dict(record('event'), measurement=bad)])
    assert str(caught.value).startswith(path)
