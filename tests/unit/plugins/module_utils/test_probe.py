"""The live probe: _probe.py on answers captured from real Apache + mod_wsgi, and the probe
script itself.

Answers come from tests/unit/fixtures/probe/capture.sh (see the README there); they are
served byte-exact by a local http.server on 127.0.0.1. Timeouts and refused connections use a
socket opened here on 127.0.0.1.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import importlib.machinery
import importlib.util
import io
import json
import os
import re

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _probe, _probe_secret
from ansible_collections.modwsgi.apache.plugins.module_utils._constants import PROBE_PATH
from ansible_collections.modwsgi.apache.tests.unit.probe_server import (
    PROBE, PROBE_VERSIONS, ReplayServer, SilentListener, body, closed_port_url)

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..',
                      'roles', 'daemon_mode', 'files', 'probe.wsgi')
ANSWERS = [(v, m) for v in PROBE_VERSIONS for m in ('daemon', 'embedded')]


def packages(version):
    with open(os.path.join(PROBE, version, 'packages.txt')) as handle:
        return dict(line.split('\t') for line in handle.read().splitlines())


def upstream(version, package):
    """'4.9.4' from '4.9.4-1+b2'."""
    return re.match(r'(?:\d+:)?([0-9.]+)', packages(version)[package]).group(1)


def answer(version, mode):
    return json.loads(body(version, mode).decode('utf-8'))


@pytest.fixture(scope='module')
def server():
    with ReplayServer() as srv:
        yield srv


# --- interpreting real answers ---------------------------------------------------------------

@pytest.mark.parametrize('version,mode', ANSWERS)
def test_interpret_captured(version, mode):
    result = _probe.interpret(_probe.parse_answer(body(version, mode).decode('utf-8')))
    assert set(result) == set(_probe.RESULT_KEYS)
    assert result['mode'] == mode
    assert result['mpm'] == 'event'
    assert result['multithread'] is True
    assert result['multiprocess'] is True
    assert result['mod_wsgi_version'] == upstream(version, 'libapache2-mod-wsgi-py3')
    assert result['python_version'] == upstream(version, 'python3')
    assert result['server_software'] == 'Apache/%s (Debian)' % upstream(version, 'apache2')
    assert isinstance(result['pid'], int) and result['pid'] > 1
    if mode == 'daemon':
        assert result['process_group'] == 'probe'
        assert result['application_group'] == ''          # WSGIApplicationGroup %{GLOBAL}
        assert (result['processes'], result['threads']) == (2, 15)
    else:
        assert result['process_group'] == ''
        assert result['application_group'] == 'embedded.probe.test|/.well-known/modwsgi-probe'
        assert result['threads'] == 25                    # event's ThreadsPerChild


@pytest.mark.parametrize('version,mode', ANSWERS)
def test_values_come_from_mod_wsgi_modules(version, mode):
    sources = answer(version, mode)['sources']
    assert sources['process_group'] == 'mod_wsgi.process_group'
    assert sources['mpm'] == 'apache.mpm_name'
    assert sources['processes'] == 'mod_wsgi.maximum_processes'


# --- end to end over HTTP ----------------------------------------------------------------------

@pytest.mark.parametrize('version,mode', ANSWERS)
def test_probe_over_http(server, version, mode):
    host = '%s.probe.test' % mode
    result = _probe.probe(server.url(version, mode), host=host, timeout=10)
    assert result['mode'] == mode
    assert result['pid'] == answer(version, mode)['pid']
    path, headers = server.requests[-1]
    assert path == '/%s/%s' % (version, mode)
    assert headers['Host'] == host
    assert headers['User-Agent'] == _probe.USER_AGENT


def test_host_header_defaults_to_url(server):
    _probe.probe(server.url('debian12', 'daemon'))
    assert server.requests[-1][1]['Host'].startswith('127.0.0.1:')


@pytest.mark.parametrize('version', PROBE_VERSIONS)
def test_http_500(server, version):
    with pytest.raises(_probe.ProbeError) as info:
        _probe.probe(server.url(version, 'error-500'), host='daemon.probe.test')
    err = info.value
    assert (err.kind, err.status) == ('http', 500)
    assert 'HTTP 500 Internal Server Error' in str(err)
    assert '(Host: daemon.probe.test)' in str(err)
    assert 'error log' in str(err)
    assert "'500 Internal Server Error'" in str(err)   # the title of Apache's page


@pytest.mark.parametrize('version', PROBE_VERSIONS)
def test_default_page_is_not_a_probe(server, version):
    with pytest.raises(_probe.ProbeError) as info:
        _probe.probe(server.url(version, 'default-index'))
    err = info.value
    assert err.kind == 'not_json'
    assert 'not JSON' in str(err)
    assert "'text/html'" in str(err)
    assert 'Apache2 Debian Default Page: It works' in str(err)
    assert 'Host header' in str(err)


@pytest.mark.parametrize('version', PROBE_VERSIONS)
def test_not_found(server, version):
    with pytest.raises(_probe.ProbeError) as info:
        _probe.probe(server.url(version, 'not-found-404'))
    assert (info.value.kind, info.value.status) == ('http', 404)
    assert PROBE_PATH in str(info.value)


@pytest.mark.parametrize('version', PROBE_VERSIONS)
def test_refused_by_require_local(server, version):
    # Apache's `Require local` refused a non-loopback client (the script itself answers 404:
    # test_script_refuses_non_loopback_even_with_the_secret).
    with pytest.raises(_probe.ProbeError) as info:
        _probe.probe(server.url(version, 'forbidden-403'), host='daemon.probe.test')
    assert (info.value.kind, info.value.status) == ('http', 403)
    assert 'loopback clients only' in str(info.value)


def test_timeout():
    with SilentListener() as listener:
        with pytest.raises(_probe.ProbeError) as info:
            _probe.probe(listener.url, timeout=0.3)
    assert info.value.kind == 'timeout'
    assert 'timed out after 0.3 seconds' in str(info.value)


def test_connection_refused():
    url = closed_port_url()
    with pytest.raises(_probe.ProbeError) as info:
        _probe.probe(url, timeout=5)
    assert info.value.kind == 'refused'
    assert 'connection refused' in str(info.value)
    assert 'is Apache running' in str(info.value)


def test_kinds_have_distinct_messages(server):
    """timeout, refused, 500 and a non-probe page never share a message."""
    messages = set()
    with SilentListener() as listener:
        for url, kwargs in ((listener.url, {'timeout': 0.3}), (closed_port_url(), {}),
                            (server.url('debian12', 'error-500'), {}),
                            (server.url('debian12', 'default-index'), {})):
            with pytest.raises(_probe.ProbeError) as info:
                _probe.probe(url, **kwargs)
            messages.add(str(info.value).split(':', 2)[-1])
    assert len(messages) == 4


# --- answers that are JSON but not (this version of) the probe: real answers, altered -------

def test_json_without_marker():
    data = answer('debian12', 'daemon')
    del data['probe']
    with pytest.raises(_probe.ProbeError) as info:
        _probe.parse_answer(json.dumps(data))
    assert info.value.kind == 'not_probe'
    assert 'not from the modwsgi.apache probe' in str(info.value)


def test_json_array_is_not_a_probe():
    with pytest.raises(_probe.ProbeError) as info:
        _probe.parse_answer('[1, 2]')
    assert info.value.kind == 'not_probe'


@pytest.mark.parametrize('fmt,text', [(2, 'newer than the 1'), (None, 'no valid format'),
                                      ('1', 'no valid format'), (True, 'no valid format')])
def test_format_versions(fmt, text):
    data = answer('debian13', 'daemon')
    data['format'] = fmt
    with pytest.raises(_probe.ProbeError) as info:
        _probe.parse_answer(json.dumps(data))
    assert info.value.kind == 'format'
    assert text in str(info.value)


def test_answer_without_process_group():
    data = answer('debian11', 'embedded')
    data['process_group'] = None
    with pytest.raises(_probe.ProbeError) as info:
        _probe.parse_answer(json.dumps(data))
    assert 'process group' in str(info.value)


# --- building the request ----------------------------------------------------------------------

def test_build_request():
    request = _probe.build_request('https://127.0.0.1/.well-known/modwsgi-probe',
                                   host='shop.example.com', timeout=7, validate_certs=False)
    assert request['headers'] == {'Accept': 'application/json', 'Host': 'shop.example.com'}
    assert request['timeout'] == 7
    assert request['validate_certs'] is False
    assert request['use_proxy'] is False
    assert request['follow_redirects'] == 'none'
    assert 'Host' not in _probe.build_request('http://127.0.0.1/')['headers']


@pytest.mark.parametrize('url,host,timeout,text', [
    ('ftp://127.0.0.1/x', None, 10, 'url:'),
    ('127.0.0.1/.well-known/modwsgi-probe', None, 10, 'url:'),
    ('http:///x', None, 10, 'url:'),
    ('http://127.0.0.1/', 'a.example\r\nX-Injected: 1', 10, 'host:'),
    ('http://127.0.0.1/', 'a b', 10, 'host:'),
    ('http://127.0.0.1/', '', 10, 'host:'),
    ('http://127.0.0.1/', None, 0, 'timeout:'),
])
def test_build_request_rejects(url, host, timeout, text):
    with pytest.raises(_probe.ProbeError) as info:
        _probe.build_request(url, host=host, timeout=timeout)
    assert info.value.kind == 'invalid_url'
    assert str(info.value).startswith(text)


# --- expectations ------------------------------------------------------------------------------

def result_of(version, mode):
    return _probe.interpret(_probe.parse_answer(body(version, mode).decode('utf-8')))


@pytest.mark.parametrize('version', PROBE_VERSIONS)
def test_expectations_met(version):
    assert _probe.check_expectations(result_of(version, 'daemon'), 'daemon', 'probe') is None
    assert _probe.check_expectations(result_of(version, 'embedded'), 'embedded', '') is None
    assert _probe.check_expectations(result_of(version, 'daemon')) is None


@pytest.mark.parametrize('version', PROBE_VERSIONS)
def test_expected_daemon_got_embedded(version):
    msg = _probe.check_expectations(result_of(version, 'embedded'), expect_mode='daemon')
    assert msg.startswith("Probe mismatch: expected mode 'daemon', but it runs in embedded mode "
                          "in process group ''")
    assert 'WSGIProcessGroup' in msg


def test_expected_group_mismatch():
    msg = _probe.check_expectations(result_of('debian12', 'daemon'), expect_mode='daemon',
                                    expect_group='shop')
    assert msg == ("Probe mismatch: expected process group 'shop', but it runs in daemon mode in "
                   "process group 'probe' (application group '').")


def test_both_expectations_fail():
    msg = _probe.check_expectations(result_of('debian13', 'embedded'), 'daemon', 'shop')
    assert "expected mode 'daemon'" in msg and "Also expected process group 'shop'" in msg


# --- the probe script itself (outside Apache: no mod_wsgi/apache modules, environ fallbacks) ---

def load_script():
    loader = importlib.machinery.SourceFileLoader('modwsgi_probe_script', SCRIPT)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SECRET = 'c0ffee' * 8


@pytest.fixture
def script(tmp_path):
    """The probe script, reading its digest from a file made by _probe_secret.ensure (the
    module probe_secret) with a known secret."""
    secret_file, digest_file = str(tmp_path / 'probe.secret'), str(tmp_path / 'probe.digest')
    with open(secret_file, 'w') as handle:
        handle.write(SECRET + '\n')
    _probe_secret.ensure(secret_file, digest_file)
    module = load_script()
    module.DIGEST_FILE = digest_file
    return module


def environ_of(remote_addr, headers=None):
    """The WSGI environ mod_wsgi gives the script for a request with ``headers`` (HTTP_*)."""
    environ = {'REMOTE_ADDR': remote_addr, 'REQUEST_METHOD': 'GET', 'wsgi.input': io.BytesIO(),
               'wsgi.errors': io.StringIO(), 'wsgi.multithread': True, 'wsgi.multiprocess': False,
               'mod_wsgi.process_group': 'shop', 'mod_wsgi.application_group': ''}
    for name, value in (headers or {}).items():
        environ['HTTP_' + name.upper().replace('-', '_')] = value
    return environ


def call(app, remote_addr, headers=None, environ=None):
    environ = environ or environ_of(remote_addr, headers)
    seen = {}

    def start_response(status, headers):
        seen['status'], seen['headers'] = status, dict(headers)

    data = b''.join(app.application(environ, start_response))
    assert int(seen['headers']['Content-Length']) == len(data)
    return seen['status'], seen['headers'], data


def the_module_sends(secret):
    """The headers of the module's request (build_request), as the script gets them."""
    headers = _probe.build_request('http://127.0.0.1/', host='shop.example', secret=secret)['headers']
    return {k: v for k, v in headers.items() if k != 'Host'}


