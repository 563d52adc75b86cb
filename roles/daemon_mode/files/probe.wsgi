# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# modwsgi.apache probe: a WSGI application that says where it really runs.
#
# It answers only the module modwsgi.apache.probe (plugins/module_utils/_probe.py), with one
# JSON object:
#
#   {"probe": "modwsgi.apache", "format": 1,
#    "process_group": "app", "application_group": "", "multithread": true,
#    "multiprocess": true, "mpm": "event", "apache_build_version": "2.4.55",
#    "server_software": "Apache/2.4.62 (Debian)", "mod_wsgi_version": "4.9.4",
#    "python_version": "3.11.2", "pid": 1234,
#    "processes": 2, "threads": 15, "sources": {...}}
#
# With the query string `metrics=1` the answer also holds "metrics": what mod_wsgi's own
# metrics API says about this process and about Apache's scoreboard (see metrics() below). The
# module modwsgi.apache.group_metrics reads it twice over a window and takes the difference.
#
# process_group is "" in embedded mode (the application runs inside Apache's own children).
# Values come from the `mod_wsgi` and `apache` modules that mod_wsgi injects into every
# interpreter (mod_wsgi 4.x to 6.x); the WSGI environ is only a fallback, because mod_wsgi 6
# no longer passes some `mod_wsgi.*` keys in the environ. `sources` says, for each value,
# where it was read from. Python 3 standard library only; no state, no side effect.
#
# Mount it local-only, INSIDE THE APPLICATION'S OWN PROCESS GROUP (and application group),
# next to the application, so that the probe runs exactly where the application runs:
#
#   WSGIScriptAlias /.well-known/modwsgi-probe /usr/local/share/modwsgi-probe/probe.wsgi \
#       process-group=APP_GROUP application-group=%{GLOBAL}
#   <Directory /usr/local/share/modwsgi-probe>
#       <Files probe.wsgi>
#           Require local
#       </Files>
#   </Directory>
#
# (Put the WSGIScriptAlias before the application's own `WSGIScriptAlias /`, and use the
# same process-group= and application-group= as the application.)
#
# Who gets an answer. `Require local` admits every loopback client, and so does a same-host
# reverse proxy (nginx, HAProxy, Varnish) that forwards public traffic to Apache. So the script
# answers only a request that carries the host's probe secret in the X-Modwsgi-Probe-Secret
# header and comes from a loopback address; everyone else gets a plain 404, as if nothing were
# mounted here. The secret itself is in /etc/modwsgi/probe.secret (root only, 0600), which
# the module reads as root. This script runs as the application's user and cannot read it:
# it checks the header against the secret's SHA-256 digest in /etc/modwsgi/probe.digest
# (0644: the digest does not give the secret away), read at every request, compared in
# constant time. No digest file, or an unreadable or malformed one: every request gets 404
# (fail closed) and the reason goes to Apache's error log.
#
# The role modwsgi.apache.daemon_mode makes both files (the module modwsgi.apache.probe_secret).
# For a probe mounted by hand, run that module once on the host, or make them with a shell:
#
#   install -d -m 0755 /etc/modwsgi
#   (umask 077; openssl rand -hex 32 > /etc/modwsgi/probe.secret)
#   tr -d '\n' < /etc/modwsgi/probe.secret | sha256sum | cut -d' ' -f1 > /etc/modwsgi/probe.digest
#   chmod 0644 /etc/modwsgi/probe.digest

import hashlib
import hmac
import ipaddress
import json
import os
import platform
import re

FORMAT = 1
MARKER = 'modwsgi.apache'
# The SHA-256 digest (hex) of the host's probe secret, and the header that carries the secret.
DIGEST_FILE = '/etc/modwsgi/probe.digest'
SECRET_ENVIRON_KEY = 'HTTP_X_MODWSGI_PROBE_SECRET'
NOT_FOUND = (b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
             b'<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n'
             b'<p>The requested URL was not found on this server.</p>\n</body></html>\n')


def _version(value):
    """'4.9.4' from (4, 9, 4); a string is kept as it is."""
    if isinstance(value, (tuple, list)):
        return '.'.join(str(part) for part in value)
    if value is None:
        return None
    return str(value)


