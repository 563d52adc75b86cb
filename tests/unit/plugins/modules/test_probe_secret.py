"""modwsgi.apache.probe_secret through main(): check, real, check, real."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

from ansible_collections.modwsgi.apache.tests.unit.helpers import run_module
from ansible_collections.modwsgi.apache.plugins.modules import probe_secret
from ansible_collections.modwsgi.apache.plugins.module_utils._probe import read_secret


def test_check_real_check_real(tmp_path, capsys):
    args = dict(secret_file=str(tmp_path / 'modwsgi' / 'probe.secret'),
                digest_file=str(tmp_path / 'modwsgi' / 'probe.digest'))
    runs = [run_module(probe_secret.main, capsys, check_mode=check_mode, diff=True, **dict(args))
            for check_mode in (True, False, True, False)]
    assert [code for code, out in runs] == [0, 0, 0, 0]
    assert [out['changed'] for code, out in runs] == [True, True, False, False]
    assert [out['created'] for code, out in runs] == [True, True, False, False]
    assert [len(out['diff']) for code, out in runs] == [2, 2, 0, 0]
    secret = read_secret(args['secret_file'])
    for code, out in runs:
        assert (out['secret_file'], out['digest_file']) == (args['secret_file'], args['digest_file'])
        assert secret not in str(out)


def test_no_diff_unless_asked(tmp_path, capsys):
    code, out = run_module(probe_secret.main, capsys, secret_file=str(tmp_path / 's'),
                           digest_file=str(tmp_path / 'd'))
    assert code == 0 and out['changed'] and 'diff' not in out


def test_bad_secret_file_fails_and_changes_nothing(tmp_path, capsys):
    secret_file = tmp_path / 'probe.secret'
    secret_file.write_text('secret\n')
    code, out = run_module(probe_secret.main, capsys, secret_file=str(secret_file),
                           digest_file=str(tmp_path / 'probe.digest'))
    assert code == 1 and out['failed'] and out['changed'] is False
    assert out['msg'].startswith('secret_file: %s does not hold a probe secret' % secret_file)
    assert os.listdir(str(tmp_path)) == ['probe.secret']
