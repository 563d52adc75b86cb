"""modwsgi.apache.mpm through main(): check/real/check/real, refusals, rollback, diff.

The switch runs on a copy of the real Debian 12 /etc/apache2 tree; every command is answered
by the real capture of the state the tree is in (helpers.DebianHost).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import shutil

from ansible_collections.modwsgi.apache.plugins.module_utils import _mpm_switch
from ansible_collections.modwsgi.apache.plugins.modules import mpm
from ansible_collections.modwsgi.apache.tests.unit.helpers import (
    CONFIGTEST, DebianHost, debian_sysroot, find_debian_bin, run_module, tree_digest)


def host_for(monkeypatch, tmp_path, start, php=False):
    root = debian_sysroot(tmp_path, '12', start)
    host = DebianHost('12', root, php=php)

    def switch(run, find_bin, **kwargs):
        return _mpm_switch.switch(host, find_debian_bin, sysroot=root,
                                  proc_root=os.path.join(root, 'proc'), **kwargs)
    monkeypatch.setattr(mpm, 'switch', switch)
    return root, host


def run(capsys, check_mode=False, diff=False, **args):
    return run_module(mpm.main, capsys, check_mode=check_mode, diff=diff, **args)


def test_event_to_prefork_check_real_check_real(monkeypatch, tmp_path, capsys):
    root, host = host_for(monkeypatch, tmp_path, 'event')
    results = []
    for check_mode in (True, False, True, False):
        code, out = run(capsys, check_mode=check_mode, diff=True, name='prefork')
        assert code == 0, out
        results.append(out)
    assert [r['changed'] for r in results] == [True, True, False, False]
    assert [r['restart_required'] for r in results] == [True, True, False, False]
    assert [r['previous'] for r in results] == ['event', 'event', 'prefork', 'prefork']
    assert all(r['current'] == 'prefork' for r in results)
    assert results[0]['changed_files'] == results[1]['changed_files'] == [
        '/etc/apache2/mods-enabled/mpm_prefork.load', '/etc/apache2/mods-enabled/mpm_prefork.conf',
        '/etc/apache2/mods-enabled/mpm_event.load', '/etc/apache2/mods-enabled/mpm_event.conf']
    assert results[0]['diff'] == results[1]['diff']
    assert results[0]['diff'][0] == {'before_header': 'MPM', 'after_header': 'MPM',
                                     'before': 'event\n', 'after': 'prefork\n'}
    assert len(results[0]['diff']) == 5
    assert results[2]['diff'] == [{'before_header': 'MPM', 'after_header': 'MPM',
                                   'before': 'prefork\n', 'after': 'prefork\n'}]
    assert sorted(n for n in os.listdir(os.path.join(root, 'etc/apache2/mods-enabled'))
                  if n.startswith('mpm_')) == ['mpm_prefork.conf', 'mpm_prefork.load']


def test_threaded_refused_with_mod_php(monkeypatch, tmp_path, capsys):
    root, host = host_for(monkeypatch, tmp_path, 'prefork', php=True)
    before = tree_digest(root)
    code, out = run(capsys, name='event')
    assert code == 1
    assert out['failed'] is True and out['changed'] is False
    assert 'php_module' in out['msg'] and 'daemon mode' in out['msg']
    assert out['previous'] == 'prefork'
    assert tree_digest(root) == before


def test_force_warns(monkeypatch, tmp_path, capsys):
    root, host = host_for(monkeypatch, tmp_path, 'prefork', php=True)
    code, out = run(capsys, check_mode=True, name='worker', force=True)
    assert code == 0 and out['changed'] is True
    warning, = out['warnings']
    assert 'php_module' in json.dumps(warning)


def test_rollback_fails_with_apaches_message(monkeypatch, tmp_path, capsys):
    root, host = host_for(monkeypatch, tmp_path, 'prefork')
    shutil.copy(os.path.join(CONFIGTEST, '12', 'worker-only', 'zz-thirdparty.conf'),
                os.path.join(root, 'etc/apache2/conf-enabled/zz-thirdparty.conf'))
    before = tree_digest(root)
    code, out = run(capsys, name='worker')
    assert code == 1 and out['changed'] is False
    assert 'every file was restored' in out['msg']
    assert "Invalid command 'ThisIsNotADirective'" in out['msg']
    assert tree_digest(root) == before


def test_bad_name(capsys):
    code, out = run(capsys, name='itk')
    assert code == 1
    assert 'name' in out['msg'] and 'itk' in out['msg']
