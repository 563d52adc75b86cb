"""modwsgi.apache.probe through main(), against captured answers served on 127.0.0.1."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

import pytest


from ansible_collections.modwsgi.apache.tests.unit.helpers import patch_module_args
from ansible_collections.modwsgi.apache.plugins.modules import probe
from ansible_collections.modwsgi.apache.plugins.module_utils._probe import SECRET_HEADER
from ansible_collections.modwsgi.apache.tests.unit.probe_server import (
    ReplayServer, closed_port_url)


SECRET = '9f2c' * 16


@pytest.fixture(scope='module')
def server():
    with ReplayServer() as srv:
        yield srv


# Every test runs the module with this secret file (a test may pass its own secret_file).
_SECRET_FILE = {}


@pytest.fixture(scope='module', autouse=True)
def secret_file(tmp_path_factory):
    path = tmp_path_factory.mktemp('secret') / 'probe.secret'
    path.write_text(SECRET + '\n')
    _SECRET_FILE['path'] = str(path)
    return str(path)


def run(capsys, check_mode=False, **args):
    args.setdefault('secret_file', _SECRET_FILE['path'])
    if check_mode:
        args['_ansible_check_mode'] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_info:
            probe.main()
    out = json.loads(capsys.readouterr().out)
    return exit_info.value.code, out


@pytest.mark.parametrize('check_mode', [True, False, True, False])
def test_daemon(server, capsys, check_mode):
    url = server.url('debian12', 'daemon')
    code, out = run(capsys, check_mode=check_mode, url=url, host='daemon.probe.test',
                    expect_mode='daemon', expect_group='probe')
    assert code == 0
    assert out['changed'] is False
    assert 'failed' not in out
    expected = {'url': url, 'host': 'daemon.probe.test', 'mode': 'daemon',
                'process_group': 'probe', 'application_group': '', 'multithread': True,
                'multiprocess': True, 'mpm': 'event', 'mod_wsgi_version': '4.9.4',
                'python_version': '3.11.2', 'processes': 2, 'threads': 15,
                'server_software': 'Apache/2.4.68 (Debian)'}
    assert {k: out[k] for k in expected} == expected
    assert isinstance(out['pid'], int)
    assert server.requests[-1][1]['Host'] == 'daemon.probe.test'
    assert server.requests[-1][1][SECRET_HEADER] == SECRET
    assert SECRET not in json.dumps(out)


def test_embedded(server, capsys):
    code, out = run(capsys, url=server.url('debian13', 'embedded'), expect_mode='embedded')
    assert code == 0
    assert (out['mode'], out['process_group'], out['mod_wsgi_version']) == ('embedded', '', '5.0.2')


def test_expect_group_mismatch(server, capsys):
    code, out = run(capsys, url=server.url('debian11', 'daemon'), host='daemon.probe.test',
                    expect_group='shop')
    assert code == 1
    assert out['failed'] is True
    assert out['changed'] is False
    assert out['msg'] == ("Probe mismatch: expected process group 'shop', but it runs in daemon "
                          "mode in process group 'probe' (application group '').")
    assert out['process_group'] == 'probe'      # what runs is returned with the failure


def test_expect_mode_mismatch(server, capsys):
    code, out = run(capsys, url=server.url('debian12', 'embedded'), expect_mode='daemon')
    assert code == 1
    assert "expected mode 'daemon', but it runs in embedded mode" in out['msg']


def test_http_500(server, capsys):
    code, out = run(capsys, url=server.url('debian13', 'error-500'))
    assert code == 1
    assert (out['error'], out['status']) == ('http', 500)
    assert 'HTTP 500 Internal Server Error' in out['msg']


def test_refused(capsys):
    code, out = run(capsys, check_mode=True, url=closed_port_url(), timeout=5)
    assert code == 1
    assert out['error'] == 'refused'
    assert 'status' not in out


def test_bad_expect_mode(capsys):
    code, out = run(capsys, url='http://127.0.0.1/', expect_mode='sideways')
    assert code == 1
    assert 'expect_mode' in out['msg']


def test_missing_secret_file(server, capsys, tmp_path):
    missing = str(tmp_path / 'none' / 'probe.secret')
    before = len(server.requests)
    code, out = run(capsys, url=server.url('debian12', 'daemon'), secret_file=missing)
    assert code == 1
    assert out['error'] == 'secret'
    assert out['msg'].startswith('secret_file: %s does not exist.' % missing)
    assert 'modwsgi.apache.probe_secret' in out['msg']
    assert len(server.requests) == before      # nothing was requested


def test_secret_file_that_holds_no_secret(server, capsys, tmp_path):
    short = tmp_path / 'probe.secret'
    short.write_text('tooshort\n')
    code, out = run(capsys, url=server.url('debian12', 'daemon'), secret_file=str(short))
    assert code == 1
    assert out['error'] == 'secret'
    assert 'does not hold a probe secret' in out['msg']
    assert 'tooshort' not in out['msg']
