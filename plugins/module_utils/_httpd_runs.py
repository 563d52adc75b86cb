# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start the ``httpd``/``apachectl`` runs that the facts read, at once, with a given ``run``.

PRIVATE to the collection: this is not a public API and may change at any time.

:func:`start` locates Apache and starts the runs that the facts read; ``run`` comes from
:func:`_host_access.host_access` on a host, from a replay of captured output in the unit
tests. This module is what the facts modules import before httpd starts, so it holds only
that: AnsiballZ compiles each module_util from source on every
call (twice, as zipimport's ``get_filename`` compiles too: python/cpython#141276), and the parsers
(:mod:`_httpd_output`) are compiled while httpd reads its configuration.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc
import threading

from ansible_collections.modwsgi.apache.plugins.module_utils import _layout


def _start_one(run, argv):
    """Start ``run(argv)`` in a thread of its own; return ``wait``, which joins it and returns
    ``{'result': ...}`` or ``{'error': the exception it raised}``."""
    box = {}

    def one():
        try:
            box['result'] = run(argv)
        except BaseException as exc:  # pylint: disable=broad-except  # re-raised by _waited
            box['error'] = exc

    thread = threading.Thread(target=one)
    thread.start()

    def wait():
        thread.join()
        return box
    return wait


def _waited(waits):
    """Wait for every run of ``waits`` (:func:`_start_one`), then raise the first exception, in
    their order, or return their results in that order."""
    boxes = [wait() for wait in waits]
    for box in boxes:
        if 'error' in box:
            raise box['error']
    return [box['result'] for box in boxes]


def start_all(run, argvs):
    """Start the independent, read-only ``argvs`` at once with ``run``; return ``wait``, which
    returns their ``(rc, stdout, stderr)`` in the same order once every run has ended.

    Each httpd run loads every module and reads the whole configuration, and the runs do not
    depend on each other: at once, they take about the time of the slowest instead of the sum,
    and the caller can do other work until it calls ``wait``. An exception in a run
    (``fail_json`` exits with ``SystemExit``) is raised by ``wait``, in its caller's thread,
    after every run has ended.
    """
    waits = [_start_one(run, argv) for argv in argvs]
    return lambda: _waited(waits)


def run_all(run, argvs):
    """:func:`start_all`, waited for: the ``(rc, stdout, stderr)`` of each of ``argvs``."""
    return start_all(run, argvs)()


def start(run, find_bin, sysroot='/', binary=None):
    """Locate Apache and start the httpd runs that ``_mpm_facts.gather`` reads, without waiting for
    them: ``{'located': ..., 'built': ..., 'wait': ...}`` (all ``None`` without Apache):
    ``built`` is what -v would tell when the binary tells it (``_httpd_output.banner_version``), and
    ``wait`` returns the outputs of ``-v`` or ``-V`` (unless ``built`` says it all), then of
    ``-S -M``.

    A module calls it before it imports the rest of what it needs, so that httpd reads its
    configuration meanwhile (AnsiballZ compiles each module_util from source on every call).
    """
    located = _layout.locate(find_bin, sysroot, binary)
    if located is None:
        return {'located': None, 'built': None, 'wait': None}
    direct = located['binary'] or located['runner']
    # Two httpd runs at once. -S and -M in one (-D DUMP_VHOSTS -D DUMP_RUN_CFG -D DUMP_MODULES):
    # httpd loads its modules and reads the configuration once for both; each parser skips the
    # other's lines. And -v, which prints the version and exits before reading anything.
    # -V would read the configuration and load every module a second time: with a loadable MPM,
    # httpd's server/main.c defers -V until the configuration is read ("deferred due to
    # dynamically loaded MPM"). What else -V tells is known without it: the MPM is in -M, and
    # Debian, RedHat and SUSE fix the configuration's path. Only a source build, whose paths
    # are its own (HTTPD_ROOT, SERVER_CONFIG_FILE), runs -V; its MPM is mostly compiled in,
    # and then -V exits at once.
    #
    # The version that -v prints is read from the binary first (banner_version): one httpd run
    # instead of two, where the binary holds it. -S -M starts before that read: it is the
    # longest run, and nothing it does depends on the version.
    config = _start_one(run, [located['runner'], '-S', '-M'])
    built = {}
    if located['layout'] == 'source':
        version = _start_one(run, [located['runner'], '-V'])
    else:
        # The parsers, compiled while -S -M runs.
        from ansible_collections.modwsgi.apache.plugins.module_utils._httpd_output import banner_version
        built = banner_version(_layout.read_bytes(direct, sysroot))
        version = None if built else _start_one(run, [direct, '-v'])
    # The outputs of -v or -V (when they ran), then of -S -M; an exception is raised once
    # every run has ended.
    waits = [config] if version is None else [version, config]
    return {'located': located, 'built': built, 'wait': lambda: _waited(waits)}


def freeze_gc():
    """Exempt every object alive now from the garbage collector's passes (Python 3.7+).

    A facts module calls it first. What AnsiballZ and ``ansible.module_utils`` loaded lives
    until the process ends, and the collector walks all of it in each full pass, and in the
    passes the interpreter makes while it shuts down: about 10 ms of each call on the bench
    host, more than the rest of a module's own exit. Frozen objects are still freed when
    their last reference goes; only the collector skips them.
    """
    freeze = getattr(gc, 'freeze', None)
    if freeze is not None:
        freeze()