def assert_not_found(status, headers, data):
    """A plain 404 that tells nothing about the probe."""
    assert status == '404 Not Found'
    assert data == load_script().NOT_FOUND
    assert b'probe' not in data.lower() and b'wsgi' not in data.lower()
    assert headers['Cache-Control'] == 'no-store'


@pytest.mark.parametrize('addr', ['10.88.0.1', '192.168.1.5', '2001:db8::1', '', 'nonsense'])
def test_script_refuses_non_loopback_even_with_the_secret(script, addr):
    assert_not_found(*call(script, addr, the_module_sends(SECRET)))


@pytest.mark.parametrize('addr', ['127.0.0.1', '127.0.1.1', '::1', '::ffff:127.0.0.1'])
def test_script_answers_the_module_on_loopback(script, addr):
    status, headers, data = call(script, addr, the_module_sends(SECRET))
    assert status == '200 OK'
    assert headers['Content-Type'] == 'application/json'
    got = json.loads(data.decode('utf-8'))
    assert (got['probe'], got['format']) == (_probe.MARKER, _probe.FORMAT)
    # Without the mod_wsgi module, the environ is the fallback.
    assert got['process_group'] == 'shop'
    assert got['sources']['process_group'] == 'environ[mod_wsgi.process_group]'
    assert (got['multithread'], got['multiprocess']) == (True, False)
    assert _probe.interpret(_probe.parse_answer(data.decode('utf-8')))['mode'] == 'daemon'
    assert SECRET.encode('ascii') not in data


