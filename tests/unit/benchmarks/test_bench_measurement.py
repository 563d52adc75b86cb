# -*- coding: utf-8 -*-
"""Unit tests of benchmarks/bench/measurement.py: medians, the audit's scaling, and ansible-playbook's output read, on captured real outputs."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from bench import hosts, measurement, targets


def test_medians_per_metric_and_only_complete_metrics():
    runs = [{'rps': 100.0, 'peak_pss_mb': 50.0, 'loads': 0},
            {'rps': 300.0, 'peak_pss_mb': 70.0, 'loads': 2},
            {'rps': 200.0, 'peak_pss_mb': 10.0}]
    assert measurement.medians(runs) == {'rps': 200.0, 'peak_pss_mb': 50.0}


def test_every_row_is_a_container_or_a_warm_burst_of_one():
    rows = [key for key, dummy in measurement.CONFIGS]
    assert sorted(rows) == sorted(list(hosts.CONTAINERS) + list(measurement.WARM_ROWS.values()))
    assert set(measurement.WARM_ROWS) <= set(hosts.CONTAINERS)
    assert targets.REFERENCE in rows


def test_audit_scaling_per_host_marginal_and_flatness():
    scaled = measurement.audit_scaling([{'hosts': 20, 'seconds': 30.0, 'cpu_s': 42.0},
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
    scaled = measurement.audit_scaling([{'hosts': 20, 'seconds': 1.0, 'cpu_s': 40.0},
                                        {'hosts': 50, 'seconds': 1.0, 'cpu_s': 150.0}])
    assert scaled['flatness'] == pytest.approx(1.5)


def test_audit_scaling_of_one_size_has_no_flatness():
    assert measurement.audit_scaling([{'hosts': 2, 'seconds': 1.0, 'cpu_s': 3.0}])['flatness'] is None


def test_recap_changed_sums_every_host(captured):
    assert measurement.recap_changed(captured('ansible-recap.txt')) == 2


def test_recap_changed_without_a_recap():
    assert measurement.recap_changed('ERROR! the playbook could not be found') == 0


def test_task_seconds(captured):
    spans = measurement.task_seconds(captured('ansible-json-callback.txt'))
    # task.duration of each task: ping 11:11:31.758986 -> 11:11:33.046620,
    # command 11:11:33.053851 -> 11:11:33.961953 (not the command's own start/end fields).
    assert spans == {'Time ansible.builtin.ping': pytest.approx(1.287634),
                     'Change something': pytest.approx(0.908102)}


def test_task_seconds_skips_text_before_the_json(captured):
    text = '[WARNING]: a warning {with braces}\n' + captured('ansible-json-callback.txt')
    assert set(measurement.task_seconds(text)) == {'Time ansible.builtin.ping', 'Change something'}


def test_task_seconds_without_json():
    with pytest.raises(ValueError):
        measurement.task_seconds('ERROR! no play')


def test_task_spans_in_run_order(captured):
    spans = measurement.task_spans(captured('ansible-json-callback.txt'))
    assert [name for name, dummy in spans] == ['Time ansible.builtin.ping', 'Change something']


def test_json_changed(captured):
    # The command task changed localhost once; the looped ping changed nothing.
    assert measurement.json_changed(captured('ansible-json-callback.txt')) == 1


def test_host_calls_counts_loop_items_that_reached_the_host(captured):
    # The fixture: ping looped twice, then one command.
    assert measurement.host_calls(captured('ansible-json-callback.txt')) == 3


def test_host_calls_leaves_out_a_role_s_argument_spec_check(captured):
    # The fixture: include_role of a role with meta/argument_specs.yml (ansible-core checks them in
    # the task "Validating arguments against arg spec", on the controller), then its one ping.
    output = captured('ansible-json-argument-spec.txt')
    assert '"ansible.builtin.validate_argument_spec"' in output
    assert measurement.host_calls(output) == 1


def test_group_metrics_read_from_the_playbooks_output(captured):
    # sizing_metrics.yml on the group cpu-default (2 x 15) under ab -c 50, as the sweep ran it.
    result = measurement.task_result(captured('sizing-group_metrics-cpu.json'), measurement.METRICS_TASK)
    group = result['groups'][0]
    assert (group['process_group'], group['processes'], group['threads']) == ('cpu-default', 2, 15)
    assert group['mod_wsgi_version'] == '4.9.4'
    assert group['requests'] == 361
    recommendation = group['recommendation']
    assert (recommendation['processes'], recommendation['threads'], recommendation['basis']) == (2, 6, 'measured')
    assert recommendation['reason'].endswith('CPU-bound: the 2 cores are the limit, more processes would only queue')


def test_a_task_that_did_not_run_once_is_an_error(captured):
    with pytest.raises(ValueError, match="task 'Nothing like it': 0 results, expected one"):
        measurement.task_result(captured('sizing-group_metrics-cpu.json'), 'Nothing like it')
