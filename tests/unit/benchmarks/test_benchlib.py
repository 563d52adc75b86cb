# -*- coding: utf-8 -*-
"""Unit tests of benchmarks/benchlib.py on captured real outputs (fixtures/README.md)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, 'benchmarks'))

import benchlib  # noqa: E402


def fixture(name):
    with open(os.path.join(HERE, 'fixtures', name)) as handle:
        return handle.read()


@pytest.mark.parametrize('name, expected', [
    ('ab-trap-smoke.txt', {'complete': 374, 'failed': 0, 'non_2xx': 0, 'rps': 18.50,
                           'seconds': 20.219, 'p50_ms': 1252, 'p99_ms': 4293}),
    ('ab-role-smoke.txt', {'complete': 2000, 'failed': 0, 'non_2xx': 0, 'rps': 708.62,
                           'seconds': 2.822, 'p50_ms': 58, 'p99_ms': 199}),
])
def test_parse_ab(name, expected):
    assert benchlib.parse_ab(fixture(name)) == expected


def test_parse_ab_counts_non_2xx():
    parsed = benchlib.parse_ab(fixture('ab-404.txt'))
    assert parsed['complete'] == 20
    assert parsed['non_2xx'] == 20


def test_parse_ab_refuses_a_truncated_report():
    text = fixture('ab-role-smoke.txt')
    with pytest.raises(ValueError, match='p99_ms'):
        benchlib.parse_ab(text[:text.index('  99%')])


def test_medians_per_metric_and_only_complete_metrics():
    runs = [{'rps': 100.0, 'peak_pss_mb': 50.0, 'loads': 0},
            {'rps': 300.0, 'peak_pss_mb': 70.0, 'loads': 2},
            {'rps': 200.0, 'peak_pss_mb': 10.0}]
    assert benchlib.medians(runs) == {'rps': 200.0, 'peak_pss_mb': 50.0}


def test_ratio():
    assert benchlib.ratio(50.0, 1000.0) == 0.05
    assert benchlib.ratio(5.0, 0) is None
    assert benchlib.ratio(None, 3.0) is None


@pytest.mark.parametrize('value, op, goal, status', [
    (0.05, '<=', 0.05, 'PASS'),
    (0.051, '<=', 0.05, 'MISS'),
    (2.0, '>=', 2.0, 'PASS'),
    (1.99, '>=', 2.0, 'MISS'),
    (None, '>=', 2.0, 'n/a'),
])
def test_judge(value, op, goal, status):
    assert benchlib.judge(value, op, goal) == status


SUMMARY = {
    'trap': {'peak_pss_mb': 4000.0, 'rps': 1000.0, 'p99_ms': 100, 'loads': 60},
    'trap_warm': {'peak_pss_mb': 3000.0, 'rps': 2000.0, 'p99_ms': 50, 'loads': 0},
    'role': {'peak_pss_mb': 150.0, 'rps': 2500.0, 'p99_ms': 40, 'loads': 0},
    'express': {'peak_pss_mb': 130.0, 'rps': 2400.0, 'p99_ms': 40, 'loads': 0},
    'worker': {'peak_pss_mb': 200.0, 'rps': 3500.0, 'p99_ms': 30, 'loads': 2},
}


def test_evaluate_targets_against_the_warm_trap():
    rows = {row['label']: row for row in benchlib.evaluate_targets(SUMMARY)}
    assert len(rows) == len(benchlib.TARGETS)
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
    rows = {row['label']: row for row in benchlib.evaluate_targets(summary)}
    assert rows['role vs warm trap: req/s']['status'] == 'MISS'


def test_evaluate_targets_without_a_configuration():
    summary = {key: value for key, value in SUMMARY.items() if key != 'express'}
    rows = {row['label']: row for row in benchlib.evaluate_targets(summary)}
    assert rows['role vs mod_wsgi-express: req/s']['status'] == 'n/a'


def test_every_row_is_a_container_or_a_warm_burst_of_one():
    rows = [key for key, dummy in benchlib.CONFIGS]
    assert sorted(rows) == sorted(list(benchlib.CONTAINERS) + list(benchlib.WARM_ROWS.values()))
    assert set(benchlib.WARM_ROWS) <= set(benchlib.CONTAINERS)
    assert benchlib.REFERENCE in rows


def test_results_table_ratios_against_the_warm_trap():
    lines = benchlib.results_table(SUMMARY).splitlines()
    assert len(lines) == 2 + 5
    cold, warm, role = (lines[i].split('|') for i in (2, 3, 4))
    assert 'cold' in cold[2] and 'warm' in warm[2]
    assert [cell.strip() for cell in cold[-4:-1]] == ['1.33x', '0.50x', '2.00x']
    assert [cell.strip() for cell in warm[-4:-1]] == ['1.00x', '1.00x', '1.00x']
    assert [cell.strip() for cell in role[-4:-1]] == ['0.05x', '1.25x', '0.80x']


def test_targets_table():
    table = benchlib.targets_table(benchlib.evaluate_targets(SUMMARY))
    assert '| role vs warm trap: req/s | 1.25x | >= 1.00x | PASS |' in table
    assert '| role: app loads during the burst | 0 | <= 0 | PASS |' in table


def test_audit_scaling_per_host_marginal_and_flatness():
    scaled = benchlib.audit_scaling([{'hosts': 20, 'seconds': 30.0, 'cpu_s': 42.0},
                                     {'hosts': 1, 'seconds': 8.0, 'cpu_s': 4.0},
                                     {'hosts': 50, 'seconds': 70.0, 'cpu_s': 102.0}])
    points = scaled['points']
    assert [p['hosts'] for p in points] == [1, 20, 50]
    assert [p['per_host_cpu_s'] for p in points] == [4.0, 2.1, 2.04]
    assert 'marginal_cpu_s' not in points[0]
    assert points[1]['marginal_cpu_s'] == 2.0
    assert points[2]['marginal_cpu_s'] == 2.0
    assert scaled['flatness'] == pytest.approx(2.04 / 2.1)


def test_audit_scaling_a_cost_growing_with_the_fleet_is_over_one():
    scaled = benchlib.audit_scaling([{'hosts': 20, 'seconds': 1.0, 'cpu_s': 40.0},
                                     {'hosts': 50, 'seconds': 1.0, 'cpu_s': 150.0}])
    assert scaled['flatness'] == pytest.approx(1.5)


def test_audit_scaling_of_one_size_has_no_flatness():
    assert benchlib.audit_scaling([{'hosts': 2, 'seconds': 1.0, 'cpu_s': 3.0}])['flatness'] is None


def test_recap_changed_sums_every_host():
    assert benchlib.recap_changed(fixture('ansible-recap.txt')) == 2


def test_recap_changed_without_a_recap():
    assert benchlib.recap_changed('ERROR! the playbook could not be found') == 0


def test_task_seconds():
    spans = benchlib.task_seconds(fixture('ansible-json-callback.txt'))
    # task.duration of each task: ping 11:11:31.758986 -> 11:11:33.046620,
    # command 11:11:33.053851 -> 11:11:33.961953 (not the command's own start/end fields).
    assert spans == {'Time ansible.builtin.ping': pytest.approx(1.287634),
                     'Change something': pytest.approx(0.908102)}


def test_task_seconds_skips_text_before_the_json():
    text = '[WARNING]: a warning {with braces}\n' + fixture('ansible-json-callback.txt')
    assert set(benchlib.task_seconds(text)) == {'Time ansible.builtin.ping', 'Change something'}


def test_task_seconds_without_json():
    with pytest.raises(ValueError):
        benchlib.task_seconds('ERROR! no play')


def test_task_spans_in_run_order():
    spans = benchlib.task_spans(fixture('ansible-json-callback.txt'))
    assert [name for name, dummy in spans] == ['Time ansible.builtin.ping', 'Change something']


def test_json_changed():
    # The command task changed localhost once; the looped ping changed nothing.
    assert benchlib.json_changed(fixture('ansible-json-callback.txt')) == 1


def test_host_calls_counts_loop_items_that_reached_the_host():
    # The fixture: ping looped twice, then one command.
    assert benchlib.host_calls(fixture('ansible-json-callback.txt')) == 3


def test_host_calls_leaves_out_a_role_s_argument_spec_check():
    # The fixture: include_role of a role with meta/argument_specs.yml (ansible-core checks them in
    # the task "Validating arguments against arg spec", on the controller), then its one ping.
    output = fixture('ansible-json-argument-spec.txt')
    assert '"ansible.builtin.validate_argument_spec"' in output
    assert benchlib.host_calls(output) == 1


def test_cpu_busy_seconds_leaves_out_idle_iowait_and_guest():
    # cpu  2300413 0 991460 1486311 21884 0 17775 13874 0 0 at 100 ticks a second: user, nice,
    # system, irq, softirq and steal are busy; idle (1486311) and iowait (21884) are not.
    assert os.sysconf('SC_CLK_TCK') == 100
    assert benchlib.cpu_busy_seconds(fixture('proc-stat.txt')) == pytest.approx(
        (2300413 + 991460 + 17775 + 13874) / 100.0)
