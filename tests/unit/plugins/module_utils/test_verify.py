# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The verify step (plugins/module_utils/_verify.py): the probe, then the application's own
URLs, against the answers Apache gave in fixtures/probe (captured by capture.sh, replayed by
tests/unit/probe_server.py): Debian 12's daemon-mode probe, a 500, a 403, a 404."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _verify
from ansible_collections.modwsgi.apache.tests.unit.probe_server import ReplayServer, closed_port_url


@pytest.fixture(scope='module')
def server():
    with ReplayServer() as srv:
        yield srv


def no_sleep(_seconds):
    return None


def target(server, checks, **extra):
    # The captured daemon answer runs in the group "probe", 2 processes x 15 threads, on event.
    raw = dict(name='probe', url=server.url('debian12', 'daemon'), server_name='shop.test', validate_certs=True,
               processes=2, threads=15, checks=checks, port=80, url_path='/', wsgi_script='/srv/shop.wsgi')
    raw.update(extra)
    return _verify.normalize(raw)


def test_status_of_gives_the_status_of_each_answer(server):
    assert _verify.status_of(server.url('debian12', 'default-index')) == (200, None)
    assert _verify.status_of(server.url('debian12', 'error-500')) == (500, None)
    assert _verify.status_of(server.url('debian12', 'forbidden-403'), host='shop.test') == (403, None)
    assert server.requests[-1][1]['Host'] == 'shop.test'
    status, error = _verify.status_of(closed_port_url())
    assert status is None and 'connection refused' in error


@pytest.mark.parametrize('check,before,accepted,refused,words', [
    ({'status': []}, None, [200, 302, 404, 499], [500, 503, None], 'any status below 500'),
    ({'status': []}, 302, [301, 302, 308], [200, 404, 500], 'a 3xx status, as before the change (302)'),
    ({'status': [200]}, 302, [200], [302, 201], '200'),
    ({'status': [200, 401]}, None, [200, 401], [403], 'one of 200, 401'),
])
def test_expectation(check, before, accepted, refused, words):
    accepts, said = _verify.expectation(check, before)
    assert said == words
    assert [accepts(code) for code in accepted] == [True] * len(accepted)
    assert [accepts(code) for code in refused] == [False] * len(refused)


def test_a_green_probe_and_answering_urls_pass(server):
    reports, failure = _verify.verify([target(server, [{'url': server.url('debian12', 'default-index')},
                                                       {'url': server.url('debian12', 'not-found-404')}])],
                                      mpm='event', sleep=no_sleep)
    assert failure is None
    assert reports[0]['mode'] == 'daemon' and reports[0]['process_group'] == 'probe'
    assert [check['status'] for check in reports[0]['checks']] == [200, 404]


def test_a_500_next_to_a_green_probe_fails_naming_url_status_and_log_lines(server, tmp_path):
    log = tmp_path / 'error.log'
    # LogWatch reads only what a log gained (not Apache's format): plain marker lines. Molecule
    # in_place checks the real line (ModuleNotFoundError) in Apache's real error log.
    log.write_text('an older line\n')
    url = server.url('debian12', 'error-500')
    calls = []

    def sleep(seconds):
        # A line logged while the verify step waits between its tries.
        calls.append(seconds)
        if len(calls) == 1:
            with log.open('a') as handle:
                handle.write('a line written during the request\n')

    reports, failure = _verify.verify([target(server, [{'url': url}], error_logs=[str(log)])],
                                      mpm='event', sleep=sleep, attempts=3, delay=1)
    assert failure.startswith('probe: GET %s (Host: shop.test) answered 500, expected any status below 500. ' % url)
    assert failure.endswith('%s since that request: a line written during the request' % log)
    assert 'an older line' not in failure
    assert reports[0]['checks'] == [{'url': url, 'status': 500}]
    # Tried three times, then waited once for the log.
    assert calls == [1, 1, _verify.LOG_SETTLE]


def test_the_class_before_the_change_is_required(server):
    url = server.url('debian12', 'forbidden-403')
    before = [{'url': url, 'host': 'shop.test', 'status': 200}]
    failure = _verify.verify([target(server, [{'url': url}])], before=before, sleep=no_sleep, attempts=1)[1]
    assert 'answered 403, expected a 2xx status, as before the change (200)' in failure
    # The same status class passes; another host's answer is not this application's.
    assert _verify.verify([target(server, [{'url': url}])], sleep=no_sleep, attempts=1,
                          before=[dict(before[0], status=404)])[1] is None
    assert _verify.verify([target(server, [{'url': url}])], sleep=no_sleep, attempts=1,
                          before=[dict(before[0], host='other.test')])[1] is None


@pytest.mark.parametrize('changes,problem', [
    ({'name': 'shop'}, "expected process group 'shop'"),
    ({'threads': 5}, 'expected 2 processes x 5 threads, the probe says 2 x 15'),
])
def test_the_probe_must_match(server, changes, problem):
    failure = _verify.verify([target(server, [], **changes)], mpm='event', sleep=no_sleep, attempts=1)[1]
    assert problem in failure


def test_the_probe_must_report_the_mpm(server):
    failure = _verify.verify([target(server, [])], mpm='prefork', sleep=no_sleep, attempts=1)[1]
    assert 'expected the MPM prefork, the probe says event' in failure


def test_a_url_that_does_not_answer(server):
    url = closed_port_url()
    failure = _verify.verify([target(server, [{'url': url}])], sleep=no_sleep, attempts=1)[1]
    assert 'GET %s (Host: shop.test) did not answer (' % url in failure


@pytest.mark.parametrize('raw,error', [
    ({}, 'apps[0].name: is required'),
    ({'name': 'a', 'url': 'http://x/', 'server_name': 'a', 'processes': 'two', 'threads': 1}, 'apps[0].processes'),
    ({'name': 'a', 'url': 'http://x/', 'server_name': 'a', 'processes': 1, 'threads': 1,
      'checks': [{'url': 'ftp://x/'}]}, 'apps[0].checks[0].url'),
    ({'name': 'a', 'url': 'http://x/', 'server_name': 'a', 'processes': 1, 'threads': 1,
      'checks': [{'url': 'http://x/', 'status': ['ok']}]}, 'apps[0].checks[0].status'),
])
def test_normalize_names_the_field(raw, error):
    with pytest.raises(ValueError, match=error.replace('[', r'\[').replace(']', r'\]')):
        _verify.normalize(raw)


def test_recheck_compares_with_the_answers_before(server):
    ok = server.url('debian12', 'default-index')
    broken = server.url('debian12', 'error-500')
    same, differ = _verify.recheck([{'url': ok, 'host': 'shop.test', 'status': 200},
                                    {'url': broken, 'host': 'shop.test', 'status': 200},
                                    {'url': broken, 'host': 'shop.test', 'status': None}],
                                   attempts=2, sleep=no_sleep)
    assert same == ['%s (Host: shop.test) 200' % ok]
    assert differ == ['%s (Host: shop.test) 500, before the run 200' % broken]


def test_one_line_per_application(server):
    url = server.url('debian12', 'default-index')
    reports = _verify.verify([target(server, [{'url': url}])], mpm='event', sleep=no_sleep)[0]
    assert reports[0]['line'] == ('probe (shop.test:80/): daemon mode, group probe, 2 processes x 15 threads, MPM event, '
                                  'mod_wsgi 4.9.4, Python 3.11.2; %s 200' % url)
