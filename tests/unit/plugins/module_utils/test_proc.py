"""_proc.measure on the /proc captured from Debian 12 with prefork (fixtures/debian/12/prefork/proc).

Each test copies the captured tree and takes away files, as the kernel does when a process
exits or is not ours to trace; it never writes new content.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import shutil

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _proc
from ansible_collections.modwsgi.apache.tests.unit.helpers import DEBIAN

CAPTURED = os.path.join(DEBIAN, '12', 'prefork', 'proc')
NAMES = ('apache2',)


@pytest.fixture
def proc(tmp_path):
    root = str(tmp_path / 'proc')
    shutil.copytree(CAPTURED, root)
    return root


def pids_of(root):
    return sorted(int(name) for name in os.listdir(root) if name.isdigit())


def pid_file(root):
    return os.path.join(root, 'apache2.pid')


def a_child(root):
    parent = int(open(pid_file(root)).read().strip())
    return max(pid for pid in pids_of(root) if pid != parent)


def test_captured_tree(proc):
    result = _proc.measure(NAMES, pid_file(proc), proc)
    assert result['pids'] == pids_of(proc)
    assert result['count'] == len(pids_of(proc))
    assert result['pss_mb'] is not None and 0 < result['pss_mb'] <= result['rss_mb']


def test_a_child_that_exits_while_measured_is_left_out(proc):
    whole = _proc.measure(NAMES, pid_file(proc), proc)
    child = a_child(proc)
    # The snapshot saw its stat; then it exited: status and smaps_rollup are gone.
    os.remove(os.path.join(proc, str(child), 'status'))
    os.remove(os.path.join(proc, str(child), 'smaps_rollup'))
    result = _proc.measure(NAMES, pid_file(proc), proc)
    assert child not in result['pids']
    assert result['count'] == whole['count'] - 1
    assert result['pss_mb'] is not None and result['pss_mb'] < whole['pss_mb']
    assert result['rss_mb'] < whole['rss_mb']


def test_an_unreadable_pss_makes_the_sum_unknown(proc):
    whole = _proc.measure(NAMES, pid_file(proc), proc)
    child = a_child(proc)
    # Alive (status readable) but not ours to trace: smaps_rollup cannot be read.
    os.remove(os.path.join(proc, str(child), 'smaps_rollup'))
    result = _proc.measure(NAMES, pid_file(proc), proc)
    assert child in result['pids'] and result['count'] == whole['count']
    assert result['pss_mb'] is None
    assert result['rss_mb'] == whole['rss_mb']


def test_a_zombie_holds_no_memory(proc):
    whole = _proc.measure(NAMES, pid_file(proc), proc)
    child = a_child(proc)
    # A zombie's status has no Vm* lines, and its smaps_rollup reads empty.
    status = os.path.join(proc, str(child), 'status')
    with open(status) as handle:
        kept = [line for line in handle if not line.startswith(('Vm', 'Rss'))]
    with open(status, 'w') as handle:
        handle.writelines(kept)
    open(os.path.join(proc, str(child), 'smaps_rollup'), 'w').close()
    result = _proc.measure(NAMES, pid_file(proc), proc)
    assert child in result['pids']
    assert result['pss_mb'] is not None and result['pss_mb'] < whole['pss_mb']
