# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A second process that holds the host lock (module_utils/_host_lock.py), for the lock's tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import multiprocessing
import os
import signal

from ansible_collections.modwsgi.apache.plugins.module_utils._host_lock import acquire

FORK = multiprocessing.get_context('fork')


def _hold(path, shared, ready, done):
    with acquire('modwsgi.apache.config_files', 0, shared=shared, path=path):
        ready.set()
        done.wait(60)


class Holder(object):
    """A second process that holds the lock until ``let_go()`` (or is killed)."""

    def __init__(self, path, shared=False):
        self.ready, self.done = FORK.Event(), FORK.Event()
        self.process = FORK.Process(target=_hold, args=(path, shared, self.ready, self.done))
        self.process.start()
        assert self.ready.wait(60), 'the holder never took the lock'

    @property
    def pid(self):
        return self.process.pid

    def let_go(self):
        self.done.set()
        self.process.join(60)
        assert self.process.exitcode == 0

    def kill(self):
        os.kill(self.pid, signal.SIGKILL)
        self.process.join(60)
        assert self.process.exitcode == -signal.SIGKILL


def own_command():
    """This process's command line as /proc shows it (a forked holder has the same one)."""
    with open('/proc/self/cmdline', 'rb') as handle:
        return handle.read().split(b'\0')[0].decode()
