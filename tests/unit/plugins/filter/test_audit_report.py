"""The filters modwsgi.apache.audit_report and audit_summary (their arguments, defaults and
errors as AnsibleFilterError), on the records captured by fixtures/report/capture.sh."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES, controller_code


@pytest.fixture(scope='module')
def plugin():
    """The filters and AnsibleFilterError, imported as helpers.controller_code says."""
    with controller_code():
        from ansible.errors import AnsibleFilterError
        from ansible_collections.modwsgi.apache.plugins.filter import audit_report
    return audit_report.FilterModule().filters(), AnsibleFilterError


def records():
    return [json.load(open(os.path.join(FIXTURES, 'report', 'record-%s.json' % name)))
            for name in ('event', 'prefork', 'gone')]


def test_filters_registered(plugin):
    assert sorted(plugin[0]) == ['audit_merge', 'audit_report', 'audit_summary']


@pytest.mark.parametrize('fmt, start', [
    ('markdown', '# mod_wsgi fleet audit\n'),
    ('html', '<!DOCTYPE html>\n'),
    ('json', '{\n'),
])
def test_report_formats(plugin, fmt, start):
    text = plugin[0]['audit_report'](records(), fmt)
    assert text.startswith(start)
    assert 'report-capture-gone' in text


def test_json_round_trips(plugin):
    text = plugin[0]['audit_report'](records(), 'json', fail_on='error', generated='now')
    data = json.loads(text)
    assert data['summary']['failing'] == 5
    assert data['generated'] == 'now'
    assert len(data['hosts']) == 3


@pytest.mark.parametrize('fail_on, failing', [('none', 0), ('warning', 11), ('error', 5)])
def test_summary(plugin, fail_on, failing):
    summary = plugin[0]['audit_summary'](records(), fail_on=fail_on)
    assert summary['failing'] == failing
    assert summary['hosts'] == 3
    assert summary['unreachable_hosts'] == ['report-capture-gone']


@pytest.mark.parametrize('name, args, kwargs, message', [
    ('audit_report', (records(), 'pdf'), {}, 'audit_report: format must be one of'),
    ('audit_summary', (records(),), {'fail_on': 'fatal'}, 'audit_summary: fail_on must be one of'),
    ('audit_summary', ('web1',), {}, 'audit_summary: records: expected a list, got a string'),
    ('audit_report', ([dict(records()[0], apache='x')],), {},
     r'audit_report: records\[0\]\.apache: expected a dict, got a string \(host report-capture-event\)'),
    ('audit_merge', ([], [{'format': 1, 'generated': None, 'summary': {}, 'hosts': [{}]}]), {},
     r'audit_merge: reports\[0\]\.summary: missing keys "hosts", '),
])
def test_errors(plugin, name, args, kwargs, message):
    filters, error = plugin
    with pytest.raises(error, match=message):
        filters[name](*args, **kwargs)


def test_merge_through_the_filter(plugin):
    filters, _error = plugin
    event, prefork, gone = records()
    report = json.loads(filters['audit_report']([prefork, gone], 'json'))
    merged = filters['audit_merge']([event], [report], order=[record['host'] for record in records()])
    assert filters['audit_report'](merged, 'markdown') == filters['audit_report'](records(), 'markdown')


def test_merge_errors_are_filter_errors(plugin):
    filters, error = plugin
    event = records()[0]
    report = json.loads(filters['audit_report']([event], 'json'))
    with pytest.raises(error, match='audit_merge: host report-capture-event is in this run and in reports.0.'):
        filters['audit_merge']([event], [report])