@pytest.mark.parametrize('headers', [
    None,                                              # a plain request through a local proxy
    {_probe.SECRET_HEADER: ''},
    {_probe.SECRET_HEADER: SECRET[:-1] + '0'},         # one character off
    {_probe.SECRET_HEADER: SECRET + ' '},
    {_probe.SECRET_HEADER: 'x' * 4096},
    {_probe.SECRET_HEADER: _probe.secret_digest(SECRET)},   # the digest is not the secret
    {'X-Modwsgi-Probe-Digest': _probe.secret_digest(SECRET)},
])
def test_script_answers_404_without_the_secret(script, headers):
    environ = environ_of('127.0.0.1', headers)
    assert_not_found(*call(script, '127.0.0.1', environ=environ))
    assert environ['wsgi.errors'].getvalue() == ''      # a wrong guess is not logged


@pytest.mark.parametrize('content,reason', [
    (None, 'cannot read'),
    ('', 'does not hold a SHA-256 digest'),
    ('not a digest\n', 'does not hold a SHA-256 digest'),
    ('%s\n' % ('0' * 63), 'does not hold a SHA-256 digest'),
])
def test_script_fails_closed_without_a_digest(script, content, reason):
    """No usable digest file: 404 to everyone, even with the secret, and the reason logged."""
    if content is None:
        os.unlink(script.DIGEST_FILE)
    else:
        with open(script.DIGEST_FILE, 'w') as handle:
            handle.write(content)
    environ = environ_of('127.0.0.1', the_module_sends(SECRET))
    assert_not_found(*call(script, '127.0.0.1', environ=environ))
    logged = environ['wsgi.errors'].getvalue()
    assert logged.startswith('modwsgi.apache probe: answering 404 to every request: ')
    assert reason in logged and script.DIGEST_FILE in logged


