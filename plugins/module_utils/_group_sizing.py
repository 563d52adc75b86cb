# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Recommend a daemon group's size (processes x threads) from its measured load.

PRIVATE to the collection: this is not a public API and may change at any time.

:func:`recommend` takes the figures of ``_group_metrics.summarize`` and applies, in order:

1. **Little's law.** Busy threads = arrival rate x mean service time (busy thread-time per
   request). The group needs that many threads at :data:`TARGET_UTILIZATION`, so that a burst
   finds a free thread instead of the queue.
2. **The GIL.** Only one thread of a process runs Python at a time. A request that spends a
   share ``f`` of its service time on the CPU lets one process keep about ``1 / f`` threads
   busy (at most :data:`MAX_THREADS`); more threads in that process only wait for the GIL.
3. **CPU.** Each process runs Python on at most one core, so the group needs at least
   ``rate x CPU per request`` processes; when that demand is near the host's cores
   (:data:`CPU_SATURATED`), more processes than cores only add memory, and the group is capped
   at one per core: the host, not the group, is then the limit (this cap comes after step 4).
4. **Restarts.** At least :data:`MIN_PROCESSES` processes, so that a process that restarts
   (``maximum-requests``, a crash, a code reload) does not stop the application.
5. **Memory.** Processes x RSS stays within the memory budget given (the host's available
   memory plus what the group holds now), when one is given: it may go below step 4.

The front end is sized for the result with the MPM rule the role uses (``_mpm_sizing.mpm_sizing``,
mod_wsgi-express's). Too few requests in the window (:data:`MIN_REQUESTS`) give no basis: the
current size is kept, and the reason says so.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.modwsgi.apache.plugins.module_utils._mpm_sizing import mpm_sizing

TARGET_UTILIZATION = 0.5
MAX_THREADS = 32
MIN_PROCESSES = 2
MIN_REQUESTS = 50
CPU_SATURATED = 0.8
MEMORY_SHARE = 0.8


def _ceil(value):
    """The smallest whole number >= ``value`` (math.ceil, without importing math: this module
    stays pure for the controller's import boundary)."""
    return int(-(-value // 1))


def _ms(seconds):
    return '%.1f ms' % (seconds * 1000.0)


def keep(current, reason):
    processes, threads = current
    return {'processes': processes, 'threads': threads, 'basis': 'kept', 'change': 'keep',
            'reason': reason, 'mpm': mpm_sizing([{'processes': processes, 'threads': threads}])}


def recommend(measured, cores=None, memory_mb=None):
    """``{'processes', 'threads', 'basis', 'change', 'reason', 'mpm', ...}`` for one group.

    ``measured`` is ``_group_metrics.summarize``'s result; ``cores`` the host's CPUs;
    ``memory_mb`` the memory the group may use (``None``: no memory cap).
    """
    current = (measured.get('processes') or 1, measured.get('threads') or 1)
    requests = measured.get('requests')
    mean = (measured.get('service_time') or {}).get('mean')
    rate = measured.get('requests_per_second')
    if requests is None or rate is None or mean is None:
        return keep(current, 'no measurement (%s): kept %d x %d' % (
            '; '.join(sorted(measured.get('missing', {}).values())) or 'nothing answered', current[0], current[1]))
    if requests < MIN_REQUESTS:
        return keep(current, 'only %d requests in the window (at least %d are needed to size from): kept %d x %d'
                    % (requests, MIN_REQUESTS, current[0], current[1]))
    notes = []
    if measured.get('processes_measured', current[0]) < current[0]:
        # The processes that did not answer are assumed as busy as those that did.
        rate = rate * current[0] / measured['processes_measured']
        notes.append('rate scaled from %d of %d processes' % (measured['processes_measured'], current[0]))
    busy = rate * mean
    need = max(1, _ceil(busy / TARGET_UTILIZATION))
    text = ['%.1f req/s x %s = %.1f busy threads (Little\'s law), so %d threads for %d%% utilisation'
            % (rate, _ms(mean), busy, need, int(TARGET_UTILIZATION * 100))]
    cpu = measured.get('cpu_per_request')
    if cpu is None:
        gil = MAX_THREADS
        demand = None
        notes.append('CPU per request unknown: the GIL limit is not applied')
    else:
        share = min(1.0, cpu / mean) if mean > 0 else 1.0
        gil = MAX_THREADS if share <= 0 else max(1, min(MAX_THREADS, int(1.0 / share)))
        demand = rate * cpu
        text.append('%d%% of a request is CPU, so the GIL lets a process keep %d threads busy'
                    % (int(round(share * 100)), gil))
    processes = max(1, _ceil(need / float(gil)))
    if demand is not None:
        processes = max(processes, _ceil(demand))
    if processes < MIN_PROCESSES:
        processes = MIN_PROCESSES
        notes.append('at least %d processes, so that one restarting does not stop the application' % MIN_PROCESSES)
    if demand is not None:
        text.append('CPU demand %.2f cores%s' % (demand, ' of %d' % cores if cores else ''))
        if cores and demand >= CPU_SATURATED * cores and processes > cores:
            processes = cores
            notes.append('CPU-bound: the %d cores are the limit, more processes would only queue' % cores)
    rss = (measured.get('rss_mb') or {}).get('max')
    if memory_mb and rss:
        fit = max(1, int(memory_mb * MEMORY_SHARE // rss))
        if processes > fit:
            processes = fit
            notes.append('memory caps it at %d processes of %.0f MB' % (fit, rss))
    threads = max(1, min(gil, _ceil(need / float(processes))))
    text.append('%d x %d' % (processes, threads) + (' (%.0f MB each)' % rss if rss else ''))
    if notes:
        text.append('; '.join(notes))
    capacity, before = processes * threads, current[0] * current[1]
    return {
        'processes': processes, 'threads': threads, 'basis': 'measured',
        'change': 'grow' if capacity > before else 'shrink' if capacity < before else 'keep',
        'busy_threads': round(busy, 2), 'cpu_cores': None if demand is None else round(demand, 2),
        'reason': '; '.join(text),
        'mpm': mpm_sizing([{'processes': processes, 'threads': threads}]),
    }


def frontend(recommendations):
    """The MPM sizing for every group of a host together (the front end serves them all)."""
    return mpm_sizing([{'processes': r['processes'], 'threads': r['threads']} for r in recommendations])
