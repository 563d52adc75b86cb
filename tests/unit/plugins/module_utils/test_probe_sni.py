# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The probe over https: the Host header's name is the TLS server name (SNI).

The server is tests/unit/probe_server.py's replay of the captured Debian 12 answers, behind TLS
with a self-signed certificate that openssl makes for secure.test in a temporary directory.
It records the server name each client sends.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import shutil
import ssl
import subprocess

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _probe
from ansible_collections.modwsgi.apache.tests.unit.probe_server import ReplayServer

pytestmark = pytest.mark.skipif(shutil.which('openssl') is None, reason='openssl makes the certificate')


@pytest.fixture
def tls_server(tmp_path):
    cert, key = str(tmp_path / 'cert.pem'), str(tmp_path / 'key.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
                    '-subj', '/CN=secure.test', '-keyout', key, '-out', cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names = []
    context.set_servername_callback(lambda sock, name, ctx: names.append(name))
    with ReplayServer() as server:
        server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
        server.names = names
        yield server


def https(server, name):
    return server.url('debian12', name).replace('http://', 'https://', 1)


def test_the_host_is_the_server_name(tls_server):
    result = _probe.probe(https(tls_server, 'daemon'), host='secure.test', validate_certs=False)
    assert result['mode'] == 'daemon'
    assert tls_server.names == ['secure.test']
    assert tls_server.requests[-1][1]['Host'] == 'secure.test'


def test_without_a_host_no_name_is_sent_for_an_address(tls_server):
    result = _probe.probe(https(tls_server, 'daemon'), validate_certs=False)
    assert result['mode'] == 'daemon' and tls_server.names == [None]


def test_a_certificate_the_host_does_not_trust_is_a_tls_error(tls_server):
    with pytest.raises(_probe.ProbeError) as info:
        _probe.probe(https(tls_server, 'daemon'), host='secure.test')
    assert info.value.kind == 'tls', str(info.value)
    assert tls_server.names == ['secure.test']