def test_script_reads_sha256sum_output(script):
    """The digest file may be what ``sha256sum`` prints (digest, two spaces, name), upper case
    or not: the recipe in the script's header."""
    with open(script.DIGEST_FILE, 'w') as handle:
        handle.write('%s  -\n' % _probe.secret_digest(SECRET).upper())
    assert call(script, '::1', the_module_sends(SECRET))[0] == '200 OK'


def test_script_rereads_the_digest(script, tmp_path):
    """A new secret works at once: the digest is read at every request, no reload needed."""
    assert call(script, '127.0.0.1', the_module_sends(SECRET))[0] == '200 OK'
    os.unlink(str(tmp_path / 'probe.secret'))
    _probe_secret.ensure(str(tmp_path / 'probe.secret'), script.DIGEST_FILE)
    assert call(script, '127.0.0.1', the_module_sends(SECRET))[0] == '404 Not Found'
    new = _probe.read_secret(str(tmp_path / 'probe.secret'))
    assert call(script, '127.0.0.1', the_module_sends(new))[0] == '200 OK'


def test_script_and_module_agree():
    """probe.wsgi cannot import the collection: its copies of the names must match."""
    module = load_script()
    assert module.DIGEST_FILE == _probe.DIGEST_FILE
    assert module.SECRET_ENVIRON_KEY == 'HTTP_' + _probe.SECRET_HEADER.upper().replace('-', '_')
    assert module.MARKER == _probe.MARKER and module.FORMAT == _probe.FORMAT


