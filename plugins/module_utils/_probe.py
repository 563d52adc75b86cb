# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ask a running mod_wsgi probe where it really runs.

PRIVATE to the collection: this is not a public API and may change at any time.

The probe is ``roles/daemon_mode/files/probe.wsgi``, mounted local-only at
:data:`PROBE_PATH` inside an application's own process group. :func:`build_request` turns the
module's options into the arguments of ``ansible.module_utils.urls.open_url``,
:func:`fetch` performs the request and turns every way it can fail (timeout, refused
connection, HTTP error, TLS, ...) into a :class:`ProbeError` with its own message and
``kind``, :func:`parse_answer` checks that the body is a probe answer, :func:`interpret` makes
the module's return values of it, and :func:`check_expectations` compares them with
``expect_mode`` / ``expect_group``. :func:`probe` chains the first four.

The probe answers only requests that carry the host's probe secret (:data:`SECRET_FILE`,
root only) in the :data:`SECRET_HEADER` header; it checks it against the secret's SHA-256
digest in :data:`DIGEST_FILE` (:func:`secret_digest`). :func:`read_secret` reads the secret;
``_probe_secret.py`` makes both files.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib
import json
import re
import socket
import ssl
from http.client import HTTPConnection, HTTPSConnection
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import HTTPRedirectHandler, HTTPSHandler, ProxyHandler, Request, build_opener

from ansible.module_utils.urls import ConnectionError as UrlsConnectionError
from ansible.module_utils.urls import open_url

from ansible_collections.modwsgi.apache.plugins.module_utils._constants import PROBE_PATH

MARKER = 'modwsgi.apache'
# The answer format this code understands (the "format" key of the answer).
FORMAT = 1
MODES = ('daemon', 'embedded')
# A probe answer is a few hundred bytes; never read more than this.
MAX_BODY = 65536
USER_AGENT = 'modwsgi.apache-probe'
# The host's probe secret (root only), the digest the probe checks it against (readable by
# the applications' users), and the header that carries it. probe.wsgi has the same values.
SECRET_FILE = '/etc/modwsgi/probe.secret'
DIGEST_FILE = '/etc/modwsgi/probe.digest'
SECRET_HEADER = 'X-Modwsgi-Probe-Secret'
# A secret goes into an HTTP header: printable ASCII without spaces, and long enough.
SECRET_RE = re.compile(r'^[\x21-\x7e]{32,1024}$')

# The values the module returns, in the order they are documented.
RESULT_KEYS = ('mode', 'process_group', 'application_group', 'multithread', 'multiprocess',
               'mpm', 'mod_wsgi_version', 'python_version', 'pid', 'processes', 'threads',
               'server_software')


class ProbeError(Exception):
    """A probe that could not be read. ``kind`` says why, in one word:

    ``invalid_url``, ``timeout``, ``refused``, ``unreachable``, ``tls``, ``redirect``,
    ``http`` (any other HTTP error status; ``status`` holds it), ``not_json``, ``not_probe``,
    ``format``, ``secret`` (the secret file is missing, unreadable or not a secret).
    """

    def __init__(self, kind, msg, status=None):
        super(ProbeError, self).__init__(msg)
        self.kind = kind
        self.status = status


def _where(request):
    host = request['headers'].get('Host')
    return '%s%s' % (request['url'], ' (Host: %s)' % host if host else '')


def secret_digest(secret):
    """The hex SHA-256 digest of ``secret`` (text), as the probe compares it."""
    return hashlib.sha256(secret.encode('ascii')).hexdigest()


def check_secret(text, path):
    """``text`` without surrounding whitespace when it is a valid secret, else ProbeError."""
    secret = text.strip()
    if not SECRET_RE.match(secret):
        raise ProbeError('secret', 'secret_file: %s does not hold a probe secret: it needs 32 to '
                                   '1024 printable ASCII characters without spaces (for example '
                                   'the output of openssl rand -hex 32).' % path)
    return secret


