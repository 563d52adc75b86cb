# -*- coding: utf-8 -*-
"""Unit tests of benchmarks/bench/sweep.py: the sizing sweep's best point, grid steps, and its targets judged."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import math

import pytest

from bench import sweep, targets

P, T = sweep.GRID_PROCESSES, sweep.GRID_THREADS


def point(processes, threads, p99_ms, group_pss_mb, rps=100.0):
    return {'processes': processes, 'threads': threads, 'p99_ms': p99_ms, 'group_pss_mb': group_pss_mb,
            'rps': rps, 'complete': 1000}


def test_the_lowest_p99_wins_when_nothing_ties():
    points = [point(1, 1, 900, 50.0), point(2, 8, 300, 100.0), point(4, 8, 400, 200.0)]
    assert sweep.best(points) == points[1]


def test_a_tie_on_p99_goes_to_the_lower_memory():
    # 208 is within 10 % of 200: tied; 221 is not.
    points = [point(2, 32, 200, 101.0), point(4, 16, 208, 190.0), point(1, 32, 221, 52.0), point(2, 16, 207, 99.5)]
    assert sweep.ties(points) == [points[0], points[1], points[3]]
    assert sweep.best(points) == points[3]


def test_the_tie_is_at_least_five_ms():
    # 10 % of 20 ms is 2 ms: the floor of 5 ms decides.
    points = [point(2, 4, 20, 90.0), point(2, 8, 25, 80.0), point(2, 16, 26, 70.0)]
    assert sweep.best(points) == points[1]


def test_equal_memory_goes_to_the_smaller_capacity():
    points = [point(2, 8, 300, 90.0), point(2, 2, 300, 90.0)]
    assert sweep.best(points) == points[1]


def test_points_without_a_p99_are_left_out():
    assert sweep.best([]) is None
    assert sweep.best([dict(point(1, 1, 0, 1.0), p99_ms=None)]) is None


@pytest.mark.parametrize('value, axis, where', [
    (1, P, 0.0), (2, P, 1.0), (4, P, 2.0),
    (3, P, 1.5849625007211563),  # between 2 and 4, on the log scale
    (8, P, 3.0),                 # past the end, by the last interval
    (16, T, 4.0), (15, T, 3.9068905956085187), (30, T, 4.906890595608519), (64, T, 6.0),
    (1, (2, 8), -0.5),           # before the start, by the first interval (x4)
])
def test_position_on_a_doubling_axis(value, axis, where):
    assert sweep.position(value, axis) == pytest.approx(where)


def test_position_refuses_a_size_that_is_no_size():
    with pytest.raises(ValueError, match='not a positive size'):
        sweep.position(0, P)


@pytest.mark.parametrize('size, other, distance', [
    ((2, 8), (2, 8), 0.0),
    ((2, 8), (2, 16), 1.0),     # the next point along threads
    ((2, 8), (4, 16), 1.0),     # a diagonal neighbour is one step too
    ((2, 17), (2, 1), 4.087462841250339),
    ((2, 30), (2, 32), 0.09310940439148147),
    ((1, 8), (4, 8), 2.0),
])
def test_steps(size, other, distance):
    assert sweep.steps(size, other, P, T) == pytest.approx(distance)


def test_within_one_step_passes_and_a_farther_one_says_by_how_much():
    points = [point(2, 1, 600, 88.0), point(2, 2, 610, 89.0), point(2, 16, 690, 95.0)]
    rows = {'role': {'rps': 90.0, 'peak_pss_mb': 110.0}, 'trap_warm': {'rps': 100.0, 'peak_pss_mb': 2000.0}}
    verdict = sweep.evaluate(points, {'processes': 2, 'threads': 2}, rows, P, T)
    assert verdict['best'] == points[0]
    assert verdict['ties'] == [[2, 1], [2, 2]]
    assert verdict['steps'] == 1.0
    status = [(row['status'], targets.missed_by(row['value'], row['op'], row['goal'])) for row in verdict['targets']]
    assert status[0] == ('PASS', 0.0)
    assert status[1][0] == 'MISS' and status[1][1] == pytest.approx(0.1)  # 0.90x of the warm trap's req/s
    assert status[2] == ('PASS', 0.0)                                     # 0.055x of its memory

    far = sweep.evaluate(points, {'processes': 2, 'threads': 17}, rows, P, T)
    assert far['targets'][0]['status'] == 'MISS'
    assert targets.missed_by(far['steps'], '<=', 1.0) == pytest.approx(far['steps'] - 1.0)


def test_evaluate_without_the_trap_is_not_judged():
    verdict = sweep.evaluate([point(2, 8, 300, 90.0)], {'processes': 2, 'threads': 8}, {'role': {'rps': 1.0}}, P, T)
    assert [row['status'] for row in verdict['targets']] == ['PASS', 'n/a', 'n/a']


def test_missed_by():
    assert targets.missed_by(0.12, '<=', 0.1) == pytest.approx(0.02)
    assert targets.missed_by(0.08, '<=', 0.1) == 0.0
    assert targets.missed_by(0.93, '>=', 1.0) == pytest.approx(0.07)
    assert targets.missed_by(None, '>=', 1.0) is None


def test_app_names_are_names_the_role_takes():
    assert sweep.app_name('cpu', 2, 8) == 'cpu-2x8'
    assert sweep.server_name('cpu-2x8') == 'cpu-2x8.sizing.test'
    assert sweep.grid((1, 2), (2, 8)) == [(1, 2), (1, 8), (2, 2), (2, 8)]


@pytest.mark.parametrize('fixture', ['sizing-smoke-results.json', 'sizing-full-results.json'])
def test_a_runs_verdicts_follow_from_its_points(captured, fixture):
    # The verdict the run saved is what evaluate() gives from the points it saved.
    results = json.loads(captured(fixture))
    grid = results['grid']
    for profile in ('cpu', 'io'):
        app = results['apps'][profile]
        verdict = sweep.evaluate(app['points'], app['recommendation'], app['summary'],
                                 grid['processes'], grid['threads'])
        assert verdict == {key: app[key] for key in ('best', 'ties', 'steps', 'targets')}


def test_the_full_runs_best_points(captured):
    results = json.loads(captured('sizing-full-results.json'))
    cpu, io = results['apps']['cpu'], results['apps']['io']
    # cpu: 4 x 2 has the lowest p99 (644 ms); six points tie within 10 %; 2 x 4 holds the least
    # memory of them (87.8 MB). The recommendation 2 x 7 is log2(7/4) = 0.81 steps from it.
    assert cpu['ties'] == [[2, 1], [2, 2], [2, 4], [4, 1], [4, 2], [4, 4]]
    assert (cpu['best']['processes'], cpu['best']['threads'], cpu['best']['group_pss_mb']) == (2, 4, 87.8)
    assert cpu['steps'] == pytest.approx(math.log(7 / 4.0, 2))
    # io: only 2 x 32, 4 x 16 and 4 x 32 serve the 50 clients at once; 2 x 32 holds the least.
    assert io['ties'] == [[2, 32], [4, 16], [4, 32]]
    assert (io['best']['processes'], io['best']['threads']) == (2, 32)
    assert [row['status'] for row in cpu['targets']] == ['PASS', 'MISS', 'PASS']
    assert [row['status'] for row in io['targets']] == ['PASS', 'MISS', 'PASS']
    assert sweep.problems(results) == []


def test_the_smoke_runs_cpu_verdict(captured):
    results = json.loads(captured('sizing-smoke-results.json'))
    # cpu: 2 x 2 (973 ms) ties with 2 x 8 (953 ms, 10 % gives up to 1048 ms); no memory was
    # read, so the smaller capacity decides. The recommendation 2 x 6 is 0.79 steps from it.
    cpu = results['apps']['cpu']
    assert cpu['ties'] == [[2, 2], [2, 8]]
    assert (cpu['best']['processes'], cpu['best']['threads']) == (2, 2)
    assert (cpu['recommendation']['processes'], cpu['recommendation']['threads']) == (2, 6)
    assert cpu['steps'] == pytest.approx(math.log(3, 2) / 2)


def test_a_run_that_read_no_group_memory_fails_the_harness(captured):
    results = json.loads(captured('sizing-smoke-results.json'))
    found = sweep.problems(results)
    assert found == [line for profile in ('cpu', 'io') for line in
                     ["%s %s: the group's memory was not read" % (profile, size)
                      for size in ('1x2', '1x8', '2x2', '2x8')]
                     + ["%s: the role's group memory was not read" % profile]]


def test_a_smoke_run_with_its_memory_read_passes_the_harness(captured):
    results = json.loads(captured('sizing-smoke-results.json'))
    for app in results['apps'].values():
        for point in app['points']:
            point['group_pss_mb'] = 91.1
        for run in app['runs']['role']:
            run['peak_group_pss_mb'] = 91.1
    assert sweep.problems(results) == []
    del results['apps']['io']['summary']['trap_warm']['rps']
    results['apps']['cpu']['recommendation']['basis'] = 'kept'
    found = sweep.problems(results)
    assert found[0].startswith('cpu: group_metrics gave no measured recommendation: ')
    assert found[1:] == ['io: trap_warm served no request']
