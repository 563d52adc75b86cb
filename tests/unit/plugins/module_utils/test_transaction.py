# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_transaction.write_state killed part-way (the test-only MODWSGI_TEST_STOP_AFTER hook), in a
real second process: each path is as it was or as it was to be, and the next write of a path
removes the temporary file that a killed run left beside it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import multiprocessing
import os
import signal

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _transaction
from ansible_collections.modwsgi.apache.plugins.module_utils._transaction import ABSENT, write_state

FORK = multiprocessing.get_context('fork')
OLD, NEW = b'old\n', b'new\n'


def _write_all(states, stop_after):
    os.environ[_transaction.STOP_AFTER_ENV] = str(stop_after)
    for real, state in states:
        write_state(real, state)


def killed_after(states, stop_after):
    """Write ``states`` in a child process that the hook kills after step ``stop_after``."""
    child = FORK.Process(target=_write_all, args=(states, stop_after))
    child.start()
    child.join(60)
    return child.exitcode


def listing(directory):
    return sorted(os.listdir(directory))


@pytest.fixture
def tree(tmp_path):
    (tmp_path / 'a.conf').write_bytes(OLD)
    (tmp_path / 'gone.conf').write_bytes(OLD)
    return tmp_path


def states(tree):
    return [(str(tree / 'a.conf'), ('file', NEW)),              # steps 1 (temp), 2 (rename)
            (str(tree / 'b.conf'), ('link', 'a.conf')),          # steps 3 (temp link), 4 (rename)
            (str(tree / 'gone.conf'), ABSENT)]                   # step 5 (removal)


@pytest.mark.parametrize('stop_after, files, a_conf', [
    (1, ['.a.conf.modwsgi-tmp.', 'a.conf', 'gone.conf'], OLD),
    (2, ['a.conf', 'gone.conf'], NEW),
    (3, ['.b.conf.modwsgi-tmp.link', 'a.conf', 'gone.conf'], NEW),
    (4, ['a.conf', 'b.conf', 'gone.conf'], NEW),
    (5, ['a.conf', 'b.conf'], NEW),
])
def test_killed_after_each_step(tree, stop_after, files, a_conf):
    assert killed_after(states(tree), stop_after) == -signal.SIGKILL
    # The temporary file has a random tail: compare its start.
    left = [name[:len('.a.conf.modwsgi-tmp.')] if name.startswith('.a.conf') else name
            for name in listing(str(tree))]
    assert left == files
    assert (tree / 'a.conf').read_bytes() == a_conf
    temps = [name for name in os.listdir(str(tree)) if _transaction.TMP_MARK in name]
    if temps and temps[0].startswith('.a.conf'):
        # Killed before the rename: the temp file is whole (fsynced), and the target is untouched.
        assert (tree / temps[0]).read_bytes() == NEW
    # The next run writes what is missing and removes what the killed run left.
    for real, state in states(tree):
        write_state(real, state)
    assert listing(str(tree)) == ['a.conf', 'b.conf']
    assert (tree / 'a.conf').read_bytes() == NEW and os.readlink(str(tree / 'b.conf')) == 'a.conf'


def test_without_the_hook_every_step_runs(tree, monkeypatch):
    monkeypatch.delenv(_transaction.STOP_AFTER_ENV, raising=False)
    child = FORK.Process(target=lambda: [write_state(r, s) for r, s in states(tree)])
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert listing(str(tree)) == ['a.conf', 'b.conf']


def test_a_temp_file_of_another_path_is_left_alone(tree):
    other = tree / '.other.conf.modwsgi-tmp.x1'
    other.write_bytes(b'someone else\n')
    write_state(str(tree / 'a.conf'), ('file', NEW))
    assert other.read_bytes() == b'someone else\n'
