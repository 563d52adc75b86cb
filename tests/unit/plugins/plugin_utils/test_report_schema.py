# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/report.schema.json, the JSON Schema of report.json, and how _report checks its input
against it (check_report, check_records, and merge and the renderers through them).

The records are the ones playbooks/audit.yml really produced (fixtures/report/record-*.json,
see its README); a report is what _report.render_json writes from them, read back. Each bad
input is derived from them by changing one value, and says so. The demo's captured
report.json files are checked in tests/unit/demo/test_demo_reports_schema.py (they stay out of the
tarball)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import subprocess
import sys

import jsonschema
import pytest

from ansible_collections.modwsgi.apache.plugins.plugin_utils import _report
from ansible_collections.modwsgi.apache.tests.unit.helpers import REPORT_HOSTS as NAMES, controller_code
from ansible_collections.modwsgi.apache.tests.unit.helpers import report_record as record


def report_json(records, fail_on='none'):
    return json.loads(_report.render_json(records, fail_on=fail_on, generated='2026-12-07T00:00:00Z'))


def schema():
    with open(_report.SCHEMA_PATH) as handle:
        return json.load(handle)


def refused(call, *args, **kwargs):
    with pytest.raises(_report.ReportError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


# -- the schema ------------------------------------------------------------------------------

def test_the_schema_is_in_the_collections_docs():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(_report.__file__))))
    assert _report.SCHEMA_PATH == os.path.join(root, 'docs', 'report.schema.json')
    # make build-install runs this test from the installed tarball too: the file ships.
    assert os.path.isfile(_report.SCHEMA_PATH)


def test_the_schema_is_a_valid_json_schema():
    document = schema()
    jsonschema.validators.validator_for(document).check_schema(document)
    assert document['properties']['format'] == {'description': document['properties']['format']['description'],
                                                'const': _report.REPORT_FORMAT}


def test_the_enums_are_the_codes():
    defs = schema()['$defs']
    assert defs['finding']['properties']['severity']['enum'] == list(_report.SEVERITIES)
    assert defs['summary']['properties']['fail_on']['enum'] == list(_report.FAIL_ON)
    assert set(defs['summary']['required']) == set(_report.summary([]))


# -- what the audit writes validates ---------------------------------------------------------

@pytest.mark.parametrize('name', NAMES)
def test_every_captured_record_validates(name):
    # Captured with an older wsgi_facts: no `vhosts`, no mount `code`. Keys that a version
    # does not write are optional; the records the filters take are the same.
    _report.check_records([record(name)])
    _report.check_report(report_json([record(name)]))


@pytest.mark.parametrize('fail_on', _report.FAIL_ON)
def test_the_report_of_the_captured_fleet_validates(fail_on):
    report = report_json([record(name) for name in NAMES], fail_on)
    _report.check_report(report)
    # And what merging it gives is valid input for the renderers again.
    _report.check_records(_report.merge([], [report]))


def test_an_empty_fleet_validates():
    _report.check_report(report_json([]))


# -- what it refuses, and the path it names --------------------------------------------------

def test_the_issues_example():
    # Derived: the second report's first host with `mounts` made a dict.
    event, prefork, gone = [record(name) for name in NAMES]
    bad = report_json([prefork, gone])
    bad['hosts'][0]['mod_wsgi']['mounts'] = {'url': '/'}
    message = refused(_report.merge, [], [report_json([event]), bad])
    assert message == ('reports[1].hosts[0].mod_wsgi.mounts: expected a list, got a dict '
                       '(host report-capture-prefork)')


def test_the_first_bad_path_in_document_order():
    # Derived: two bad values in the event record; the one earlier in the file is named.
    bad = record('event')
    bad['probes'][1]['pid'] = '2634'
    bad['mod_wsgi']['mounts'][3]['mode'] = 'embeded'
    assert refused(_report.check_records, [record('gone'), bad]) == (
        'records[1].mod_wsgi.mounts[3].mode: expected one of "daemon", "embedded", "unknown", '
        'got "embeded" (host report-capture-event)')
    del bad['mod_wsgi']['mounts'][3]['mode']
    assert refused(_report.check_records, [bad]) == (
        'records[0].mod_wsgi.mounts[3]: missing key "mode" (host report-capture-event)')


