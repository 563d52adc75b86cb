# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The writing modules through main() while another process holds the host lock: each fails
with the lock's message and changes nothing; a bad lock_timeout is refused."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _config_files
from ansible_collections.modwsgi.apache.plugins.modules import config_files, mpm, probe_secret
from ansible_collections.modwsgi.apache.tests.unit.helpers import run_module
from ansible_collections.modwsgi.apache.tests.unit.lock_holder import Holder


def cases(tmp_path, monkeypatch):
    monkeypatch.setattr(_config_files, 'runner', lambda find_bin: '/usr/sbin/apache2ctl')
    monkeypatch.setattr(config_files, 'host_access', lambda module: (None, None, None))
    monkeypatch.setattr(mpm, 'host_access', lambda module: (None, None, None))
    return [
        (config_files, 'modwsgi.apache.config_files',
         dict(files=[{'path': str(tmp_path / 'files' / 'a.conf'), 'content': 'x\n'}])),
        (mpm, 'modwsgi.apache.mpm', dict(name='event')),
        (probe_secret, 'modwsgi.apache.probe_secret',
         dict(secret_file=str(tmp_path / 'files' / 's'), digest_file=str(tmp_path / 'files' / 'd'))),
    ]


@pytest.mark.parametrize('index', [0, 1, 2])
@pytest.mark.parametrize('check_mode', [False, True])
def test_each_module_fails_while_another_run_holds_the_lock(
        index, check_mode, tmp_path, monkeypatch, capsys, host_lock_path):
    module, _what, args = cases(tmp_path, monkeypatch)[index]
    holder = Holder(host_lock_path)
    try:
        code, out = run_module(module.main, capsys, check_mode=check_mode, lock_timeout=0, **args)
    finally:
        holder.let_go()
    assert code == 1 and out['changed'] is False
    assert out['msg'].startswith('another run holds the host lock %s: pid %d (modwsgi.apache.config_files '
                                 'since ' % (host_lock_path, holder.pid))
    assert not os.path.exists(str(tmp_path / 'files'))


@pytest.mark.parametrize('index', [0, 1, 2])
def test_bad_lock_timeout_is_refused(index, tmp_path, monkeypatch, capsys, host_lock_path):
    module, _what, args = cases(tmp_path, monkeypatch)[index]
    code, out = run_module(module.main, capsys, lock_timeout=-5, **args)
    assert code == 1 and out['changed'] is False
    assert out['msg'] == ('lock_timeout: must be a whole number of seconds from 0 to 3600, not -5; '
                          'nothing was changed')
    assert not os.path.exists(str(tmp_path / 'files')) and not os.path.exists(host_lock_path)


def test_the_holder_line_names_the_module(tmp_path, monkeypatch, capsys, host_lock_path):
    """probe_secret runs for real while the lock file is watched from inside the transaction."""
    seen = []
    from ansible_collections.modwsgi.apache.plugins.module_utils import _probe_secret
    real_ensure = _probe_secret.ensure

    def ensure(**kwargs):
        with open(host_lock_path) as handle:
            seen.append(handle.read())
        return real_ensure(**kwargs)
    monkeypatch.setattr(probe_secret, 'ensure', ensure)
    args = cases(tmp_path, monkeypatch)[2][2]
    code, out = run_module(probe_secret.main, capsys, **args)
    assert code == 0 and out['changed'], out
    assert '"pid": %d' % os.getpid() in seen[0] and '"what": "modwsgi.apache.probe_secret"' in seen[0]
