"""The runner the facts modules import before httpd starts: what it starts, in which order.

The runs are answered from the Debian captures (fixtures/debian/V/MPM, see helpers.Replay), the
binary from the real bytes around Debian's banner (fixtures/debian/V/apache2-banner.hex).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import gc
import os
import sys
import threading

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _httpd_runs
from ansible_collections.modwsgi.apache.plugins.module_utils import _layout
from ansible_collections.modwsgi.apache.tests.unit.helpers import (
    DEBIAN, Replay, banner_bytes, debian_sysroot)

BINS = {'apache2': '/usr/sbin/apache2', 'apache2ctl': '/usr/sbin/apache2ctl'}


@pytest.mark.parametrize('banner', [True, False])
def test_config_run_starts_before_the_binary_is_read(tmp_path, monkeypatch, banner):
    # -S -M is the long run: it is started before the 700 kB binary is read for the version,
    # and -v only runs when the binary does not tell it.
    root = debian_sysroot(tmp_path, '12', 'event')
    if banner:
        os.makedirs(os.path.join(root, 'usr', 'sbin'))
        with open(os.path.join(root, 'usr', 'sbin', 'apache2'), 'wb') as handle:
            handle.write(banner_bytes('12'))
    replay = Replay(os.path.join(DEBIAN, '12', 'event'))
    started_when_read = []
    read_bytes = _layout.read_bytes

    def reading(path, sysroot='/'):
        started_when_read.append([call[1:] for call in replay.calls])
        return read_bytes(path, sysroot)
    monkeypatch.setattr(_layout, 'read_bytes', reading)
    started = _httpd_runs.start(replay, BINS.get, sysroot=root)
    outputs = started['wait']()
    assert started_when_read == [[['-S', '-M']]]
    if banner:
        assert started['built']['version'] and [call[1:] for call in replay.calls] == [['-S', '-M']]
    else:
        assert started['built'] == {}
        assert sorted(call[1:] for call in replay.calls) == [['-S', '-M'], ['-v']]
    # -v's output first (when it ran), then -S -M's: what _mpm_facts.gather reads.
    assert [out.split('\n', 1)[0] for dummy, out, dummy in outputs] == (
        [] if banner else ['Server version: Apache/2.4.68 (Debian)']) + ['VirtualHost configuration:']


def test_a_failed_run_raises_once_both_ended(tmp_path):
    # fail_json in a run exits with SystemExit: wait() raises it in the caller's thread, after
    # the other run has ended too.
    root = debian_sysroot(tmp_path, '12', 'event')
    ended = []

    def run(argv):
        if argv[1] == '-v':
            raise SystemExit(1)
        ended.append(argv[1:])
        return 0, '', ''
    started = _httpd_runs.start(run, BINS.get, sysroot=root)
    with pytest.raises(SystemExit):
        started['wait']()
    assert ended == [['-S', '-M']]


@pytest.mark.skipif(sys.version_info < (3, 7), reason='gc.freeze is new in Python 3.7')
def test_freeze_gc_moves_the_live_objects_out_of_the_collectors_reach():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        _httpd_runs.freeze_gc()
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_run_all_runs_at_once_and_keeps_the_order():
    # Each run waits until all three have started: run one after another, the first would
    # wait forever (the barrier breaks after 30 s and the test fails).
    barrier = threading.Barrier(3, timeout=30)

    def run(argv):
        barrier.wait()
        return 0, ' '.join(argv), ''
    argvs = [['httpd', '-V'], ['httpd', '-S'], ['httpd', '-M']]
    assert _httpd_runs.run_all(run, argvs) == [(0, 'httpd -V', ''), (0, 'httpd -S', ''), (0, 'httpd -M', '')]


def test_run_all_raises_a_runs_exit_in_the_callers_thread():
    ran = []

    def run(argv):
        ran.append(argv[1])
        if argv[1] == '-S':
            raise SystemExit(1)  # what fail_json does
        return 0, '', ''
    with pytest.raises(SystemExit):
        _httpd_runs.run_all(run, [['httpd', '-V'], ['httpd', '-S'], ['httpd', '-M']])
    assert sorted(ran) == ['-M', '-S', '-V']


def test_start_all_lets_the_caller_work_until_it_waits():
    # The runs go on while the caller works: the first one waits for the caller's signal.
    signal = threading.Event()

    def run(argv):
        if argv[1] == '-S':
            assert signal.wait(30)
        return 0, argv[1], ''
    wait = _httpd_runs.start_all(run, [['httpd', '-S'], ['httpd', '-v']])
    signal.set()
    assert wait() == [(0, '-S', ''), (0, '-v', '')]