@pytest.mark.parametrize('change, message', [
    (lambda r: r['apache'].update(mpm='event'), 'records[0].apache.mpm: expected a dict, got a string'),
    (lambda r: r['apache']['processes'].update(pss_mb='502.1'),
     'records[0].apache.processes.pss_mb: expected a number or null, got a string'),
    (lambda r: r['apache']['processes'].update(rss_mb=True),
     'records[0].apache.processes.rss_mb: expected a number or null, got true or false'),
    (lambda r: r['mod_wsgi'].update(python='3.11'),
     'records[0].mod_wsgi.python: expected a dict or null, got a string'),
    (lambda r: r['mod_wsgi']['daemon_groups'][0]['options'].update({'display-name': 7}),
     'records[0].mod_wsgi.daemon_groups[0].options["display-name"]: expected a string, got an integer'),
    (lambda r: r['mod_wsgi']['findings'].append('mount_embedded'),
     'records[0].mod_wsgi.findings[6]: expected a dict, got a string'),
    (lambda r: r['mod_wsgi']['mounts'][0].update(decided_by=['WSGIProcessGroup']),
     'records[0].mod_wsgi.mounts[0].decided_by: expected a dict or null, got a list'),
    (lambda r: r['probes'][0].update(mode='Daemon'),
     'records[0].probes[0].mode: expected one of "daemon", "embedded", got "Daemon"'),
    (lambda r: r.update(reachable='yes'), 'records[0].reachable: expected true or false, got a string'),
])
def test_a_value_of_the_wrong_type_is_named(change, message):
    # Derived: the captured event record with the one change shown.
    bad = record('event')
    change(bad)
    assert refused(_report.render_markdown, [bad]) == message + ' (host report-capture-event)'


def test_the_summary_of_a_report_is_checked_too():
    # Derived: a report of the captured fleet whose summary lost a count.
    bad = report_json([record('event')])
    bad['summary']['findings'] = {'error': 1, 'warning': 3}
    assert refused(_report.check_report, bad, 'reports[0]') == 'reports[0].summary.findings: missing key "info"'


def test_the_playbooks_records_with_loop_keys_are_valid():
    # A probe as the playbook registers it carries Ansible's loop keys; keys the schema does
    # not name are allowed, and the report drops these (normalize_probe).
    event = record('event')
    event['probes'][0].update(changed=False, ansible_loop_var='item', _ansible_no_log=False,
                              item=event['mod_wsgi']['mounts'][8], invocation={'module_args': {}})
    _report.check_records([event])
    assert 'item' not in _report.normalize_all([event])[0]['probes'][0]


# -- through the filters: an AnsibleFilterError, never a traceback ---------------------------

@pytest.fixture(scope='module')
def filters():
    with controller_code():
        from ansible.errors import AnsibleFilterError
        from ansible_collections.modwsgi.apache.plugins.filter import audit_report
    return audit_report.FilterModule().filters(), AnsibleFilterError


def test_the_filters_name_the_path(filters):
    plugin, error = filters
    bad = report_json([record('event')])
    bad['hosts'][0]['mod_wsgi']['mounts'][2]['line'] = '7'
    with pytest.raises(error, match=r'^audit_merge: reports\[0\]\.hosts\[0\]\.mod_wsgi\.mounts\[2\]\.line: '
                                    r'expected an integer or null, got a string \(host report-capture-event\)$'):
        plugin['audit_merge']([], [bad])
    with pytest.raises(error, match=r'^audit_report: records\[0\]\.mod_wsgi\.mounts\[2\]\.line: '):
        plugin['audit_report'](bad['hosts'], 'html')
    with pytest.raises(error, match=r'^audit_summary: records\[0\]\.mod_wsgi\.mounts\[2\]\.line: '):
        plugin['audit_summary'](bad['hosts'])


def test_without_jsonschema_the_filter_says_what_to_install(filters, monkeypatch):
    plugin, error = filters
    monkeypatch.setattr(_report, 'jsonschema', None)
    monkeypatch.setattr(_report, '_VALIDATORS', {})
    with pytest.raises(error, match=r'^audit_merge: the Python library jsonschema is not installed on the '
                                    r'controller \(.+\): install it with ".+ -m pip install jsonschema"'):
        plugin['audit_merge']([record('gone')], [])


def test_without_jsonschema_importing_still_works():
    # The filters are loaded (ansible-doc, the import sanity test) where jsonschema is missing:
    # only their use says what to install.
    code = ('import sys; sys.modules["jsonschema"] = None\n'
            'from ansible_collections.modwsgi.apache.plugins.plugin_utils import _report\n'
            'try:\n'
            '    _report.summary([])\n'
            'except _report.MissingRequirement as exc:\n'
            '    print(exc)\n')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.check_output([sys.executable, '-c', code], env=env, universal_newlines=True)
    assert 'the Python library jsonschema is not installed on the controller' in out


# -- found by the fuzz test (test_report_fuzz.py) --------------------------------------------

@pytest.mark.parametrize('key', ['rss_mb', 'pss_mb'])
def test_memory_too_big_for_a_float_is_refused(key):
    # Found by the fuzz test: json.loads reads 1e400 written as an integer, the schema took it
    # as a number, and the memory total (float) raised OverflowError. Derived: the captured
    # event record with that value.
    bad = record('event')
    bad['apache']['processes'][key] = 10 ** 400
    message = refused(_report.render_html, [bad])
    assert message.startswith('records[0].apache.processes.%s: expected at most 1000000000000000, got 1000' % key)
    # Infinity (which json.loads reads too) is a float: refused by the same bound.
    bad['apache']['processes'][key] = float('inf')
    assert refused(_report.render_html, [bad]).startswith('records[0].apache.processes.%s: expected at most' % key)
