# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Put back what a failed run of the role changed: what the ``rollback`` module does.

PRIVATE to the collection: this is not a public API and may change at any time.

:func:`rollback` restores the journal ``config_files`` left (every file, link and removal of the
run's transaction, byte for byte, mode and owner included: :func:`_transaction.restore_journal`),
switches the MPM back, restarts Apache when it put anything back, and checks that each URL
recorded before the run answers as it did then (:func:`_verify.recheck`). It returns the message
the run then fails with: why the run failed, then what was put back.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

KEEP_HINT = 'modwsgi_rollback: false keeps the new configuration for debugging'


def restart_command(service, systemctl, runner):
    """How Apache is restarted: ``systemctl restart SERVICE`` under systemd, else Apache's
    control script (``apachectl -k restart``)."""
    if systemctl and service:
        return [systemctl, 'restart', service]
    return [runner, '-k', 'restart']


def rollback(failure, journal=None, mpm=None, keep=False, restore=None, switch=None, restart=None,
             recheck=None):
    """``(changed, message)``.

    :param failure: why the run failed (the failed step and its message).
    :param journal: the directory of the run's journal, or ``None`` (the run's transaction did
        not commit: nothing of it to put back).
    :param mpm: the MPM to make active again, or ``None`` (the run did not switch it).
    :param keep: put nothing back (``modwsgi_rollback: false``), only say so.
    :param restore: ``restore(journal) -> (restored, left)`` (:func:`_transaction.restore_journal`).
    :param switch: ``switch(mpm) -> bool`` (whether files changed).
    :param restart: ``restart() -> (ok, message)``.
    :param recheck: ``recheck() -> (same, differ)`` (:func:`_verify.recheck` with the answers
        recorded before the run).
    """
    if keep:
        return False, '%s. The new configuration was kept (modwsgi_rollback: false)%s.' % (
            failure, '; the state before the run is in %s' % journal if journal else '')
    done = []
    problems = []
    restored, left = restore(journal) if journal else ([], [])
    if restored:
        done.append('put back as they were before the run (from %s): %s' % (journal, ', '.join(restored)))
    if left:
        problems.append('could NOT put back %s' % ', '.join(left))
    switched = bool(mpm) and switch(mpm)
    if switched:
        done.append('made the MPM %s active again' % mpm)
    if not done:
        return False, ('%s. Nothing this run changed is left in Apache\'s files, so nothing was put back and '
                       'Apache was not restarted.' % failure)
    ok, message = restart()
    if not ok:
        problems.append('Apache did not restart: %s' % message)
    else:
        done.append('restarted Apache')
        same, differ = recheck()
        if same:
            done.append('the site answers as before the run: %s' % ', '.join(same))
        if differ:
            problems.append('the site does NOT answer as before the run: %s' % ', '.join(differ))
    return True, '%s. Rolled back: %s%s. (%s.)' % (
        failure, '; '.join(done), ''.join('; ' + problem for problem in problems), KEEP_HINT)
