# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""modwsgi.apache.config_files through main(): check/real/check/real with diff, on real temp paths.

Apache's config test is the real captured ``apache2ctl -t`` answer of Debian 12 (event).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.modwsgi.apache.plugins.module_utils import _config_files
from ansible_collections.modwsgi.apache.plugins.modules import config_files
from ansible_collections.modwsgi.apache.tests.unit.helpers import CONFIGTEST, Replay, run_module


def run(capsys, check_mode=False, **args):
    return run_module(config_files.main, capsys, check_mode=check_mode, diff=True, **args)


def test_check_real_check_real(monkeypatch, tmp_path, capsys):
    replay = Replay(os.path.join(CONFIGTEST, '12', 'event'))
    monkeypatch.setattr(_config_files, 'runner', lambda find_bin: '/usr/sbin/apache2ctl')
    monkeypatch.setattr(config_files, 'host_access', lambda module: (replay, None, None))
    conf = str(tmp_path / 'conf-available' / 'modwsgi.conf')
    link = str(tmp_path / 'conf-enabled' / 'modwsgi.conf')
    args = dict(files=[{'path': conf, 'content': 'WSGIRestrictEmbedded On\n'}],
                links=[{'path': link, 'src': '../conf-available/modwsgi.conf'}],
                backup_dir=str(tmp_path / 'backups'))
    results = []
    for check_mode in (True, False, True, False):
        code, out = run(capsys, check_mode=check_mode, **args)
        assert code == 0, out
        results.append(out)
        if check_mode and len(results) == 1:
            assert os.listdir(str(tmp_path)) == []
    assert [r['changed'] for r in results] == [True, True, False, False]
    assert results[0]['diff'] == results[1]['diff'] == [
        {'before_header': conf + ' (absent)', 'after_header': conf + ' (file)',
         'before': '', 'after': 'WSGIRestrictEmbedded On\n'},
        {'before_header': link + ' (absent)', 'after_header': link + ' (symlink)',
         'before': '', 'after': 'symlink to ../conf-available/modwsgi.conf\n'}]
    assert results[1]['reload_required'] is True and results[1]['restart_required'] is False
    assert os.readlink(link) == '../conf-available/modwsgi.conf'
    assert replay.calls == [['/usr/sbin/apache2ctl', '-t']]


def test_no_apache_fails_before_changing_anything(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(_config_files, 'runner', lambda find_bin: None)
    code, out = run(capsys, files=[{'path': str(tmp_path / 'a.conf'), 'content': ''}])
    assert code == 1
    assert out['msg'].startswith('config_test: Apache is not installed')
    assert os.listdir(str(tmp_path)) == []
