# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Measure a mod_wsgi daemon group's load from mod_wsgi's own metrics, over a window.

PRIVATE to the collection: this is not a public API and may change at any time.

The probe (``roles/daemon_mode/files/probe.wsgi``) answers ``?metrics=1`` with what mod_wsgi's
metrics API says about the process that answered (``process_metrics()``, ``request_metrics()``)
and a summary of Apache's scoreboard (``server_metrics()``). Each process of a group keeps its
own counters, and a request reaches whichever process accepts it, so one read sees one process.
:func:`read_round` reads the probe until every process of the group has answered (bounded);
:func:`sample` makes one round, waits ``window`` seconds, and makes another. :func:`summarize`
takes the difference per process between its first answer of round 1 and its last of round 2,
and adds the processes up:

- ``requests``: the requests the group completed in the window, the probe's own left out (each
  answer says which process gave it, so the probe requests each process served are known);
- ``requests_per_second``; ``utilization``: busy thread-time over available thread-time
  (``request_busy_time`` over window x threads); ``service_time.mean``: busy thread-time per
  request (Little's law), all from ``process_metrics()`` (mod_wsgi 4.7 and later);
- ``application_time`` and ``queue_time`` (mean and p99, p99 as the upper bound of the time
  bucket that holds it) from ``request_metrics()``, which mod_wsgi 4.7 lacks; it drains, so
  every answer of a process after its first adds its buckets;
- ``cpu_per_request`` and ``cpu_cores`` from ``process_metrics()`` CPU times (clock ticks);
- memory per process: RSS from ``process_metrics()``, and from ``/proc`` for every process of
  the group (:func:`group_processes`, the module runs on the host).

A figure the version cannot give is ``None``, with the reason in ``missing``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os
import time

from ansible_collections.modwsgi.apache.plugins.module_utils._group_sizing import frontend, recommend
from ansible_collections.modwsgi.apache.plugins.module_utils._probe import ProbeError, read_answer
from ansible_collections.modwsgi.apache.plugins.module_utils._proc import (
    _read, parse_kb, parse_stat)

METRICS_QUERY = 'metrics=1'
# The window is bounded: long enough to see a load, short enough for a playbook.
MIN_WINDOW = 1
MAX_WINDOW = 600
DEFAULT_WINDOW = 10
# Reads per round: enough to meet every process of the group in practice (mod_wsgi 4 and 5
# hand an idle group's connections to its processes in turn; 6.1.1 gave one process five in a
# row in a capture), never unbounded.
MAX_READS = 64
P99 = 0.99
CLOCK_TICK = float(os.sysconf('SC_CLK_TCK')) if hasattr(os, 'sysconf') else 100.0


def metrics_url(url):
    """The probe URL that asks for the metrics."""
    return url + ('&' if '?' in url else '?') + METRICS_QUERY


def check_answer(answer, where):
    """The ``metrics`` of a probe answer; ProbeError when the probe does not give them."""
    metrics = answer.get('metrics')
    if not isinstance(metrics, dict):
        raise ProbeError('format', 'Error while reading the metrics of %s: the probe answered without '
                                   '"metrics": it is older than this collection. Run the role '
                                   'modwsgi.apache.daemon_mode again to update it.' % where)
    if not answer.get('process_group'):
        raise ProbeError('format', 'Error while reading the metrics of %s: the probe runs in embedded '
                                   'mode; only a daemon process group can be measured.' % where)
    return metrics


def read_round(read, where, max_reads=None):
    """Read the probe with ``read()`` (it returns a parsed answer) until every process of the
    group has answered or ``max_reads`` reads were made. Returns the answers in order."""
    answers = []
    seen = set()
    limit = max_reads
    while True:
        answer = read()
        check_answer(answer, where)
        answers.append(answer)
        seen.add(answer.get('pid'))
        expected = answer.get('processes') or 1
        if limit is None:
            limit = min(MAX_READS, 10 * expected + 10)
        if len(seen) >= expected or len(answers) >= limit:
            return answers


def parse_cpu(stat_text):
    """User + system CPU seconds from a ``/proc/PID/stat`` text (fields 14 and 15)."""
    if not stat_text or ')' not in stat_text:
        return None
    fields = stat_text[stat_text.rindex(')') + 2:].split()
    try:
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICK
    except (IndexError, ValueError):
        return None


def proc_table(texts):
    """``{pid: {'name', 'ppid', 'cpu', 'rss_kb'}}`` from ``{pid: {'stat', 'status', 'cmdline'}}``
    (texts). ``name`` is the command line, which mod_wsgi's ``display-name`` rewrites (the
    ``comm`` of ``stat`` stays the binary's name), else the ``comm``."""
    table = {}
    for pid, files in texts.items():
        comm, ppid = parse_stat(files.get('stat'))
        if comm is None:
            continue
        cmdline = ' '.join((files.get('cmdline') or '').replace('\0', ' ').split())
        table[int(pid)] = {'name': cmdline or comm, 'ppid': ppid, 'cpu': parse_cpu(files.get('stat')),
                           'rss_kb': parse_kb(files.get('status'), 'VmRSS')}
    return table


def read_proc(proc_root='/proc'):
    """The ``stat`` and ``status`` texts of every process that can be seen (see :func:`proc_table`)."""
    texts = {}
    try:
        names = os.listdir(proc_root)
    except OSError:
        return texts
    for name in names:
        if name.isdigit():
            stat = _read(os.path.join(proc_root, name, 'stat'))
            if stat is not None:
                texts[name] = {'stat': stat, 'status': _read(os.path.join(proc_root, name, 'status')),
                               'cmdline': _read(os.path.join(proc_root, name, 'cmdline'))}
    return texts


def group_processes(table, pids):
    """The pids of the group's processes in ``table``: the answered ``pids`` and their siblings
    (the same parent and the same command line). Siblings count only when the group's processes
    have a name of their own (``display-name``, which the role sets); named like their parent,
    they cannot be told from Apache's children, and only the answered pids are returned."""
    found = set(pid for pid in pids if pid in table)
    for pid in list(found):
        name, ppid = table[pid]['name'], table[pid]['ppid']
        if ppid in table and table[ppid]['name'] == name:
            continue
        found.update(other for other, info in table.items()
                     if info['ppid'] == ppid and info['name'] == name)
    return sorted(found)


def sample(targets, window, sleep, proc=None, max_reads=None):
    """Two rounds of reads of every target, ``window`` seconds apart (one window for all the
    groups of a host). ``targets`` is a list of ``(read, where)``; ``proc()`` (optional) gives the
    ``/proc`` texts, read after each round. Returns ``{'reads': [[(round, answer)] per target],
    'proc': [before, after]}``."""
    first = [read_round(read, where, max_reads) for read, where in targets]
    before = proc() if proc else None
    sleep(window)
    second = [read_round(read, where, max_reads) for read, where in targets]
    after = proc() if proc else None
    return {'reads': [[(1, answer) for answer in one] + [(2, answer) for answer in two]
                      for one, two in zip(first, second)],
            'proc': [before, after]}


def memory_available_mb(text):
    """``MemAvailable`` of a ``/proc/meminfo`` text, in MB, or ``None``."""
    value = parse_kb(text, 'MemAvailable')
    return None if value is None else round(value / 1024.0, 1)


def cpu_count():
    """The CPUs this process may run on (its affinity), else the host's."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count()


# --- time buckets -----------------------------------------------------------------------------

def bucket_bounds(count):
    """The upper bound (seconds) of each of ``count`` time buckets, or ``None`` for a layout
    this code does not know. mod_wsgi 4.8 to 5.x: 16 buckets, bucket i < 14 holds times up to
    5 ms x 2**i, bucket 14 the rest (15 is never used). mod_wsgi 6: 65 buckets, 16 octaves
    from 1 ms by 4 linear steps, bucket 64 from 65.536 s on."""
    if count == 16:
        return [0.005 * 2 ** index for index in range(14)] + [float('inf'), float('inf')]
    if count == 65:
        return [(2 ** (index // 4)) * (1 + (index % 4 + 1) / 4.0) / 1000.0
                for index in range(64)] + [float('inf')]
    return None


def percentile(buckets, fraction=P99):
    """The upper bound of the bucket that holds the ``fraction`` quantile, or ``None``."""
    bounds = bucket_bounds(len(buckets))
    total = sum(buckets)
    if bounds is None or not total:
        return None
    rank = int(math.ceil(fraction * total))
    running = 0
    for count, bound in zip(buckets, bounds):
        running += count
        if running >= rank:
            return bound
    return bounds[-1]


# --- the difference between two rounds --------------------------------------------------------

def _number(mapping, key):
    value = (mapping or {}).get(key)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _cpu(process):
    user, system = _number(process, 'cpu_user_time'), _number(process, 'cpu_system_time')
    return None if user is None or system is None else user + system


def _window_start(drain):
    """When a drain's window started: ``stop_time - sample_period`` (mod_wsgi 6.1.1 answers a
    ``start_time`` equal to its ``stop_time``; 4.9 and 5.0 a true one, the same value)."""
    stop, period = _number(drain, 'stop_time'), _number(drain, 'sample_period')
    if stop is not None and period is not None:
        return stop - period
    return _number(drain, 'start_time') or 0.0


def _window_end(answer):
    """When the drain of ``answer`` ended, and how exactly that is known: its ``stop_time``; or,
    for the ``{}`` of a first call (mod_wsgi 4.9/5.0 start recording there without saying when),
    the ``process_metrics()`` clock the probe read just before it (within 10 ms)."""
    metrics = answer['metrics']
    drain = metrics.get('request')
    if drain and _number(drain, 'stop_time') is not None:
        return drain['stop_time'], 1e-4
    if drain == {} and _number(metrics.get('process'), 'current_time') is not None:
        return metrics['process']['current_time'], 0.01
    return None


def _drains(answers):
    """Sum the ``request_metrics()`` drains of ``answers`` (the first one's is the window's
    start and is not counted). Returns ``(totals, continuous)`` or ``(None, reason)``."""
    totals = {'request_count': 0, 'application_time': 0.0, 'queue_time': 0.0}
    buckets = {}
    continuous = True
    previous = _window_end(answers[0])
    for answer in answers[1:]:
        drain = answer['metrics'].get('request')
        if drain is None:
            return None, answer['metrics'].get('missing', {}).get('request_metrics', 'no request_metrics()')
        if not drain:
            # mod_wsgi 4.9/5.0 answer {} to the first call: the recording starts there.
            return None, 'request_metrics() only started recording in process %s during the window' % answer.get('pid')
        if previous is not None and abs(_window_start(drain) - previous[0]) > previous[1]:
            continuous = False
        count = int(drain.get('request_count') or 0)
        totals['request_count'] += count
        for key in ('application_time', 'queue_time'):
            value = _number(drain, key)
            if value is None:
                totals[key] = None
            elif totals[key] is not None:
                totals[key] += value * count
        for key in ('application_time_buckets', 'queue_time_buckets'):
            values = drain.get(key)
            if not isinstance(values, list):
                continue
            if key not in buckets:
                buckets[key] = [0] * len(values)
            if len(buckets[key]) == len(values):
                buckets[key] = [a + b for a, b in zip(buckets[key], values)]
        previous = _window_end(answer)
    totals.update(buckets)
    return totals, continuous


def per_process(answers, threads):
    """The window of one process: ``answers`` are all its answers in order, the first from
    round 1 and the last from round 2. Returns a dict, or ``None`` when the process restarted
    in between (its counters went back)."""
    first, last = answers[0]['metrics'].get('process'), answers[-1]['metrics'].get('process')
    if not first or not last:
        return {'pid': answers[0].get('pid'), 'process_metrics': False}
    if _number(last, 'restart_time') != _number(first, 'restart_time'):
        return None
    probe = len(answers) - 1  # the probe requests this process completed before its last read
    result = {
        'pid': answers[0].get('pid'),
        'process_metrics': True,
        'seconds': last['current_time'] - first['current_time'],
        'requests': last['request_count'] - first['request_count'] - probe,
        'probe_requests': probe,
        'busy_seconds': last['request_busy_time'] - first['request_busy_time'],
        'threads': threads,
        'rss_mb': round(last['memory_rss'] / 1048576.0, 1) if _number(last, 'memory_rss') else None,
        'max_rss_mb': round(last['memory_max_rss'] / 1048576.0, 1) if _number(last, 'memory_max_rss') else None,
    }
    cpu_first, cpu_last = _cpu(first), _cpu(last)
    result['cpu_seconds'] = None if cpu_first is None or cpu_last is None else cpu_last - cpu_first
    result['drains'], result['continuous'] = _drains(answers)
    return result


def _round(value, digits=4):
    return None if value is None else round(value, digits)


def _time(mean, buckets):
    return {'mean': _round(mean), 'p99': _round(percentile(buckets)) if buckets else None}


def summarize(reads, proc=None, cores=None):
    """The group's figures from :func:`sample`'s ``reads`` (``[(round, answer)]``) and ``proc``
    (``[before, after]`` ``/proc`` texts, or ``None``). See the module's RETURN."""
    by_pid = {}
    order = []
    for round_, answer in reads:
        pid = answer.get('pid')
        if pid not in by_pid:
            by_pid[pid] = []
            order.append(pid)
        by_pid[pid].append((round_, answer))
    head = reads[0][1]
    version = head.get('mod_wsgi_version')
    configured = head.get('processes') or 1
    threads = head.get('threads') or 1
    missing = {}
    processes = []
    for pid in order:
        rounds = by_pid[pid]
        if not any(r == 1 for r, dummy in rounds) or not any(r == 2 for r, dummy in rounds):
            processes.append({'pid': pid, 'measured': False,
                              'why': 'answered in one round only'})
            continue
        start = min(i for i, (r, dummy) in enumerate(rounds) if r == 1)
        end = max(i for i, (r, dummy) in enumerate(rounds) if r == 2)
        one = per_process([answer for dummy, answer in rounds[start:end + 1]], threads)
        if one is None:
            processes.append({'pid': pid, 'measured': False, 'why': 'restarted during the window'})
        elif not one['process_metrics']:
            processes.append({'pid': pid, 'measured': False, 'why': 'no process_metrics()'})
            missing['process_metrics'] = rounds[0][1]['metrics'].get('missing', {}).get(
                'process_metrics', 'process_metrics() gave nothing')
        else:
            one['measured'] = True
            processes.append(one)
    measured = [p for p in processes if p.get('measured')]
    result = {
        'process_group': head.get('process_group'),
        'mod_wsgi_version': version,
        'processes': configured,
        'threads': threads,
        'processes_measured': len(measured),
        'cores': cores,
    }
    if not measured:
        missing.setdefault('requests', 'no process of the group answered in both rounds')
    seconds = max(p['seconds'] for p in measured) if measured else None
    requests = sum(p['requests'] for p in measured) if measured else None
    all_requests = sum(p['requests'] + p['probe_requests'] for p in measured) if measured else None
    busy = sum(p['busy_seconds'] for p in measured) if measured else None
    thread_seconds = sum(p['seconds'] * p['threads'] for p in measured) if measured else None
    rate = sum(p['requests'] / p['seconds'] for p in measured if p['seconds'] > 0) if measured else None
    result.update({
        'window': _round(seconds, 3),
        'requests': requests,
        'probe_requests': sum(p['probe_requests'] for p in measured) if measured else None,
        'requests_per_second': _round(rate, 2),
        'utilization': _round(busy / thread_seconds) if thread_seconds else None,
        'busy_threads': _round(busy / seconds, 3) if seconds else None,
    })
    mean = busy / all_requests if all_requests else None
    # CPU
    cpus = [p['cpu_seconds'] for p in measured if p.get('cpu_seconds') is not None]
    cpu = sum(cpus) if measured and len(cpus) == len(measured) else None
    if measured and cpu is None:
        missing['cpu_per_request'] = 'process_metrics() has no CPU times on this platform'
    result['cpu_per_request'] = _round(cpu / all_requests) if cpu is not None and all_requests else None
    result['cpu_cores'] = _round(cpu / seconds, 3) if cpu is not None and seconds else None
    # request_metrics(): times and buckets
    drains = [p['drains'] for p in measured]
    app_mean = app_buckets = queue_mean = queue_buckets = None
    if measured and all(isinstance(d, dict) for d in drains):
        counted = sum(d['request_count'] for d in drains)
        if counted:
            if all(d['application_time'] is not None for d in drains):
                app_mean = sum(d['application_time'] for d in drains) / counted
            if all(d['queue_time'] is not None for d in drains):
                queue_mean = sum(d['queue_time'] for d in drains) / counted
        app_buckets = _sum_lists([d.get('application_time_buckets') for d in drains])
        queue_buckets = _sum_lists([d.get('queue_time_buckets') for d in drains])
        if not all(p['continuous'] for p in measured):
            missing['request_metrics'] = ('another reader drained request_metrics() in the window '
                                          '(an application reporter?): the time buckets are partial')
    elif measured:
        reason = [d for d in (p['continuous'] for p in measured) if isinstance(d, str)]
        missing['request_metrics'] = reason[0] if reason else 'request_metrics() gave nothing'
    for figure in ('application_time', 'queue_time'):
        if measured and figure not in missing and (app_mean if figure == 'application_time' else queue_mean) is None:
            missing[figure] = missing.get('request_metrics', 'request_metrics() gave no %s' % figure)
    if measured and app_buckets is None and 'request_metrics' in missing:
        missing['p99'] = missing['request_metrics']
    result['service_time'] = {'mean': _round(mean),
                              'p99': _round(percentile(app_buckets)) if app_buckets else None}
    result['application_time'] = _time(app_mean, app_buckets)
    result['queue_time'] = _time(queue_mean, queue_buckets)
    # memory: /proc for every process of the group, process_metrics() for the measured ones
    result['members'] = _members(processes, proc, [p['pid'] for p in processes])
    rss = [m['rss_mb'] for m in result['members'] if m.get('rss_mb') is not None]
    result['rss_mb'] = {'mean': _round(sum(rss) / len(rss), 1), 'max': max(rss)} if rss else None
    if not rss:
        missing['rss_mb'] = 'neither process_metrics() nor /proc gave the processes\' RSS'
    last = reads[-1][1]['metrics']
    result['frontend'] = _frontend(reads)
    if result['frontend'] is None:
        missing['frontend'] = last.get('missing', {}).get('server_metrics', 'server_metrics() gave nothing')
    result['missing'] = missing
    return result