def read_secret(path=SECRET_FILE):
    """The probe secret from ``path`` (see :func:`check_secret`); ProbeError when missing or
    unreadable. It is never put in a message."""
    try:
        with open(path, 'rb') as handle:
            raw = handle.read(4096)
    except (IOError, OSError) as err:
        if err.errno == errno.ENOENT:
            cause = ('does not exist. The role modwsgi.apache.daemon_mode creates it, with the '
                     'digest %s that the probe checks; for a probe mounted by hand, run the '
                     'module modwsgi.apache.probe_secret on the host once' % DIGEST_FILE)
        elif err.errno in (errno.EACCES, errno.EPERM):
            cause = 'cannot be read (permission denied): it is root\'s only; run the module as root (become: true)'
        else:
            cause = 'cannot be read: %s' % (err.strerror or err)
        raise ProbeError('secret', 'secret_file: %s %s.' % (path, cause))
    return check_secret(raw.decode('ascii', 'replace'), path)


def build_request(url, host=None, timeout=10, validate_certs=True, secret=None):
    """The keyword arguments of ``open_url`` for one probe request.

    No proxy (the request goes from the managed host to itself), no redirects (a redirect is
    reported, not followed: the probe must answer where it was asked), no ``.netrc``.
    """
    parts = urlsplit(url or '')
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise ProbeError('invalid_url', 'url: %r is not an http:// or https:// URL with a host' % (url,))
    if host is not None and (not host or re.search(r'[\s\x00-\x1f\x7f]', host)):
        raise ProbeError('invalid_url', 'host: %r is not a valid Host header value' % (host,))
    if timeout is None or timeout <= 0:
        raise ProbeError('invalid_url', 'timeout: must be a positive number of seconds, got %r' % (timeout,))
    headers = {'Accept': 'application/json'}
    if host:
        headers['Host'] = host
    if secret is not None:
        headers[SECRET_HEADER] = secret
    return {
        'url': url,
        'method': 'GET',
        'headers': headers,
        'timeout': timeout,
        'validate_certs': bool(validate_certs),
        'use_proxy': False,
        'follow_redirects': 'none',
        'http_agent': USER_AGENT,
        'use_netrc': False,
    }


def _is_timeout(exc):
    return isinstance(exc, (socket.timeout, TimeoutError)) or 'timed out' in str(exc)


def _is_refused(exc):
    return isinstance(exc, ConnectionRefusedError) or getattr(exc, 'errno', None) == errno.ECONNREFUSED


def _html_title(body):
    match = re.search(r'<title[^>]*>(.*?)</title>', body or '', re.I | re.S)
    return ' '.join(match.group(1).split()) if match else None


def _snippet(body):
    """A short, one-line description of a body, for error messages."""
    title = _html_title(body)
    if title:
        return 'an HTML page titled %r' % title
    text = ' '.join((body or '').split())
    if not text:
        return 'an empty body'
    return 'a body starting with %r' % (text[:80] + ('...' if len(text) > 80 else ''))


def _decode(raw):
    return raw.decode('utf-8', 'replace') if isinstance(raw, bytes) else (raw or '')


def _read(stream):
    raw = stream.read(MAX_BODY + 1) if stream is not None else b''
    return raw or b''


def _http_error(request, err):
    """A ProbeError for an HTTP error status (3xx with follow_redirects=none, 4xx, 5xx)."""
    status = err.code
    reason = getattr(err, 'reason', None) or getattr(err, 'msg', '') or ''
    try:
        body = _decode(_read(err))
    except Exception:  # the body of an error is a bonus; the status is what counts
        body = ''
    where = _where(request)
    head = 'Error while probing %s: HTTP %s %s' % (where, status, reason)
    headers = getattr(err, 'headers', None) or {}
    if 300 <= status < 400:
        location = headers.get('Location') if hasattr(headers, 'get') else None
        return ProbeError('redirect', '%s, a redirect to %s. The probe is not followed through '
                                      'redirects: probe the final URL (for example https://) '
                                      'directly.' % (head, location or 'an unknown location'),
                          status=status)
    if status == 500:
        cause = ('the probe (or the application sharing its process group) failed. Apache\'s '
                 'error log of this virtual host says why (on Debian /var/log/apache2/error.log)')
    elif status in (502, 503, 504):
        cause = ('the mod_wsgi daemon process group did not answer in time or is not running. '
                 'Check Apache\'s error log and the WSGIDaemonProcess of this application')
    elif status == 403:
        cause = ('the probe answers loopback clients only (Require local). Request it from the '
                 'managed host itself, through 127.0.0.1 or ::1')
    elif status == 404:
        cause = ('nothing is mounted at this path for this virtual host, or the probe refused the '
                 'request. Check that the probe is mounted at %s, that the Host header (option '
                 'host) names the application\'s virtual host, and that %s holds the SHA-256 '
                 'digest of the secret in secret_file (the probe answers 404 to a request without '
                 'the right %s header, and logs in Apache\'s error log why when the digest file '
                 'is missing or malformed)' % (PROBE_PATH, DIGEST_FILE, SECRET_HEADER))
    else:
        cause = 'the server refused the request'
    return ProbeError('http', '%s: %s; it answered %s.' % (head, cause, _snippet(body)), status=status)


