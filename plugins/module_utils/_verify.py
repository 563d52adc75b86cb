# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Prove the application, not only the probe: what the ``verify`` and ``rollback`` modules do.

PRIVATE to the collection: this is not a public API and may change at any time.

:func:`verify` asks, for each application, the probe mounted in its process group (daemon mode,
its own group, its processes and threads, the MPM), then requests the application's own URLs
through Apache as a client reaches them: the scheme and port of its site, its ``server_name``
as the Host header and the TLS server name (SNI), redirects not followed. Each URL must answer
the status its check expects: one of a given list; else the same class (2xx, 3xx, ...) as it
answered before the change (:func:`answers`, recorded by ``config_files`` before it writes);
else any status below 500. Right after a reload the daemon processes may still be starting, so
each check is tried again a few times. A failure names the application, the URL, its status and
what Apache's error logs gained while it was requested (:class:`LogWatch`).

:func:`rollback` puts back what a run changed (the journal of ``config_files``, the MPM),
restarts Apache, and checks that each recorded URL answers as it did before the run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

from ansible.module_utils.six.moves.urllib.parse import urlsplit
from ansible.module_utils.urls import open_url

from ansible_collections.modwsgi.apache.plugins.module_utils import _probe

# At most this many lines of an error log are quoted in a failure.
LOG_LINES = 20
# How long a failure waits for Apache to write the request's log lines before reading them.
LOG_SETTLE = 0.5


def status_of(url, host=None, validate_certs=False, timeout=10, opener=open_url):
    """``(status, error)`` of one GET of ``url``: the HTTP status (a redirect is not followed),
    or ``None`` and why there was no HTTP answer (refused, timeout, TLS)."""
    request = _probe.build_request(url, host=host, timeout=timeout, validate_certs=validate_certs)
    request['headers']['Accept'] = '*/*'
    if opener is open_url and host and urlsplit(url).scheme == 'https':
        opener = _probe.sni_opener(host)
    try:
        return _probe.fetch(request, opener=opener)[0], None
    except _probe.ProbeError as exc:
        if exc.status is not None:
            return exc.status, None
        return None, str(exc)


def answers(requests, timeout=10, opener=open_url):
    """What each of ``requests`` (``{url, host, validate_certs}``) answers now:
    ``[{url, host, status}]``, ``status`` ``None`` when there was no HTTP answer."""
    result = []
    for request in requests:
        status = status_of(request['url'], request.get('host'), request.get('validate_certs', False),
                           timeout, opener)[0]
        result.append({'url': request['url'], 'host': request.get('host'), 'status': status})
    return result