def _sum_lists(lists):
    if not lists or any(not isinstance(values, list) for values in lists):
        return None
    if len(set(len(values) for values in lists)) != 1:
        return None
    return [sum(column) for column in zip(*lists)]


def _members(processes, proc, pids):
    """Every process of the group: the measured figures, and RSS and CPU from ``/proc``."""
    members = dict((p['pid'], dict(p)) for p in processes)
    if proc and proc[0] is not None and proc[1] is not None:
        before, after = proc_table(proc[0]), proc_table(proc[1])
        for pid in group_processes(after, [pid for pid in pids if pid in after]):
            member = members.setdefault(pid, {'pid': pid, 'measured': False, 'why': 'did not answer'})
            info = after[pid]
            if info['rss_kb'] is not None:
                member['rss_mb'] = round(info['rss_kb'] / 1024.0, 1)
            if pid in before and info['cpu'] is not None and before[pid]['cpu'] is not None:
                member['proc_cpu_seconds'] = _round(info['cpu'] - before[pid]['cpu'], 2)
    keep = ('pid', 'measured', 'why', 'seconds', 'requests', 'probe_requests', 'busy_seconds',
            'cpu_seconds', 'proc_cpu_seconds', 'rss_mb', 'max_rss_mb')
    out = []
    for pid in sorted(members):
        member = dict((k, v) for k, v in members[pid].items() if k in keep)
        for key in ('seconds', 'busy_seconds', 'cpu_seconds'):
            if member.get(key) is not None:
                member[key] = _round(member[key], 3)
        if member.get('measured') and member.get('seconds'):
            member['utilization'] = _round(members[pid]['busy_seconds'] /
                                           (members[pid]['seconds'] * members[pid]['threads']))
        out.append(member)
    return out


