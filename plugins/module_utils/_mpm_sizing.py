# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Size Apache's MPM from the capacity of the mod_wsgi daemons: the ``mpm_sizing`` filter's rule.

PRIVATE to the collection: this is not a public API and may change at any time.

The rule is mod_wsgi-express's (``mod_wsgi-express setup-server``), so that a front end sized
by the role matches what mod_wsgi's own author ships. Provenance: mod_wsgi 6.1.1 from PyPI,
``src/express/server.py`` lines 467-544 (the same block is in ``src/server/__init__.py`` of
the 4.x and 5.x releases, commit c94d7cc of GrahamDumpleton/mod_wsgi). With the default
worker ratios (no ``--max-clients``, ``--initial-workers`` and the spare-worker options):

- ``max_clients = 10 + max(10, int(1.5 * processes * threads))``;
- prefork: ``ServerLimit = MaxRequestWorkers = max_clients``, ``StartServers`` and
  ``MinSpareServers`` ``max(1, int(0.05 * max_clients))``, ``MaxSpareServers``
  ``max(1, int(0.1 * max_clients))``;
- worker and event: ``ThreadsPerChild = ThreadLimit = int(max_clients / (int(max_clients / 20)
  + 1))`` when ``max_clients > 20``, else 10; ``ServerLimit = ceil(max_clients /
  ThreadsPerChild)``; ``MaxRequestWorkers = ServerLimit * ThreadsPerChild``; ``StartServers =
  max(1, int(0.2 * ServerLimit))``; ``MinSpareThreads = max(ThreadsPerChild, int(0.2 *
  ServerLimit) * ThreadsPerChild)``; ``MaxSpareThreads`` the same with 0.6.

mod_wsgi-express serves one process group; the role serves several, so ``processes * threads``
is the sum over the applications (:func:`daemon_capacity`). The unit tests compare
:func:`mpm_sizing` with the ``httpd.conf`` that mod_wsgi-express itself wrote
(``tests/unit/fixtures/mpm_sizing/``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# The Apache 2.4 names of the directives, in the order they are written. mod_wsgi-express
# writes MaxClients, the 2.2 name that 2.4 still accepts for MaxRequestWorkers.
PREFORK_DIRECTIVES = ('ServerLimit', 'StartServers', 'MaxRequestWorkers', 'MinSpareServers',
                      'MaxSpareServers')
THREADED_DIRECTIVES = ('ServerLimit', 'ThreadLimit', 'StartServers', 'MaxRequestWorkers',
                       'MinSpareThreads', 'MaxSpareThreads', 'ThreadsPerChild')

# mod_wsgi-express's default ratios (server.py lines 478-515) and threads per child (519-523).
_PREFORK_INITIAL = 0.05
_PREFORK_MAX_SPARE = 0.1
_WORKER_INITIAL = 0.2
_WORKER_MAX_SPARE = 0.6
_THREADS_STEP = 20
_THREADS_SMALL = 10

# A bound far above any real host, so that a typo cannot ask Apache for millions of workers.
MAX_CAPACITY = 100000


def _count(value, what):
    """``value`` as an int >= 1; booleans, fractions and text that is not digits are refused."""
    if isinstance(value, bool):
        raise ValueError('%s must be a whole number, not %r' % (what, value))
    if isinstance(value, float):
        if value != int(value):
            raise ValueError('%s must be a whole number, not %r' % (what, value))
        value = int(value)
    elif not isinstance(value, int):
        text = str(value).strip()
        if not text.isdigit():
            raise ValueError('%s must be a whole number, not %r' % (what, value))
        value = int(text)
    if value < 1:
        raise ValueError('%s must be at least 1, not %d' % (what, value))
    return value


def daemon_capacity(apps):
    """The sum of ``processes * threads`` over ``apps`` (mappings; ``state: absent`` ones skipped)."""
    if isinstance(apps, (str, bytes)) or not hasattr(apps, '__iter__'):
        raise ValueError('expected a list of applications, not %r' % (apps,))
    total = 0
    for index, app in enumerate(apps):
        if not isinstance(app, dict):
            raise ValueError('application %d is not a mapping: %r' % (index, app))
        if app.get('state', 'present') == 'absent':
            continue
        processes = _count(app.get('processes'), 'application %d: processes' % index)
        threads = _count(app.get('threads'), 'application %d: threads' % index)
        total += processes * threads
    if total > MAX_CAPACITY:
        raise ValueError('the daemon capacity %d is above %d threads' % (total, MAX_CAPACITY))
    return total


def max_clients(capacity):
    """mod_wsgi-express's MaxRequestWorkers for ``capacity`` daemon threads (server.py 467-472)."""
    return 10 + max(10, int(1.5 * capacity))


def prefork_sizing(clients):
    """The prefork MPM's directives for ``clients`` (server.py 493-500)."""
    return {
        'ServerLimit': clients,
        'StartServers': max(1, int(_PREFORK_INITIAL * clients)),
        'MaxRequestWorkers': clients,
        # --minimum-spare-workers defaults to the initial ratio (server.py 483-484).
        'MinSpareServers': max(1, int(_PREFORK_INITIAL * clients)),
        'MaxSpareServers': max(1, int(_PREFORK_MAX_SPARE * clients)),
    }


def threaded_sizing(clients):
    """The worker and event MPMs' directives for ``clients`` (server.py 517-544)."""
    if clients > _THREADS_STEP:
        per_child = int(clients / (int(clients / _THREADS_STEP) + 1))
    else:
        per_child = _THREADS_SMALL
    # ceil(clients / per_child), in integers.
    server_limit = -(-clients // per_child)
    return {
        'ServerLimit': server_limit,
        'ThreadLimit': per_child,
        'StartServers': max(1, int(_WORKER_INITIAL * server_limit)),
        'MaxRequestWorkers': server_limit * per_child,
        'MinSpareThreads': max(per_child, int(_WORKER_INITIAL * server_limit) * per_child),
        'MaxSpareThreads': max(per_child, int(_WORKER_MAX_SPARE * server_limit) * per_child),
        'ThreadsPerChild': per_child,
    }


def mpm_sizing(apps):
    """The MPM directives for the daemon capacity of ``apps``, per MPM.

    Returns ``{'capacity': N, 'max_clients': M, 'prefork': {...}, 'worker': {...},
    'event': {...}}``, each MPM's value a dict of directive name to int. Raises ``ValueError``
    for input that is not a list of applications with whole ``processes`` and ``threads``.
    """
    capacity = daemon_capacity(apps)
    clients = max_clients(capacity)
    threaded = threaded_sizing(clients)
    return {
        'capacity': capacity,
        'max_clients': clients,
        'prefork': prefork_sizing(clients),
        'worker': dict(threaded),
        'event': dict(threaded),
    }
