# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fuzz: mutated report.json files go through merge and the renderers (property-based, with
Hypothesis; tests/unit/conftest.py has the profiles: ``ci`` in make unit, ``fuzz`` in make fuzz).

The seeds are reports of the captured records (fixtures/report/record-*.json, see its README)
as _report.render_json writes them, and of the hosts of the demo's captured report.json files
where the checkout has them (they stay out of the tarball). Each example changes a few values anywhere
in a seed, as another controller's or another version's report could have them: a key
dropped, a value of another type (any JSON value, or another part of the report: nested
wrong), a value wrapped in a list or a dict. The property: either the schema check refuses the
report with the path of a bad value, or merging it and rendering every format succeed. The
same holds for its host records given to the renderers directly (the filters audit_report and
audit_summary). Whatever this ever finds becomes a plain test in test_report_schema.py.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy
import json
import os
import re

import pytest

from ansible_collections.modwsgi.apache.plugins.plugin_utils import _report
from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES, REPORT_HOSTS, report_record

hypothesis = pytest.importorskip('hypothesis')
st = pytest.importorskip('hypothesis.strategies')

pytestmark = pytest.mark.fuzz

# A path as ReportError names it: reports[0].hosts[1].mod_wsgi.options["display-name"]
PATH = r'(\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\]|\["(?:[^"\\]|\\.)*"\])*'


def _report_of(records):
    return json.loads(_report.render_json(records, fail_on='warning', generated='2026-12-07T00:00:00Z'))


def _seeds():
    """Reports of one host each (each example costs less, so more of them run), and one of two."""
    event, prefork, gone = [report_record(name) for name in REPORT_HOSTS]
    seeds = [_report_of(records) for records in ([event], [prefork], [gone], [gone, event])]
    for phase in ('before', 'after'):
        path = os.path.join(FIXTURES, 'demo', phase, 'report.json')
        if os.path.exists(path):
            with open(path) as handle:
                seeds.extend(_report_of([host]) for host in json.load(handle)['hosts'])
    return seeds


SEEDS = _seeds()

# Any JSON value, small; big and odd numbers included (json.loads reads them all).
SCALARS = (st.none() | st.booleans() | st.integers() | st.sampled_from([10 ** 400, -1, 0])
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)


def _paths(node, path=()):
    """Every path in a JSON document, the root first."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, path + (index,))


def _get(node, path):
    for part in path:
        node = node[part]
    return node


def mutate(document, data):
    """One change at a path drawn from ``document``; returns the (maybe new) document."""
    paths = list(_paths(document))
    path = data.draw(st.sampled_from(paths), label='path')
    how = data.draw(st.sampled_from(['drop', 'value', 'elsewhere', 'list', 'dict']), label='how')
    value = _get(document, path)
    if how == 'drop' and path:
        del _get(document, path[:-1])[path[-1]]
        return document
    if how == 'value':
        new = data.draw(VALUES, label='value')
    elif how == 'elsewhere':
        new = copy.deepcopy(_get(document, data.draw(st.sampled_from(paths), label='from')))
    elif how == 'list':
        new = [value]
    else:
        new = {data.draw(st.text(max_size=8), label='key'): value}
    if not path:
        return new
    _get(document, path[:-1])[path[-1]] = new
    return document


def _mutated(data):
    document = copy.deepcopy(data.draw(st.sampled_from(SEEDS), label='seed'))
    for _change in range(data.draw(st.integers(1, 4), label='changes')):
        document = mutate(document, data)
    # What a report.json file can hold: the mutated document as JSON text, read back.
    return json.loads(json.dumps(document))


def _render_all(records):
    for fmt in sorted(_report.RENDERERS):
        _report.render(records, fmt=fmt, fail_on='info', generated='now')
    _report.summary(records, fail_on='warning')


@hypothesis.given(st.data())
def test_a_mutated_report_is_refused_by_path_or_merged_and_rendered(data):
    report = _mutated(data)
    # Merged after a report of other hosts, so the path names reports[1].
    hosts = report.get('hosts') if isinstance(report, dict) else None
    names = set(repr(host.get('host')) for host in hosts if isinstance(host, dict)) if isinstance(hosts, list) else set()
    other = [seed for seed in SEEDS if not names & set(repr(host['host']) for host in seed['hosts'])][0]
    try:
        merged = _report.merge([], [copy.deepcopy(other), report])
    except _report.ReportError as exc:
        message = str(exc)
        assert re.match(r'^reports\[1\]%s: .+' % PATH, message), message
        return
    except ValueError as exc:
        # The one other refusal: a host in both reports.
        assert re.match(r'^host .* is in reports\[0\] and in reports\[1\]: ', str(exc)), str(exc)
        return
    _render_all(merged)
    # A merge gives valid input for the renderers again.
    _report.check_records(merged)


@hypothesis.given(st.data())
def test_mutated_host_records_are_refused_by_path_or_rendered(data):
    seed = copy.deepcopy(data.draw(st.sampled_from(SEEDS), label='seed'))
    records = seed['hosts']
    for _change in range(data.draw(st.integers(1, 3), label='changes')):
        records = mutate(records, data)
    records = json.loads(json.dumps(records))
    try:
        _report.check_records(records)
    except _report.ReportError as exc:
        message = str(exc)
        assert re.match(r'^records%s: .+' % PATH, message), message
        with pytest.raises(_report.ReportError):
            _report.render_markdown(records)
        return
    _render_all(records)