def _frontend(reads):
    """Apache's front end from the scoreboard summaries: worker slots busy (any state but
    ``_`` waiting and ``.`` free) and open, at the last read, and the requests it served over
    the window (``access_count`` of the live processes: a process that exits takes its count)."""
    first, last = reads[0][1]['metrics'].get('server'), reads[-1][1]['metrics'].get('server')
    if not last:
        return None
    status = last.get('status') or {}
    open_slots = sum(v for k, v in status.items() if k != '.')
    busy = sum(v for k, v in status.items() if k not in ('.', '_'))
    result = {'processes': len(last.get('pids') or []), 'workers': open_slots,
              'busy_workers': busy, 'server_limit': last.get('server_limit'),
              'thread_limit': last.get('thread_limit'), 'requests': None}
    if first and first.get('pids') == last.get('pids') and \
            first.get('running_generation') == last.get('running_generation'):
        result['requests'] = last['access_count'] - first['access_count']
    return result


# --- the module's work ------------------------------------------------------------------------

def _reader(target, secret, timeout):
    url = metrics_url(target['url'])
    where = target['url'] + (' (Host: %s)' % target['host'] if target.get('host') else '')

    def read():
        return read_answer(url, host=target.get('host'), timeout=timeout,
                           validate_certs=target.get('validate_certs', True), secret=secret)
    return read, where


