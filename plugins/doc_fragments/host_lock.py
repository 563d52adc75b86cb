# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The host lock of the modules that write Apache's files (module_utils/_host_lock.py)."""

    DOCUMENTATION = r'''
options:
  lock_timeout:
    description:
      - How many seconds to wait for the host lock, C(/run/lock/modwsgi-apache.lock), while
        another run holds it. V(0) tries once.
      - M(modwsgi.apache.config_files), M(modwsgi.apache.mpm) and M(modwsgi.apache.probe_secret)
        hold it from before they read the files until they have written and tested them, so
        two runs on one host (a cron job and an AWX job, two controllers) never interleave
        their writes. The kernel releases it when the holder ends, even when it is killed.
      - When the time is up, the module fails, changes nothing, and names the lock file, the
        pid that holds it and what that process is (C(another run holds the host lock ...)).
      - In check mode the lock is taken shared, and only when the file exists, so check mode
        waits for a run that is writing and creates nothing.
      - A whole number from V(0) to V(3600).
    type: int
    default: 60
notes:
  - The modules fsync each file before they rename it into place, and the directory after. A
    run that was killed part-way leaves every file either as it was or as it was to be, never
    half-written; the next run writes what is still missing and removes the temporary files
    the killed run left.
'''
