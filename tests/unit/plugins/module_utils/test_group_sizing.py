"""_group_sizing.recommend: the size of a daemon group from its measured load.

The measured cases are the real captures of tests/unit/fixtures/group_metrics/ (an app of
about 5 ms CPU + 20 ms sleep under ab -c 8 on a 2 x 4 group); the rule cases give the
measurement's figures directly, so that each rule's arithmetic is visible in the test."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _group_metrics, _group_sizing, _mpm_sizing
from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES


def captured(version):
    with open(os.path.join(FIXTURES, 'group_metrics', version, 'session.json')) as handle:
        session = json.load(handle)
    reads = [(read['round'], json.loads(read['body'])) for read in session['reads']]
    return _group_metrics.summarize(reads, [session['proc']['before'], session['proc']['after']], cores=2)


def measured(rate, service, cpu, requests=1000, processes=2, threads=15, rss=40.0, measured_processes=None):
    return {'processes': processes, 'threads': threads, 'requests': requests,
            'processes_measured': processes if measured_processes is None else measured_processes,
            'requests_per_second': rate, 'service_time': {'mean': service, 'p99': None},
            'cpu_per_request': cpu, 'rss_mb': {'mean': rss, 'max': rss}, 'missing': {}}


def test_debian12_capture_mixed_app_on_two_cores():
    measurement = captured('debian12')
    result = _group_sizing.recommend(measurement, cores=2)
    # 138.98 req/s x 41.4 ms = 5.75 busy threads -> ceil(5.75 / 0.5) = 12 threads at 50 %;
    # CPU 4.5 ms of 41.4 ms = 11 % of a request, so one process keeps int(1 / 0.109) = 9 threads
    # busy -> ceil(12 / 9) = 2 processes (the CPU demand, 0.63 cores, asks for 1) of 12 / 2 = 6.
    assert (measurement['requests_per_second'], measurement['service_time']['mean'],
            measurement['cpu_per_request']) == (138.98, 0.0414, 0.0045)
    assert (result['processes'], result['threads'], result['basis'], result['change']) == (2, 6, 'measured', 'grow')
    assert result['reason'] == (
        "139.0 req/s x 41.4 ms = 5.8 busy threads (Little's law), so 12 threads for 50% utilisation; "
        "11% of a request is CPU, so the GIL lets a process keep 9 threads busy; "
        "CPU demand 0.63 cores of 2; 2 x 6 (18 MB each)")
    # the front end to match is the role's own MPM rule, for 2 x 6 = 12 daemon threads
    assert result['mpm'] == _mpm_sizing.mpm_sizing([{'processes': 2, 'threads': 6}])
    assert result['mpm']['max_clients'] == 10 + max(10, int(1.5 * 12))


@pytest.mark.parametrize('version', ['debian11', 'debian12', 'debian13'])
def test_every_capture_gives_a_measured_size_that_holds_the_load_at_half_utilisation(version):
    measurement = captured(version)
    result = _group_sizing.recommend(measurement, cores=2)
    assert result['basis'] == 'measured'
    capacity = result['processes'] * result['threads']
    assert capacity * _group_sizing.TARGET_UTILIZATION >= measurement['busy_threads'] * 0.98
    assert result['threads'] <= _group_sizing.MAX_THREADS


def test_io_bound_app_gets_threads_not_processes():
    # 20 req/s x 200 ms = 4 busy threads -> 8 threads; 1 % CPU: the GIL is no limit (capped at
    # 32), so one process would hold them; two, so that a restart does not stop the app.
    result = _group_sizing.recommend(measured(20.0, 0.2, 0.002), cores=2)
    assert (result['processes'], result['threads'], result['change']) == (2, 4, 'shrink')
    assert '1% of a request is CPU, so the GIL lets a process keep 32 threads busy' in result['reason']
    assert 'CPU demand 0.04 cores of 2' in result['reason']
    assert result['reason'].endswith('at least 2 processes, so that one restarting does not stop the application')
    # 320 busy threads of the same app on 8 cores (3.2 cores of CPU): 640 threads, 20 x 32
    result = _group_sizing.recommend(measured(1600.0, 0.2, 0.002), cores=8)
    assert (result['processes'], result['threads']) == (20, 32)
    assert 'at least 2 processes' not in result['reason']


def test_cpu_bound_app_gets_processes_up_to_the_cores():
    # 80 req/s x 20 ms, all CPU: 1.6 busy threads -> 4 threads, 1 per process (the GIL), CPU
    # demand 1.6 cores >= 0.8 x 2: capped at the 2 cores, and says so.
    result = _group_sizing.recommend(measured(80.0, 0.02, 0.02), cores=2)
    assert (result['processes'], result['threads']) == (2, 1)
    assert result['reason'].endswith('CPU-bound: the 2 cores are the limit, more processes would only queue')
    # With 8 cores, the same load gets its 4 processes.
    assert (_group_sizing.recommend(measured(80.0, 0.02, 0.02), cores=8)['processes']) == 4


def test_memory_caps_the_processes():
    # 100 busy threads of a CPU-heavy app want 100 processes; 1000 MB at 80 % fits 2 of 400 MB.
    result = _group_sizing.recommend(measured(500.0, 0.1, 0.05, rss=400.0), cores=64, memory_mb=1000)
    assert result['processes'] == 2
    assert 'memory caps it at 2 processes of 400 MB' in result['reason']


def test_too_little_load_keeps_the_size_and_says_why():
    result = _group_sizing.recommend(measured(1.0, 0.02, 0.001, requests=12), cores=2)
    assert (result['processes'], result['threads'], result['basis'], result['change']) == (2, 15, 'kept', 'keep')
    assert result['reason'] == 'only 12 requests in the window (at least 50 are needed to size from): kept 2 x 15'


def test_no_measurement_keeps_the_size_and_names_the_missing_figure():
    result = _group_sizing.recommend({'processes': 2, 'threads': 15, 'requests': None,
                                      'missing': {'requests': 'no process of the group answered in both rounds'}})
    assert result['reason'] == 'no measurement (no process of the group answered in both rounds): kept 2 x 15'


def test_unmeasured_processes_are_assumed_as_busy_as_the_measured_ones():
    one = _group_sizing.recommend(measured(10.0, 0.2, 0.002, processes=2, measured_processes=1), cores=2)
    both = _group_sizing.recommend(measured(20.0, 0.2, 0.002, processes=2), cores=2)
    assert (one['processes'], one['threads']) == (both['processes'], both['threads'])
    assert 'rate scaled from 1 of 2 processes' in one['reason']


def test_without_cpu_figures_the_gil_rule_is_not_applied():
    # 100 req/s x 100 ms = 10 busy threads -> 20 threads, over the 2 processes of the floor
    result = _group_sizing.recommend(measured(100.0, 0.1, None), cores=2)
    assert (result['processes'], result['threads']) == (2, 10)
    assert 'CPU per request unknown: the GIL limit is not applied' in result['reason']


def test_the_front_end_serves_every_group():
    a = _group_sizing.recommend(measured(20.0, 0.2, 0.002), cores=2)
    b = _group_sizing.recommend(measured(80.0, 0.02, 0.02), cores=2)
    expected = _mpm_sizing.mpm_sizing([{'processes': 2, 'threads': 4}, {'processes': 2, 'threads': 1}])
    assert _group_sizing.frontend([a, b]) == expected
