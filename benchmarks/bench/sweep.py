"""The sizing sweep's rules (benchmarks/sizing_sweep.py): the grid, its best point, and how far a recommendation is from it."""

import math

from . import targets

# The two apps and their profiles (container/app.wsgi reads them from profile.json): about 20 ms
# of CPU per request, and about 200 ms of waiting. Each app is the bench app (about 40 MB at
# import) with that cost added to every request.
PROFILES = (
    ('cpu', 'CPU-bound: 20 ms of CPU per request', {'cpu_ms': 20}),
    ('io', 'I/O-bound: 200 ms of waiting per request', {'sleep_ms': 200}),
)

# The grid: processes x threads, each axis doubling, so one step is a factor of 2 on either axis.
# 1 to 4 processes brackets the 2 cores of the test machine (one process per core is the most
# a CPU-bound Python app can use); 1 to 32 threads reaches mod_wsgi's and the role's range (the
# role's default is 15, the GIL rule's cap is 32) and, with 2 or 4 processes, the 50 clients of
# the fixed load.
GRID_PROCESSES = (1, 2, 4)
GRID_THREADS = (1, 2, 4, 8, 16, 32)
SMOKE_PROCESSES = (1, 2)
SMOKE_THREADS = (2, 8)

# Points whose p99 is within this share of the lowest p99 (or within P99_TIE_MS, the larger) tie
# on latency: one ab run's p99 moves by about that much between two runs of the same point.
P99_TIE_SHARE = 0.10
P99_TIE_MS = 5


def app_name(profile, processes, threads):
    """The role's app (and daemon group) name of one grid point: cpu-2x8."""
    return '%s-%dx%d' % (profile, processes, threads)


def server_name(app):
    return '%s.sizing.test' % app


def grid(processes, threads):
    """Every (processes, threads) of the grid, processes first."""
    return [(p, t) for p in processes for t in threads]


def ties(points, share=P99_TIE_SHARE, floor_ms=P99_TIE_MS):
    """The points whose p99 ties with the lowest (see P99_TIE_SHARE)."""
    served = [point for point in points if point.get('p99_ms') is not None]
    if not served:
        return []
    lowest = min(point['p99_ms'] for point in served)
    limit = lowest + max(lowest * share, floor_ms)
    return [point for point in served if point['p99_ms'] <= limit]


def best(points, share=P99_TIE_SHARE, floor_ms=P99_TIE_MS):
    """The sweep's best point: the lowest p99, ties (ties()) broken by the lower memory (the
    group's peak PSS), then by the smaller capacity (processes x threads). None without points."""
    tied = ties(points, share, floor_ms)
    if not tied:
        return None
    return min(tied, key=lambda point: (point['group_pss_mb'], point['processes'] * point['threads'],
                                        point['processes']))


def position(value, axis):
    """Where `value` falls on a grid axis, in steps from its first value: the index of a grid
    value, or between two indexes on a log scale (the axis doubles), extended past either end by
    the nearest interval."""
    if value <= 0:
        raise ValueError('position: %r is not a positive size' % (value,))
    if len(axis) == 1:
        return 0.0 if value == axis[0] else math.log(float(value) / axis[0], 2)
    for index in range(len(axis) - 1):
        low, high = axis[index], axis[index + 1]
        if value <= high or index == len(axis) - 2:
            if value < low and index > 0:
                continue
            return index + math.log(float(value) / low) / math.log(float(high) / low)
    raise AssertionError('unreachable')


def steps(size, other, processes, threads):
    """Grid steps between two sizes (processes, threads): the larger of the steps on each axis,
    so the eight neighbours of a point are one step from it."""
    return max(abs(position(size[0], processes) - position(other[0], processes)),
               abs(position(size[1], threads) - position(other[1], threads)))


def evaluate(points, recommendation, rows, processes, threads):
    """One app's verdict: the sweep's best point and its ties, the recommendation's distance
    from it in grid steps, and the targets (targets.SIZING_TARGETS) judged.

    points: the sweep's points ({'processes', 'threads', 'p99_ms', 'group_pss_mb', ...});
    recommendation: group_metrics' ({'processes', 'threads', ...}); rows: the medians of the role
    at the recommended size and of the warm trap ({'role': ..., 'trap_warm': ...}).
    """
    top = best(points)
    distance = None
    if top is not None:
        distance = steps((recommendation['processes'], recommendation['threads']),
                         (top['processes'], top['threads']), processes, threads)
    summary = dict(rows, sweep={'steps': distance})
    return {'best': top, 'ties': [[p['processes'], p['threads']] for p in ties(points)],
            'steps': distance, 'targets': targets.evaluate_targets(summary, targets.SIZING_TARGETS)}


def problems(results):
    """What even a smoke run must show, whatever the numbers: every point served requests and
    had its group's memory read, and so had the role at the recommended size; group_metrics measured each app (not a kept size); the role and
    the trap served, and the cold trap loaded the app. -> the list of problems (empty: harness OK)."""
    found = []
    for profile, dummy, dummy2 in PROFILES:
        app = results['apps'].get(profile)
        if app is None:
            found.append('%s: not measured' % profile)
            continue
        for point in app['points']:
            where = '%s %dx%d' % (profile, point['processes'], point['threads'])
            if not point.get('complete'):
                found.append('%s: no request served' % where)
            if not point.get('group_pss_mb'):
                found.append("%s: the group's memory was not read" % where)
        if app['recommendation'].get('basis') != 'measured':
            found.append('%s: group_metrics gave no measured recommendation: %s' % (
                profile, app['recommendation'].get('reason')))
        if not all(run.get('peak_group_pss_mb') for run in app['runs'].get('role', [])):
            found.append("%s: the role's group memory was not read" % profile)
        for key in ('role', 'trap', 'trap_warm'):
            if not app['summary'].get(key, {}).get('rps'):
                found.append('%s: %s served no request' % (profile, key))
        if not app['summary'].get('trap', {}).get('loads'):
            found.append('%s: the cold trap never loaded the app (the harness counts no loads?)' % profile)
    return found