def fetch(request, opener=open_url):
    """Perform ``request`` (from :func:`build_request`).

    Returns ``(status, content_type, body)`` with ``body`` as text; raises :class:`ProbeError`.
    """
    where = _where(request)
    timeout = request['timeout']
    try:
        response = opener(**request)
        try:
            raw = _read(response)
            status = getattr(response, 'status', None) or response.getcode()
            content_type = response.headers.get('Content-Type', '') if response.headers else ''
        finally:
            close = getattr(response, 'close', None)
            if close:
                close()
    except HTTPError as err:
        raise _http_error(request, err)
    except URLError as err:
        reason = err.reason
        if _is_timeout(reason):
            raise ProbeError('timeout', 'Error while probing %s: timed out after %s seconds '
                                        'without an answer. Apache accepted the connection or the '
                                        'host did not answer, but the probe did not reply: the '
                                        'daemon process group may be busy, hung or not started.'
                             % (where, timeout))
        if _is_refused(reason):
            raise ProbeError('refused', 'Error while probing %s: connection refused. Nothing '
                                        'listens on %s: is Apache running, and listening on this '
                                        'address and port?' % (where, _netloc(request['url'])))
        if isinstance(reason, ssl.SSLError) or isinstance(reason, ssl.CertificateError):
            raise ProbeError('tls', 'Error while probing %s: TLS error: %s. Set validate_certs=false '
                                    'for a self-signed certificate on the host itself.' % (where, reason))
        raise ProbeError('unreachable', 'Error while probing %s: cannot connect: %s' % (where, reason))
    except UrlsConnectionError as err:
        # ansible's own errors (SSLValidationError, unix socket, ...)
        raise ProbeError('tls' if 'SSL' in type(err).__name__ else 'unreachable',
                         'Error while probing %s: %s' % (where, err))
    except (socket.timeout, TimeoutError) as err:
        raise ProbeError('timeout', 'Error while probing %s: timed out after %s seconds while '
                                    'reading the answer (%s): the daemon process group may be '
                                    'busy or hung.' % (where, timeout, err))
    except ConnectionRefusedError:
        raise ProbeError('refused', 'Error while probing %s: connection refused. Nothing listens on '
                                    '%s: is Apache running?' % (where, _netloc(request['url'])))
    except (OSError, ValueError) as err:
        raise ProbeError('unreachable', 'Error while probing %s: %s' % (where, err))
    return status, content_type, _decode(raw)


def _netloc(url):
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == 'https' else 80)
    host = parts.hostname
    return '[%s]:%s' % (host, port) if ':' in host else '%s:%s' % (host, port)


