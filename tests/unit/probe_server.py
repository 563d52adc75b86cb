"""A tiny HTTP server on 127.0.0.1 that replays the probe answers captured by
fixtures/probe/capture.sh (status, reason, headers and body, byte-exact), for the tests of
plugins/module_utils/_probe.py and plugins/modules/probe.py."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import socket
import threading

from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn

from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES

PROBE = os.path.join(FIXTURES, 'probe')
PROBE_VERSIONS = ('debian11', 'debian12', 'debian13')
# Hop-by-hop or length headers the server writes itself.
_SKIP = {'connection', 'content-length', 'transfer-encoding'}


def responses(version):
    with open(os.path.join(PROBE, version, 'responses.json')) as handle:
        return json.load(handle)


def body(version, name):
    with open(os.path.join(PROBE, version, responses(version)[name]['file']), 'rb') as handle:
        return handle.read()


class ThreadingHTTPServer(ThreadingMixIn, HTTPServer):
    """http.server.ThreadingHTTPServer, which Python 3.6 (the oldest target) lacks."""

    daemon_threads = True


class ReplayServer(object):
    """Serves ``/<version>/<name>`` with the captured answer ``name`` of Debian ``version``
    (``debian12/daemon``, ``debian13/error-500``, ...). ``requests`` records
    ``(path, headers)`` of every request received."""

    def __init__(self):
        self.requests = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def do_GET(self):  # noqa: N802 (http.server's naming)
                owner.requests.append((self.path, dict(self.headers.items())))
                parts = self.path.strip('/').split('/')
                try:
                    version, name = parts
                    meta = responses(version)[name]
                    data = body(version, name)
                except (ValueError, KeyError, OSError):
                    self.send_error(599, 'not a captured answer: %s' % self.path)
                    return
                self.send_response(meta['status'], meta['reason'])
                for key, value in meta['headers'].items():
                    if key.lower() not in _SKIP:
                        self.send_header(key, value)
                self.send_header('Content-Length', str(len(data)))
                self.send_header('Connection', 'close')
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, version, name):
        return 'http://127.0.0.1:%d/%s/%s' % (self.httpd.server_address[1], version, name)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


class SilentListener(object):
    """A socket on 127.0.0.1 that listens (the kernel completes the handshake) but never
    answers: a request to it can only time out."""

    def __enter__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.url = 'http://127.0.0.1:%d/.well-known/modwsgi-probe' % self.sock.getsockname()[1]
        return self

    def __exit__(self, *exc):
        self.sock.close()


def closed_port_url():
    """The URL of a port on 127.0.0.1 that nothing listens on (it was just released)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return 'http://127.0.0.1:%d/.well-known/modwsgi-probe' % port