def expectation(check, before):
    """``(accepts, words)`` for one check: ``accepts(status)`` and what it expects, in words.

    ``check['status']``: the statuses it accepts, or ``None``; ``before``: what the URL answered
    before the change (``None`` when unknown or when it did not answer)."""
    wanted = check.get('status')
    if wanted:
        return (lambda status: status in wanted,
                'one of %s' % ', '.join('%d' % code for code in wanted) if len(wanted) > 1
                else '%d' % wanted[0])
    if before is not None:
        return (lambda status: status is not None and status // 100 == before // 100,
                'a %dxx status, as before the change (%d)' % (before // 100, before))
    return lambda status: status is not None and status < 500, 'any status below 500'


class LogWatch(object):
    """Where each of Apache's error logs ends now; :meth:`since` reads what was added since."""

    def __init__(self, paths):
        self.paths = [path for path in paths if path]
        self.marks = dict((path, _size(path)) for path in self.paths)

    def since(self, limit=LOG_LINES):
        """``[{path, lines}]``: for each log that grew, its last ``limit`` new lines."""
        found = []
        for path in self.paths:
            mark = self.marks[path]
            size = _size(path)
            if size is None or size == mark:
                continue
            start = mark if mark is not None and mark < size else 0
            try:
                with open(path, 'rb') as handle:
                    handle.seek(start)
                    text = handle.read().decode('utf-8', 'replace')
            except (IOError, OSError):
                continue
            lines = [line for line in text.splitlines() if line.strip()]
            if lines:
                found.append({'path': path, 'lines': lines[-limit:]})
        return found


def _size(path):
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def log_text(found):
    """The lines of :meth:`LogWatch.since` as a failure quotes them."""
    if not found:
        return 'Apache\'s error log has no line for it'
    return '; '.join('%s since that request: %s' % (entry['path'], ' | '.join(entry['lines']))
                     for entry in found)


def _probe_problem(target, result, mpm):
    problem = _probe.check_expectations(result, expect_mode='daemon', expect_group=target['name'])
    if problem:
        return problem
    if (result.get('processes'), result.get('threads')) != (target['processes'], target['threads']):
        return 'expected %d processes x %d threads, the probe says %s x %s' % (
            target['processes'], target['threads'], result.get('processes'), result.get('threads'))
    if mpm and result.get('mpm') != mpm:
        return 'expected the MPM %s, the probe says %s' % (mpm, result.get('mpm'))
    return None


def _tries(attempts, delay, sleep, attempt):
    """Call ``attempt()`` (returning ``(done, value)``) up to ``attempts`` times; its last value."""
    value = None
    for number in range(attempts):
        if number:
            sleep(delay)
        done, value = attempt()
        if done:
            break
    return value


def normalize(raw, index=0):
    """One entry of the module's ``apps``, checked and normalized, or ``ValueError`` naming the
    field: the keys :func:`check_app` reads (the plan's ``verify`` entries carry more)."""
    field = 'apps[%d]' % index
    if not isinstance(raw, dict):
        raise ValueError('%s: must be a dict' % field)
    result = {}
    for key in ('name', 'url', 'server_name'):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise ValueError('%s.%s: is required (a string)' % (field, key))
        result[key] = raw[key]
    for key in ('processes', 'threads'):
        try:
            result[key] = int(raw.get(key))
        except (TypeError, ValueError):
            raise ValueError('%s.%s: must be a number, not %r' % (field, key, raw.get(key)))
    result['where'] = '%s:%s%s' % (raw['server_name'], raw.get('port', ''), raw.get('url_path', '/'))
    result['validate_certs'] = raw.get('validate_certs', True) not in (False, 'false', 'False', 'no')
    result['error_logs'] = [str(log) for log in raw.get('error_logs') or []]
    result['checks'] = []
    for number, check in enumerate(raw.get('checks') or []):
        where = '%s.checks[%d]' % (field, number)
        if not isinstance(check, dict) or not isinstance(check.get('url'), str) \
                or urlsplit(check['url']).scheme not in ('http', 'https'):
            raise ValueError('%s.url: must be an http:// or https:// URL' % where)
        try:
            status = [int(code) for code in check.get('status') or []]
        except (TypeError, ValueError):
            raise ValueError('%s.status: must be a list of HTTP statuses, not %r' % (where, check.get('status')))
        result['checks'].append({'url': check['url'], 'status': status})
    return result


def check_app(target, mpm=None, before=(), secret=None, logs=(), attempts=5, delay=2,
              sleep=time.sleep, opener=open_url):
    """Verify one application (``target``: the plan's ``verify`` entry).

    :returns: ``(report, failure)``: what the probe and each check found, and ``None``, or the
        failure's message (the application, the URL, its status, the error log's lines).
    """
    name = target['name']
    where = '%s (Host: %s)' % (target['url'], target['server_name'])

    def ask_probe():
        try:
            result = _probe.probe(target['url'], host=target['server_name'], opener=opener,
                                  validate_certs=target['validate_certs'], secret=secret)
        except _probe.ProbeError as exc:
            return False, (None, str(exc))
        problem = _probe_problem(target, result, mpm)
        return problem is None, (result, problem)

    own = list(target.get('error_logs') or [])
    logs = own + [log for log in logs if log not in own]
    watch = LogWatch(logs)
    result, problem = _tries(attempts, delay, sleep, ask_probe)
    if problem:
        return None, '%s: the probe %s: %s. %s' % (name, where, problem, log_text(_settled(watch, sleep)))
    keys = ('mode', 'process_group', 'processes', 'threads', 'mpm', 'mod_wsgi_version', 'python_version')
    report = dict((key, result.get(key)) for key in keys)
    line = '%s (%s): %%s mode, group %%s, %%s processes x %%s threads, MPM %%s, mod_wsgi %%s, Python %%s' % (
        name, target.get('where', target['server_name']))
    report.update(name=name, checks=[], line=line % tuple(report[key] for key in keys))
    earlier = dict((answer['url'], answer['status']) for answer in before
                   if answer.get('host') == target['server_name'])
    for check in target.get('checks', []):
        accepts, words = expectation(check, earlier.get(check['url']))

        def ask_app(check=check, accepts=accepts):
            status, error = status_of(check['url'], target['server_name'], False, opener=opener)
            return status is not None and accepts(status), (status, error)

        watch = LogWatch(logs)
        status, error = _tries(attempts, delay, sleep, ask_app)
        report['checks'].append({'url': check['url'], 'status': status})
        if status is None or not accepts(status):
            answered = 'answered %d' % status if status is not None else 'did not answer (%s)' % error
            return report, '%s: GET %s (Host: %s) %s, expected %s. %s' % (
                name, check['url'], target['server_name'], answered, words, log_text(_settled(watch, sleep)))
    report['line'] += ''.join('; %s %s' % (check['url'], check['status']) for check in report['checks'])
    return report, None


def _settled(watch, sleep):
    sleep(LOG_SETTLE)
    return watch.since()


def verify(targets, **options):
    """:func:`check_app` for each target, in order: ``(reports, failure)``, stopping at the first
    failure."""
    reports = []
    for target in targets:
        report, failure = check_app(target, **options)
        if report is not None:
            reports.append(report)
        if failure:
            return reports, failure
    return reports, None


def recheck(before, attempts=5, delay=2, sleep=time.sleep, opener=open_url):
    """After a rollback: each recorded URL answers as it did before the run (the same status).
    Returns ``(same, differ)``: lines for the URLs that answer as before, and for those that
    do not."""
    same, differ = [], []
    for answer in before:
        if answer.get('status') is None:
            continue

        def ask(answer=answer):
            status = status_of(answer['url'], answer.get('host'), False, opener=opener)[0]
            return status == answer['status'], status

        status = _tries(attempts, delay, sleep, ask)
        line = '%s (Host: %s) %s' % (answer['url'], answer.get('host'), status)
        if status == answer['status']:
            same.append(line)
        else:
            differ.append('%s, before the run %d' % (line, answer['status']))
    return same, differ