def check_window(window):
    """``window`` as seconds; ValueError naming the option when it is out of bounds."""
    if isinstance(window, bool) or not isinstance(window, (int, float)) or \
            not MIN_WINDOW <= window <= MAX_WINDOW:
        raise ValueError('window: must be a number of seconds from %d to %d, got %r'
                         % (MIN_WINDOW, MAX_WINDOW, window))
    return window


def measure(targets, window, secret, timeout=10, sleep=None, proc_root='/proc', reader=None,
            max_reads=None):
    """Measure every target (``{'url', 'host', 'validate_certs'}``) over one window and
    recommend a size for each group. Returns the module's result (see its RETURN)."""
    check_window(window)
    sleep = sleep or time.sleep
    reader = reader or _reader
    made = [reader(target, secret, timeout) for target in targets]
    session = sample(made, window, sleep, proc=lambda: read_proc(proc_root), max_reads=max_reads)
    cores = cpu_count()
    available = memory_available_mb(_read(os.path.join(proc_root, 'meminfo')))
    groups = []
    for target, reads in zip(targets, session['reads']):
        group = summarize(reads, session['proc'], cores=cores)
        group['url'] = target['url']
        group['host'] = target.get('host')
        held = sum(m.get('rss_mb') or 0 for m in group['members'])
        budget = None if available is None else available + held
        group['recommendation'] = recommend(group, cores=cores, memory_mb=budget)
        groups.append(group)
    return {'groups': groups, 'window': window, 'cores': cores, 'memory_available_mb': available,
            'frontend': frontend([g['recommendation'] for g in groups]) if groups else None}