def _is_loopback(address):
    try:
        ip = ipaddress.ip_address((address or '').split('%', 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, 'ipv4_mapped', None)
    return bool(ip.is_loopback or (mapped is not None and mapped.is_loopback))


def _bool(value):
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    return str(value).strip().lower() in ('1', 'true', 'yes', 'on')


def facts(environ):
    """What this process is, as a dict (the body of the answer)."""
    sources = {}
    try:
        import mod_wsgi
    except ImportError:
        mod_wsgi = None
    try:
        import apache
    except ImportError:
        apache = None

    def pick(name, module, attr, env_key=None, convert=None):
        value = None
        if module is not None and hasattr(module, attr):
            value = getattr(module, attr)
            sources[name] = '%s.%s' % (module.__name__, attr)
        elif env_key and env_key in environ:
            value = environ[env_key]
            sources[name] = 'environ[%s]' % env_key
        else:
            sources[name] = None
        if convert is not None and value is not None:
            value = convert(value)
        return value

    result = {
        'probe': MARKER,
        'format': FORMAT,
        'process_group': pick('process_group', mod_wsgi, 'process_group',
                              'mod_wsgi.process_group', str),
        'application_group': pick('application_group', mod_wsgi, 'application_group',
                                  'mod_wsgi.application_group', str),
        'mod_wsgi_version': pick('mod_wsgi_version', mod_wsgi, 'version',
                                 'mod_wsgi.version', _version),
        'processes': pick('processes', mod_wsgi, 'maximum_processes', None, int),
        'threads': pick('threads', mod_wsgi, 'threads_per_process', None, int),
        'mpm': pick('mpm', apache, 'mpm_name', None, lambda v: str(v).lower()),
        # apache.version is the Apache version mod_wsgi was COMPILED against (Debian 11 with
        # Apache 2.4.62 says 2.4.54); SERVER_SOFTWARE is what runs, as ServerTokens shows it.
        'apache_build_version': pick('apache_build_version', apache, 'version', None, _version),
        'server_software': environ.get('SERVER_SOFTWARE'),
    }
    # wsgi.multithread / wsgi.multiprocess are required by PEP 3333; mod_wsgi sets them
    # from the daemon's threads/processes (daemon mode) or from the MPM (embedded mode).
    for name in ('multithread', 'multiprocess'):
        key = 'wsgi.' + name
        result[name] = _bool(environ.get(key))
        sources[name] = 'environ[%s]' % key if key in environ else None
    result['python_version'] = platform.python_version()
    result['pid'] = os.getpid()
    result['sources'] = sources
    return result


# The per-request timestamps mod_wsgi puts in the environ (microseconds since the epoch):
# Apache accepted the request, handed it to the daemon's socket, the daemon picked it up.
TIMESTAMP_KEYS = ('mod_wsgi.request_start', 'mod_wsgi.queue_start', 'mod_wsgi.daemon_start')
METRICS_API = ('start_recording_metrics', 'request_metrics', 'process_metrics', 'server_metrics')


def scoreboard(raw):
    """A summary of ``mod_wsgi.server_metrics()`` (Apache's scoreboard: the front end's
    processes and worker slots, not the daemon processes): the live processes, how many worker
    slots are in each state, and the requests they served. ``None`` stays ``None``."""
    if not isinstance(raw, dict):
        return None
    live = [proc for proc in raw.get('processes') or [] if proc.get('pid')]
    status = {}
    access = 0
    for proc in live:
        for worker in proc.get('workers') or []:
            flag = str(worker.get('status'))
            status[flag] = status.get(flag, 0) + 1
            access += int(worker.get('access_count') or 0)
    return {
        'server_limit': raw.get('server_limit'),
        'thread_limit': raw.get('thread_limit'),
        'running_generation': raw.get('running_generation'),
        'current_time': raw.get('current_time'),
        'pids': sorted(proc['pid'] for proc in live),
        'status': status,
        'access_count': access,
    }


def _call(module, name, missing):
    """``module.name()``, or ``None`` with the reason in ``missing[name]``."""
    function = getattr(module, name, None) if module is not None else None
    if function is None:
        missing[name] = 'mod_wsgi %s has no %s()' % (
            _version(getattr(module, 'version', None)) if module is not None else '(not loaded)', name)
        return None
    try:
        value = function()
    except Exception as err:  # a metrics call must never break the probe's answer
        missing[name] = '%s() failed: %s' % (name, err)
        return None
    if value is None:
        missing[name] = '%s() returned None' % name
    return value


def metrics(environ):
    """mod_wsgi's metrics for this process, as JSON-ready data.

    - ``process``: ``process_metrics()`` (cumulative since the process started: requests,
      busy thread-time, CPU, RSS, threads);
    - ``request``: ``request_metrics()``, mod_wsgi 4.8 and later: the requests since the
      previous call IN THIS PROCESS (it drains: time buckets, queue time, application time);
      mod_wsgi 4.9 and 5.0 answer ``{}`` on the first call, which starts the recording;
    - ``server``: a summary of ``server_metrics()`` (:func:`scoreboard`; ``server-metrics=On``
      on the WSGIDaemonProcess, or ``None``);
    - ``environ``: this request's own timestamps (microseconds);
    - ``missing``: for each call that gave nothing, why.

    mod_wsgi 6 answers ``process_metrics()`` and ``request_metrics()`` only once
    ``start_recording_metrics()`` has run in the process: this calls it (it is idempotent, and
    it costs a locked counter update per request from then on, as the first
    ``request_metrics()`` call does on 4.9 and 5.0).
    """
    try:
        import mod_wsgi
    except ImportError:
        mod_wsgi = None
    missing = {}
    api = dict((name, bool(mod_wsgi is not None and hasattr(mod_wsgi, name))) for name in METRICS_API)
    started = False
    if api['start_recording_metrics']:
        try:
            mod_wsgi.start_recording_metrics()
            started = True
        except Exception as err:  # never break the answer; say why instead
            missing['start_recording_metrics'] = 'start_recording_metrics() failed: %s' % err
    timestamps = {}
    for key in TIMESTAMP_KEYS:
        try:
            timestamps[key.split('.', 1)[1]] = int(environ[key])
        except (KeyError, TypeError, ValueError):
            timestamps[key.split('.', 1)[1]] = None
    result = {
        'api': api,
        'recording_started': started,
        'process': _call(mod_wsgi, 'process_metrics', missing),
        'request': _call(mod_wsgi, 'request_metrics', missing),
        'server': scoreboard(_call(mod_wsgi, 'server_metrics', missing)),
        'environ': timestamps,
    }
    if api['server_metrics'] and result['server'] is None and 'server_metrics' in missing:
        missing['server_metrics'] += (' (it answers only with server-metrics=On on the '
                                      'WSGIDaemonProcess, or WSGIServerMetrics On in embedded mode)')
    result['missing'] = missing
    return result


def _wants_metrics(environ):
    return 'metrics=1' in (environ.get('QUERY_STRING') or '').split('&')


def expected_digest():
    """``(digest, None)``: the hex SHA-256 digest of the secret, from DIGEST_FILE (its first
    word, so the output of sha256sum works too); ``(None, reason)`` when there is none."""
    path = DIGEST_FILE
    try:
        with open(path, 'rb') as handle:
            words = handle.read(4096).split()
    except (IOError, OSError) as err:
        return None, 'cannot read %s (%s)' % (path, err.strerror or err)
    digest = words[0].decode('ascii', 'replace').lower() if words else ''
    if not re.match(r'^[0-9a-f]{64}$', digest):
        return None, '%s does not hold a SHA-256 digest (64 hexadecimal digits)' % path
    return digest, None


def authorized(environ):
    """Whether the request proves it comes from the probe module: a loopback client that sends
    the secret whose digest is in the digest file. Fails closed."""
    if not _is_loopback(environ.get('REMOTE_ADDR')):
        return False
    digest, reason = expected_digest()
    if digest is None:
        errors = environ.get('wsgi.errors')
        if errors is not None:
            errors.write('modwsgi.apache probe: answering 404 to every request: %s. '
                         'See the header of this script.\n' % reason)
        return False
    secret = environ.get(SECRET_ENVIRON_KEY) or ''
    sent = hashlib.sha256(secret.encode('latin-1', 'replace')).hexdigest()
    return hmac.compare_digest(sent, digest)


def application(environ, start_response):
    if not authorized(environ):
        start_response('404 Not Found', [('Content-Type', 'text/html; charset=iso-8859-1'),
                                         ('Content-Length', str(len(NOT_FOUND))),
                                         ('Cache-Control', 'no-store')])
        return [NOT_FOUND]
    answer = facts(environ)
    if _wants_metrics(environ):
        answer['metrics'] = metrics(environ)
    body = (json.dumps(answer, sort_keys=True, indent=2) + '\n').encode('utf-8')
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(body))),
                              ('Cache-Control', 'no-store'),
                              ('X-Content-Type-Options', 'nosniff')])
    return [body]