# --- the secret, on the module's side ----------------------------------------------------------

def test_secret_digest_is_sha256():
    # FIPS 180-2, appendix B.1: SHA-256("abc")
    assert _probe.secret_digest('abc') == ('ba7816bf8f01cfea414140de5dae2223'
                                           'b00361a396177a9cb410ff61f20015ad')


def test_read_secret_strips_the_newline(tmp_path):
    path = tmp_path / 'probe.secret'
    path.write_text('  %s\n\n' % SECRET)
    assert _probe.read_secret(str(path)) == SECRET


@pytest.mark.parametrize('content', ['', 'short', 'two words ' * 8, 'x' * 1025, 'caf\u00e9' * 10])
def test_read_secret_refuses_what_is_not_a_secret(tmp_path, content):
    path = tmp_path / 'probe.secret'
    path.write_bytes(content.encode('utf-8'))
    with pytest.raises(_probe.ProbeError) as info:
        _probe.read_secret(str(path))
    assert info.value.kind == 'secret'
    assert str(info.value).startswith('secret_file: %s does not hold a probe secret' % path)
    if content:
        assert content not in str(info.value)


def test_read_secret_missing(tmp_path):
    path = str(tmp_path / 'probe.secret')
    with pytest.raises(_probe.ProbeError) as info:
        _probe.read_secret(path)
    assert info.value.kind == 'secret'
    assert str(info.value).startswith('secret_file: %s does not exist. The role '
                                      'modwsgi.apache.daemon_mode creates it' % path)


def test_read_secret_unreadable(tmp_path):
    with pytest.raises(_probe.ProbeError) as info:
        _probe.read_secret(str(tmp_path))          # a directory
    assert info.value.kind == 'secret'
    assert str(info.value).startswith('secret_file: %s cannot be read: ' % tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason='root reads a file of mode 0000')
def test_read_secret_permission_denied(tmp_path):
    path = tmp_path / 'probe.secret'
    path.write_text(SECRET)
    path.chmod(0)
    with pytest.raises(_probe.ProbeError) as info:
        _probe.read_secret(str(path))
    assert 'permission denied' in str(info.value) and 'become' in str(info.value)


def test_build_request_sends_the_secret():
    request = _probe.build_request('http://127.0.0.1/', secret=SECRET)
    assert request['headers'][_probe.SECRET_HEADER] == SECRET
    assert _probe.SECRET_HEADER not in _probe.build_request('http://127.0.0.1/')['headers']


def test_probe_over_http_sends_the_secret(server):
    _probe.probe(server.url('debian12', 'daemon'), host='daemon.probe.test', secret=SECRET)
    assert server.requests[-1][1][_probe.SECRET_HEADER] == SECRET


def test_not_found_names_the_secret(server):
    """A 404 may be the probe refusing the request: the message says what to check."""
    with pytest.raises(_probe.ProbeError) as info:
        _probe.probe(server.url('debian12', 'not-found-404'), secret=SECRET)
    assert _probe.DIGEST_FILE in str(info.value) and _probe.SECRET_HEADER in str(info.value)
    assert SECRET not in str(info.value)
