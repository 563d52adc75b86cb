# -*- coding: utf-8 -*-
"""Unit tests of benchmarks/bench/targets.py: the goals judged, and the directions every run must show."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy

import pytest

from bench import targets


def test_ratio():
    assert targets.ratio(50.0, 1000.0) == 0.05
    assert targets.ratio(5.0, 0) is None
    assert targets.ratio(None, 3.0) is None


@pytest.mark.parametrize('value, op, goal, status', [
    (0.05, '<=', 0.05, 'PASS'),
    (0.051, '<=', 0.05, 'MISS'),
    (2.0, '>=', 2.0, 'PASS'),
    (1.99, '>=', 2.0, 'MISS'),
    (None, '>=', 2.0, 'n/a'),
])
def test_judge(value, op, goal, status):
    assert targets.judge(value, op, goal) == status


# Medians as a run could give them, chosen so that two targets miss.
SUMMARY = {
    'trap': {'peak_pss_mb': 4000.0, 'rps': 1000.0, 'p99_ms': 100, 'loads': 60},
    'trap_warm': {'peak_pss_mb': 3000.0, 'rps': 2000.0, 'p99_ms': 50, 'loads': 0},
    'role': {'peak_pss_mb': 150.0, 'rps': 2500.0, 'p99_ms': 40, 'loads': 0},
    'express': {'peak_pss_mb': 130.0, 'rps': 2400.0, 'p99_ms': 40, 'loads': 0},
    'worker': {'peak_pss_mb': 200.0, 'rps': 3500.0, 'p99_ms': 30, 'loads': 2},
}


def test_evaluate_targets_against_the_warm_trap():
    rows = {row['label']: row for row in targets.evaluate_targets(SUMMARY)}
    assert len(rows) == len(targets.TARGETS)
    assert rows['role vs warm trap: peak memory']['value'] == 150.0 / 3000.0
    assert rows['role vs warm trap: peak memory']['status'] == 'PASS'
    assert rows['role vs warm trap: req/s']['value'] == 2500.0 / 2000.0
    assert rows['role vs warm trap: req/s']['status'] == 'PASS'
    assert rows['role: app loads during the burst'] == {
        'label': 'role: app loads during the burst', 'value': 0, 'op': '<=', 'goal': 0,
        'status': 'PASS', 'kind': 'value'}
    # 150 / 130 = 1.15x the memory of mod_wsgi-express: over 1.1x.
    assert rows['role vs mod_wsgi-express: peak memory']['status'] == 'MISS'
    # 2500 / 3500 = 0.71x of worker + embedded: under 0.8x.
    assert rows['role vs worker + embedded: req/s']['status'] == 'MISS'


def test_a_role_slower_than_the_warm_trap_misses():
    summary = dict(SUMMARY, trap_warm=dict(SUMMARY['trap_warm'], rps=2600.0))
    rows = {row['label']: row for row in targets.evaluate_targets(summary)}
    assert rows['role vs warm trap: req/s']['status'] == 'MISS'


def test_evaluate_targets_without_a_configuration():
    summary = {key: value for key, value in SUMMARY.items() if key != 'express'}
    rows = {row['label']: row for row in targets.evaluate_targets(summary)}
    assert rows['role vs mod_wsgi-express: req/s']['status'] == 'n/a'


def test_the_published_run_passes_every_target(published):
    # Its Targets table says PASS six times (test_report checks the table itself).
    assert [row['status'] for row in targets.evaluate_targets(published['summary'])] == ['PASS'] * 6


def test_the_published_run_shows_every_direction(published):
    assert targets.directions(published['runs'], published['summary'], {}, 3) == []


def test_directions_of_a_broken_run(published):
    runs, summary = copy.deepcopy(published['runs']), copy.deepcopy(published['summary'])
    runs['worker'].pop()
    summary['role'].update(loads=2, peak_pss_mb=summary['trap']['peak_pss_mb'])
    summary['trap']['loads'] = 0
    second = {'changed': 1, 'calls': targets.SECOND_RUN_CALLS + 1}
    assert targets.directions(runs, summary, {'idempotent': second}, 3) == [
        'worker: 2 runs of 3',
        'role peak memory is not below the trap: %s' % summary['trap']['peak_pss_mb'],
        'role: the app loaded 2 times during the burst',
        'trap: the app never loaded during the burst (the harness counts no loads?)',
        'the second role run (idempotent) changed 1 things',
        'the second role run (idempotent) reached the host 9 times (at most 8)',
    ]


def test_directions_at_the_limits_of_the_second_run(published):
    second = {'changed': 0, 'calls': targets.SECOND_RUN_CALLS}
    assert targets.directions(published['runs'], published['summary'], {'fresh': second}, 3) == []
