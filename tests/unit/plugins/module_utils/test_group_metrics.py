"""_group_metrics.py on the probe's metrics answers captured from real daemon groups under a
bounded load (tests/unit/fixtures/group_metrics/, see the README there): Debian 11 (mod_wsgi
4.7.1), 12 (4.9.4), 13 (5.0.2), and mod_wsgi from PyPI when captured (debian12-pip)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import gzip
import json
import os

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _group_metrics
from ansible_collections.modwsgi.apache.plugins.module_utils._probe import ProbeError
from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES, load_probe_script

HERE = os.path.join(FIXTURES, 'group_metrics')
VERSIONS = sorted(name for name in os.listdir(HERE) if name.startswith('debian'))


def session(version):
    with open(os.path.join(HERE, version, 'session.json')) as handle:
        return json.load(handle)


def reads(version):
    return [(read['round'], json.loads(read['body'])) for read in session(version)['reads']]


def proc(version):
    data = session(version)['proc']
    return [data['before'], data['after']]


def summary(version):
    return _group_metrics.summarize(reads(version), proc(version), cores=2)


def mod_wsgi_version(version):
    return reads(version)[0][1]['mod_wsgi_version']


@pytest.mark.parametrize('version', VERSIONS)
def test_every_request_of_the_load_is_counted_and_the_probe_s_own_are_not(version):
    # ab ran exactly this many requests between the two rounds; nothing else reached the app.
    load = session(version)['load']
    result = summary(version)
    assert result['requests'] == load['requests']
    assert result['processes'] == 2 and result['threads'] == 4
    assert result['processes_measured'] == 2
    # each process's share adds up, and each left out the probe requests it served itself
    measured = [m for m in result['members'] if m.get('measured')]
    assert sum(m['requests'] for m in measured) == load['requests']
    assert sum(m['probe_requests'] for m in measured) == result['probe_requests'] == len(reads(version)) - 2


@pytest.mark.parametrize('version', VERSIONS)
def test_utilisation_and_times_are_consistent(version):
    result = summary(version)
    assert 0 < result['utilization'] <= 1
    assert result['requests_per_second'] > 0
    # Little's law: busy threads = throughput x service time (the probe's requests are in both)
    busy = result['busy_threads']
    assert busy == pytest.approx(result['service_time']['mean'] * (result['requests'] + result['probe_requests'])
                                 / result['window'], rel=0.02)
    assert busy <= result['processes'] * result['threads']
    # The app burns about 5 ms of CPU and sleeps 20 ms: CPU is a fraction of the service time.
    assert 0 < result['cpu_per_request'] < result['service_time']['mean']
    # RSS from /proc for both processes of the group
    assert [m['pid'] for m in result['members']] == sorted(m['pid'] for m in result['members'])
    assert len(result['members']) == 2 and all(m['rss_mb'] > 1 for m in result['members'])
    assert result['rss_mb']['max'] >= result['rss_mb']['mean'] > 1


@pytest.mark.parametrize('version', VERSIONS)
def test_what_each_version_gives_and_what_it_lacks(version):
    result = summary(version)
    if mod_wsgi_version(version) == '4.7.1':
        # No request_metrics() in 4.7: no buckets, no queue or application time; each says why.
        assert result['service_time']['p99'] is None
        assert result['queue_time'] == {'mean': None, 'p99': None}
        for figure in ('p99', 'queue_time', 'application_time'):
            assert result['missing'][figure] == 'mod_wsgi 4.7.1 has no request_metrics()'
    else:
        assert result['missing'] == {}
        # p99 is a bucket's upper bound, at or above the mean
        assert result['service_time']['p99'] >= result['application_time']['mean'] > 0
        assert result['queue_time']['mean'] >= 0 and result['queue_time']['p99'] > 0
        # mod_wsgi's own application time is within the busy time per request
        assert result['application_time']['mean'] <= result['service_time']['mean'] * 1.01
    # server-metrics=On: the front end's scoreboard, the load included in what it served
    assert result['frontend']['processes'] >= 1
    assert result['frontend']['requests'] >= session(version)['load']['requests']


@pytest.mark.parametrize('version', VERSIONS)
def test_sample_reads_each_process_once_per_round_and_replays_the_capture(version):
    # The capture made the same reads: until both processes answered. Replaying them through
    # sample() consumes exactly the captured answers and gives the same figures.
    answers = [answer for dummy, answer in reads(version)]
    served = []

    def read():
        served.append(answers[len(served)])
        return served[-1]
    snapshots = iter(proc(version))
    slept = []
    result = _group_metrics.sample([(read, 'app')], 7, slept.append, proc=lambda: next(snapshots))
    assert slept == [7] and len(served) == len(answers)
    assert result['reads'][0] == reads(version)
    assert _group_metrics.summarize(result['reads'][0], result['proc'], cores=2) == summary(version)


def test_a_round_is_bounded_when_a_process_never_answers():
    one = reads('debian12')[0][1]
    calls = []

    def read():
        calls.append(1)
        return one
    assert len(_group_metrics.read_round(read, 'app')) == 10 * 2 + 10 == len(calls)
    assert len(_group_metrics.read_round(read, 'app', max_reads=3)) == 3


def test_a_process_seen_in_one_round_only_is_named_not_counted():
    captured = reads('debian12')
    pid = captured[0][1]['pid']
    kept = [(r, a) for r, a in captured if not (r == 2 and a['pid'] == pid)]
    result = _group_metrics.summarize(kept, None, cores=2)
    assert result['processes_measured'] == 1
    assert {'pid': pid, 'measured': False, 'why': 'answered in one round only'} in result['members']
    assert result['requests'] < session('debian12')['load']['requests']


@pytest.mark.parametrize('version', VERSIONS)
def test_another_reader_of_request_metrics_is_detected(version):
    # Leave out an answer of a process between its first and its last: its drain is lost, as
    # when an application's reporter calls request_metrics() in between.
    if mod_wsgi_version(version) == '4.7.1':
        pytest.skip('mod_wsgi 4.7.1 has no request_metrics()')
    captured = reads(version)
    pids = [answer['pid'] for dummy, answer in captured]
    middle = [i for i, pid in enumerate(pids) if pids.index(pid) < i < len(pids) - 1 - pids[::-1].index(pid)]
    if not middle:
        pytest.skip('no process of this capture answered three times')
    assert 'request_metrics' not in summary(version)['missing']
    result = _group_metrics.summarize(captured[:middle[0]] + captured[middle[0] + 1:], None, cores=2)
    assert 'another reader drained request_metrics()' in result['missing']['request_metrics']


def test_a_probe_without_metrics_is_older_than_the_collection():
    with open(os.path.join(FIXTURES, 'probe', 'debian12', 'daemon.json')) as handle:
        old = json.load(handle)
    with pytest.raises(ProbeError, match='older than this collection') as err:
        _group_metrics.read_round(lambda: old, 'http://127.0.0.1/x')
    assert err.value.kind == 'format'


def test_embedded_mode_cannot_be_measured():
    answer = dict(reads('debian12')[0][1], process_group='')
    with pytest.raises(ProbeError, match='embedded'):
        _group_metrics.check_answer(answer, 'x')


@pytest.mark.parametrize('window', [0, 601, True, '10', None])
def test_the_window_is_bounded(window):
    with pytest.raises(ValueError, match='^window: must be a number of seconds from 1 to 600'):
        _group_metrics.check_window(window)


# --- time buckets: the layouts of mod_wsgi's wsgi_metrics.c ---------------------------------

def test_bucket_bounds_of_mod_wsgi_4_and_5():
    # wsgi_record_time_in_buckets (4.8 to 5.0.2): threshold 5 ms, doubled per bucket, 14 of them
    bounds = _group_metrics.bucket_bounds(16)
    assert bounds[:3] == [0.005, 0.01, 0.02] and bounds[13] == pytest.approx(40.96)
    assert bounds[14] == float('inf')


def test_bucket_bounds_of_mod_wsgi_6():
    # 6.x: octave = exp - 1 of frexp(ms), 4 linear sub-buckets, overflow at 65536 ms
    bounds = _group_metrics.bucket_bounds(65)
    assert bounds[:5] == [0.00125, 0.0015, 0.00175, 0.002, 0.0025]
    assert bounds[63] == pytest.approx(65.536) and bounds[64] == float('inf')
    assert _group_metrics.bucket_bounds(7) is None


def test_p99_is_the_bound_of_the_bucket_holding_it():
    buckets = [0] * 16
    buckets[3] = 99   # <= 40 ms
    buckets[5] = 1    # <= 160 ms
    assert _group_metrics.percentile(buckets) == 0.04
    buckets[5] = 2
    assert _group_metrics.percentile(buckets) == 0.16
    assert _group_metrics.percentile([0] * 16) is None


@pytest.mark.parametrize('version', VERSIONS)
def test_p99_of_the_captured_buckets(version):
    if mod_wsgi_version(version) == '4.7.1':
        pytest.skip('mod_wsgi 4.7.1 has no buckets')
    captured = reads(version)
    # Every drain after the first answer of each process, added up by hand.
    buckets = None
    first = set()
    for dummy, answer in captured:
        drain = answer['metrics']['request']
        if answer['pid'] not in first:
            first.add(answer['pid'])
            continue
        values = drain['application_time_buckets']
        buckets = values if buckets is None else [a + b for a, b in zip(buckets, values)]
    total = sum(buckets)
    rank = -(-99 * total // 100)
    index = [i for i in range(len(buckets)) if sum(buckets[:i + 1]) >= rank][0]
    assert summary(version)['service_time']['p99'] == round(_group_metrics.bucket_bounds(len(buckets))[index], 4)


# --- /proc: every process of the group -------------------------------------------------------

@pytest.mark.parametrize('version', VERSIONS)
def test_proc_finds_the_group_s_processes_by_name_and_parent(version):
    after = _group_metrics.proc_table(proc(version)[1])
    pids = sorted(set(a['pid'] for dummy, a in reads(version)))
    # From one answered pid, its sibling is found: same parent, same display-name.
    assert _group_metrics.group_processes(after, pids[:1]) == pids
    # display-name=%{GROUP} rewrote argv[0] of the command line (the comm in stat stays apache2)
    assert set(after[pid]['name'] for pid in pids) == {'(wsgi:app) -k start'}
    # Apache's own children are named like their parent: they are not a group to widen.
    children = [pid for pid, info in after.items()
                if info['ppid'] in after and info['name'] == after[info['ppid']]['name']]
    assert children and _group_metrics.group_processes(after, children[:1]) == children[:1]


@pytest.mark.parametrize('version', VERSIONS)
def test_proc_cpu_agrees_with_process_metrics(version):
    # Both count clock ticks of the same process; they differ only by when each was read.
    for member in summary(version)['members']:
        assert member['proc_cpu_seconds'] == pytest.approx(member['cpu_seconds'], abs=0.05)


def test_memory_available():
    assert _group_metrics.memory_available_mb('MemTotal:  100 kB\nMemAvailable:    2048 kB\n') == 2.0
    assert _group_metrics.memory_available_mb(None) is None


# --- the probe script's side ------------------------------------------------------------------

def load_script():
    return load_probe_script('modwsgi_probe_script_metrics')


@pytest.mark.parametrize('version', VERSIONS)
def test_the_probe_s_scoreboard_summary_of_a_real_server_metrics(version):
    with gzip.open(os.path.join(HERE, version, 'server_metrics.json.gz'), 'rt') as handle:
        raw = json.load(handle)
    summary_ = load_script().scoreboard(raw)
    live = [p for p in raw['processes'] if p['pid']]
    assert summary_['pids'] == sorted(p['pid'] for p in live)
    assert sum(summary_['status'].values()) == len(live) * raw['thread_limit']
    assert summary_['access_count'] == sum(w['access_count'] for p in live for w in p['workers'])
    assert summary_['access_count'] >= session(version)['load']['requests']
    assert load_script().scoreboard(None) is None


def test_the_probe_outside_mod_wsgi_says_what_is_missing():
    result = load_script().metrics({})
    assert result['process'] is None and result['request'] is None and result['server'] is None
    assert result['missing']['process_metrics'] == 'mod_wsgi (not loaded) has no process_metrics()'
    assert result['api'] == dict((name, False) for name in load_script().METRICS_API)
