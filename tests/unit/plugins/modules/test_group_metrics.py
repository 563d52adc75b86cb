"""modwsgi.apache.group_metrics through main(): the captured probe answers of
tests/unit/fixtures/group_metrics/ are served in order on 127.0.0.1, as the group gave them."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import threading
from http.server import BaseHTTPRequestHandler

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _group_metrics
from ansible_collections.modwsgi.apache.plugins.module_utils._probe import SECRET_HEADER
from ansible_collections.modwsgi.apache.plugins.modules import group_metrics
from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES, patch_module_args
from ansible_collections.modwsgi.apache.tests.unit.probe_server import ThreadingHTTPServer

SECRET = '7e1a' * 16


def session(version):
    with open(os.path.join(FIXTURES, 'group_metrics', version, 'session.json')) as handle:
        return json.load(handle)


class SequenceServer(object):
    """Answers each GET with the next captured body; records (path, headers)."""

    def __init__(self, bodies):
        self.bodies = list(bodies)
        self.requests = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                owner.requests.append((self.path, dict(self.headers.items())))
                data = owner.bodies.pop(0).encode('utf-8')
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever)
        self.thread.daemon = True
        self.thread.start()
        self.url = 'http://127.0.0.1:%d/.well-known/modwsgi-probe/app' % self.httpd.server_address[1]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / 'probe.secret'
    path.write_text(SECRET + '\n')
    return str(path)


@pytest.fixture
def host_of(monkeypatch):
    """The module on the captured host: its /proc texts (before, after), no real sleep."""
    def setup(version):
        data = session(version)['proc']
        snapshots = iter([data['before'], data['after']])
        monkeypatch.setattr(_group_metrics, 'read_proc', lambda proc_root='/proc': next(snapshots))
        slept = []
        monkeypatch.setattr(_group_metrics.time, 'sleep', slept.append)
        return slept
    return setup


def run(capsys, args, check_mode=False):
    if check_mode:
        args = dict(args, _ansible_check_mode=True)
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_info:
            group_metrics.main()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize('check_mode', [True, False, True, False])
def test_measures_the_captured_group(capsys, secret_file, host_of, check_mode):
    slept = host_of('debian12')
    captured = session('debian12')
    server = SequenceServer(read['body'] for read in captured['reads'])
    try:
        code, out = run(capsys, {'url': server.url, 'host': 'localhost', 'window': 5,
                                 'secret_file': secret_file}, check_mode=check_mode)
    finally:
        server.close()
    assert code == 0 and out['changed'] is False and slept == [5]
    # every captured answer was asked for, with ?metrics=1, the Host and the secret
    assert server.bodies == [] and len(server.requests) == len(captured['reads'])
    assert all(path.endswith('/app?metrics=1') and headers['Host'] == 'localhost' and headers[SECRET_HEADER] == SECRET
               for path, headers in server.requests)
    group = out['groups'][0]
    assert (group['url'], group['host'], group['process_group']) == (server.url, 'localhost', 'app')
    assert group['requests'] == captured['load']['requests']
    assert 0 < group['utilization'] <= 1
    assert group['recommendation']['basis'] == 'measured'
    assert out['frontend'] == group['recommendation']['mpm']


def test_bad_window_is_refused_before_any_request(capsys, secret_file, host_of):
    host_of('debian12')
    server = SequenceServer([])
    try:
        code, out = run(capsys, {'url': server.url, 'window': 0, 'secret_file': secret_file})
    finally:
        server.close()
    assert code == 1 and out['failed'] and out['msg'].startswith('window: must be a number of seconds')
    assert server.requests == []


def test_an_old_probe_fails_naming_the_fix(capsys, secret_file, host_of):
    host_of('debian12')
    with open(os.path.join(FIXTURES, 'probe', 'debian12', 'daemon.json')) as handle:
        old = handle.read()
    server = SequenceServer([old])
    try:
        code, out = run(capsys, {'url': server.url, 'secret_file': secret_file})
    finally:
        server.close()
    assert code == 1 and out['error'] == 'format'
    assert 'Run the role modwsgi.apache.daemon_mode again' in out['msg']


def test_url_or_targets(capsys, secret_file):
    code, out = run(capsys, {'secret_file': secret_file})
    assert code == 1 and 'one of the following is required: url, targets' in out['msg']
