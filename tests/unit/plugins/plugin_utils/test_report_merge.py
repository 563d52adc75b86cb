# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Merging the audit reports of several runs (_report.merge), on the records that
playbooks/audit.yml really produced (fixtures/report/record-*.json, see its README): the
slices are made by splitting those captured records, as AWX job slicing splits an inventory."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

import pytest

from ansible_collections.modwsgi.apache.plugins.plugin_utils import _report
from ansible_collections.modwsgi.apache.tests.unit.helpers import REPORT_HOSTS, report_record

GENERATED = '2026-12-02T00:00:00Z'
INVENTORY = ['report-capture-%s' % name for name in REPORT_HOSTS]


def fleet():
    return [report_record(name) for name in REPORT_HOSTS]


def report_json(records, fail_on='none'):
    """A run's report.json as the audit writes it, read back."""
    return json.loads(_report.render_json(records, fail_on=fail_on, generated=GENERATED))


def slices(records, count):
    """AWX job slicing: host i goes to slice i % count."""
    return [records[index::count] for index in range(count)]


@pytest.mark.parametrize('fmt', sorted(_report.RENDERERS))
@pytest.mark.parametrize('fail_on', _report.FAIL_ON)
def test_two_slices_merge_into_the_report_of_one_run(fmt, fail_on):
    one_run = _report.render(fleet(), fmt=fmt, fail_on=fail_on, generated=GENERATED)
    reports = [report_json(part) for part in slices(fleet(), 2)]
    assert [[h['host'] for h in r['hosts']] for r in reports] == [INVENTORY[0::2], INVENTORY[1:2]]
    merged = _report.merge([], reports, order=INVENTORY)
    assert _report.render(merged, fmt=fmt, fail_on=fail_on, generated=GENERATED) == one_run


@pytest.mark.parametrize('fail_on', _report.FAIL_ON)
def test_fail_on_applies_to_the_merged_fleet(fail_on):
    # The captured event host has one error, the prefork host four: the merged report of the
    # slices counts all five, as one run over the three hosts does.
    event, prefork, gone = fleet()
    parts = [[event, gone], [prefork]]
    merged = _report.merge(parts[0], [report_json(parts[1])], order=INVENTORY)
    failing = _report.summary(merged, fail_on=fail_on)['failing']
    assert failing == _report.summary(fleet(), fail_on=fail_on)['failing']
    assert failing == sum(_report.summary(part, fail_on=fail_on)['failing'] for part in parts)
    if fail_on == 'error':
        assert failing == 5


def test_this_runs_records_and_other_reports_in_inventory_order():
    event, prefork, gone = fleet()
    merged = _report.merge([gone], [report_json([prefork, event])], order=INVENTORY)
    assert [record['host'] for record in merged] == INVENTORY


def test_hosts_the_order_does_not_name_follow_as_they_came():
    event, prefork, gone = fleet()
    merged = _report.merge([], [report_json([gone]), report_json([prefork, event])], order=INVENTORY[:1])
    assert [record['host'] for record in merged] == [INVENTORY[i] for i in (0, 2, 1)]


def test_no_order_keeps_the_order_of_the_runs():
    event, prefork, gone = fleet()
    merged = _report.merge([prefork], [report_json([gone]), report_json([event])])
    assert [record['host'] for record in merged] == [INVENTORY[i] for i in (1, 2, 0)]


def test_a_host_in_two_runs_is_an_error():
    event, prefork, gone = fleet()
    with pytest.raises(ValueError, match='host report-capture-prefork is in reports.0. and in reports.1.'):
        _report.merge([], [report_json([prefork]), report_json([prefork, gone])])
    with pytest.raises(ValueError, match='host report-capture-event is in this run and in reports.0.'):
        _report.merge([event], [report_json([event])])


@pytest.mark.parametrize('reports, message', [
    ({'hosts': []}, 'the reports to merge must be a list, got a dict'),
    ([{'format': 1}], 'reports[0]: missing keys "generated", "summary", "hosts"'),
    (['report.json'], 'reports[0]: expected a dict, got a string'),
    ([{'format': 2, 'hosts': []}], 'reports[0]: report format 2, this collection reads format 1'),
])
def test_what_is_not_a_report_is_refused(reports, message):
    with pytest.raises(_report.ReportError) as caught:
        _report.merge([], reports)
    assert str(caught.value) == message