def parse_answer(body, where='the URL', content_type=''):
    """The probe's JSON answer as a dict; :class:`ProbeError` when ``body`` is not one."""
    if len(body) > MAX_BODY:
        raise ProbeError('not_probe', 'Error while probing %s: the answer is larger than %d bytes; '
                                      'this is not the modwsgi.apache probe.' % (where, MAX_BODY))
    try:
        answer = json.loads(body)
    except ValueError:
        raise ProbeError('not_json', 'Error while probing %s: the answer is not JSON (Content-Type '
                                     '%r, %s), so this URL is not the modwsgi.apache probe. Check the '
                                     'path (%s) and the Host header (option host): without it the '
                                     'request may reach the default virtual host.'
                         % (where, content_type or 'none', _snippet(body), PROBE_PATH))
    if not isinstance(answer, dict) or answer.get('probe') != MARKER:
        raise ProbeError('not_probe', 'Error while probing %s: the answer is JSON but not from the '
                                      'modwsgi.apache probe (no "probe": "%s" key); another '
                                      'application answers at this URL.' % (where, MARKER))
    fmt = answer.get('format')
    if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt < 1:
        raise ProbeError('format', 'Error while probing %s: the probe answer has no valid format '
                                   'version (%r).' % (where, fmt))
    if fmt > FORMAT:
        raise ProbeError('format', 'Error while probing %s: the probe answers in format %d, newer '
                                   'than the %d this collection reads; update modwsgi.apache on '
                                   'the controller.' % (where, fmt, FORMAT))
    if not isinstance(answer.get('process_group'), str):
        raise ProbeError('format', 'Error while probing %s: the probe answer does not say its '
                                   'process group (mod_wsgi did not provide it).' % where)
    return answer


def interpret(answer):
    """The module's return values from a probe answer (see :func:`parse_answer`).

    ``mode`` is ``daemon`` when the process group is not empty, else ``embedded``.
    """
    group = answer.get('process_group')
    result = {'mode': 'daemon' if group else 'embedded'}
    for key in RESULT_KEYS[1:]:
        result[key] = answer.get(key)
    return result


def check_expectations(result, expect_mode=None, expect_group=None):
    """A failure message when ``result`` does not meet the expectations, else ``None``."""
    problems = []
    actual = 'runs in %s mode in process group %r (application group %r)' % (
        result.get('mode'), result.get('process_group'), result.get('application_group'))
    if expect_mode is not None and result.get('mode') != expect_mode:
        hint = (' The mount has no WSGIProcessGroup or process-group= that applies, so '
                'mod_wsgi runs it inside Apache\'s children.' if result.get('mode') == 'embedded' else '')
        problems.append('expected mode %r, but it %s.%s' % (expect_mode, actual, hint))
    if expect_group is not None and result.get('process_group') != expect_group:
        problems.append('expected process group %r, but it %s.' % (expect_group, actual))
    if not problems:
        return None
    return 'Probe mismatch: ' + ' Also '.join(problems)


class _NoRedirect(HTTPRedirectHandler):
    """A redirect is answered as an HTTPError (reported, never followed)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _tls_context(validate_certs):
    context = ssl.create_default_context()
    if not validate_certs:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def sni_opener(server_hostname):
    """An ``open_url``-like callable for https URLs whose TLS server name (SNI, and the name
    the certificate is checked against) is ``server_hostname`` rather than the URL's host: the
    probe connects to 127.0.0.1, and a name-based TLS virtual host is chosen by SNI."""
    class SNIConnection(HTTPSConnection):
        def connect(self):
            HTTPConnection.connect(self)  # the TCP connection only; TLS follows here
            self.sock = self._context.wrap_socket(self.sock, server_hostname=server_hostname)

    def open_with_sni(url, method, headers, timeout, validate_certs, http_agent, **_ignored):
        context = _tls_context(validate_certs)

        class SNIHandler(HTTPSHandler):
            def https_open(self, req):
                return self.do_open(SNIConnection, req, context=context)
        opener = build_opener(ProxyHandler({}), _NoRedirect(), SNIHandler())
        request = Request(url, headers=dict(headers, **{'User-Agent': http_agent}), method=method)
        return opener.open(request, timeout=timeout)
    return open_with_sni


def probe(url, host=None, timeout=10, validate_certs=True, opener=open_url, secret=None):
    """Request the probe and return the module's return values (raises :class:`ProbeError`).

    An https ``url`` with a ``host`` is sent with ``host`` as the TLS server name (SNI).
    ``secret`` (from :func:`read_secret`) is sent in the :data:`SECRET_HEADER` header.
    """
    request = build_request(url, host=host, timeout=timeout, validate_certs=validate_certs,
                            secret=secret)
    if opener is open_url and host and urlsplit(url).scheme == 'https':
        opener = sni_opener(host)
    status, content_type, body = fetch(request, opener=opener)
    answer = parse_answer(body, where=_where(request), content_type=content_type)
    return interpret(answer)
