# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The order and the message of a rollback (plugins/module_utils/_rollback.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.modwsgi.apache.plugins.module_utils import _rollback

FAILURE = 'Verify each application: shop: GET https://127.0.0.1:443/ (Host: shop.test) answered 500'


class Host(object):
    """Records what the rollback asked, in order."""

    def __init__(self, restored=(), left=(), switched=True, restart_ok=True, differ=()):
        self.calls = []
        self.result = (list(restored), list(left))
        self.switched, self.restart_ok, self.differ = switched, restart_ok, list(differ)

    def restore(self, journal):
        self.calls.append(('restore', journal))
        return self.result

    def switch(self, mpm):
        self.calls.append(('switch', mpm))
        return self.switched

    def restart(self):
        self.calls.append(('restart',))
        return self.restart_ok, 'Job for apache2.service failed'

    def recheck(self):
        self.calls.append(('recheck',))
        return ['https://127.0.0.1:443/ (Host: shop.test) 200'], self.differ

    def run(self, **options):
        return _rollback.rollback(FAILURE, restore=self.restore, switch=self.switch, restart=self.restart,
                                  recheck=self.recheck, **options)


def test_files_then_mpm_then_restart_then_recheck():
    host = Host(restored=['/etc/apache2/sites-available/shop.conf'])
    changed, msg = host.run(journal='/var/backups/modwsgi/last-run', mpm='prefork')
    assert changed
    assert host.calls == [('restore', '/var/backups/modwsgi/last-run'), ('switch', 'prefork'), ('restart',),
                          ('recheck',)]
    assert msg == (FAILURE + '. Rolled back: put back as they were before the run (from '
                   '/var/backups/modwsgi/last-run): /etc/apache2/sites-available/shop.conf; made the MPM prefork '
                   'active again; restarted Apache; the site answers as before the run: https://127.0.0.1:443/ '
                   '(Host: shop.test) 200. (%s.)' % _rollback.KEEP_HINT)


def test_nothing_changed_nothing_restarted():
    host = Host(switched=False)
    changed, msg = host.run(journal=None, mpm=None)
    assert (changed, host.calls) == (False, [])
    assert msg == FAILURE + ('. Nothing this run changed is left in Apache\'s files, so nothing was put back and '
                             'Apache was not restarted.')


def test_keep_changes_nothing():
    host = Host(restored=['/x'])
    changed, msg = host.run(journal='/var/backups/modwsgi/last-run', mpm='prefork', keep=True)
    assert (changed, host.calls) == (False, [])
    assert 'The new configuration was kept (modwsgi_rollback: false)' in msg
    assert 'the state before the run is in /var/backups/modwsgi/last-run' in msg


def test_what_could_not_be_put_back_is_said():
    host = Host(restored=['/a'], left=['/b'], restart_ok=False)
    msg = host.run(journal='/j', mpm=None)[1]
    assert 'could NOT put back /b' in msg and 'Apache did not restart: Job for apache2.service failed' in msg
    assert ('recheck',) not in host.calls
    host = Host(restored=['/a'], differ=['https://127.0.0.1:443/ (Host: shop.test) 500, before the run 200'])
    assert 'the site does NOT answer as before the run' in host.run(journal='/j')[1]


def test_restart_command():
    assert _rollback.restart_command('apache2', '/usr/bin/systemctl', '/usr/sbin/apache2ctl') == [
        '/usr/bin/systemctl', 'restart', 'apache2']
    assert _rollback.restart_command('apache2', None, '/usr/sbin/apache2ctl') == ['/usr/sbin/apache2ctl', '-k', 'restart']
