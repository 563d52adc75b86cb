"""The fleet audit report (plugins/plugin_utils/_report.py), on records that
playbooks/audit.yml really produced: fixtures/report/record-*.json were captured by
fixtures/report/capture.sh from two Debian 12 containers (event, and prefork with
WSGIRestrictEmbedded On) and one host that does not exist. Only the HTML-escaping inputs are
derived from a captured record (a server name replaced), and say so.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy
import json
import os
from html.parser import HTMLParser

import pytest

from ansible_collections.modwsgi.apache.plugins.plugin_utils import _report
from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES

REPORT = os.path.join(FIXTURES, 'report')
HOSTILE = '<script>&"x\''


def record(name):
    with open(os.path.join(REPORT, 'record-%s.json' % name)) as handle:
        return json.load(handle)


@pytest.fixture
def fleet():
    return [record('event'), record('prefork'), record('gone')]


def hostile_record():
    """DERIVED, not captured: the captured event record with the server name of the probed
    vhost replaced by ``<script>&"x'`` everywhere it appears (mounts, findings, probes), and
    the host name too."""
    text = json.dumps(record('event')).replace('probed.test', HOSTILE.replace('"', '\\"'))
    derived = json.loads(text)
    derived['host'] = 'web-%s' % HOSTILE
    return derived


class Tags(HTMLParser):
    """Every start tag of a document, and whether the end tags balance."""

    def __init__(self):
        HTMLParser.__init__(self)
        self.tags, self.stack, self.errors, self.text = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag != 'meta':
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.errors.append((tag, self.getpos()))

    def handle_data(self, data):
        self.text.append(data)


def parse(document):
    parser = Tags()
    parser.feed(document)
    parser.close()
    return parser


# -- grouping --------------------------------------------------------------------------------

@pytest.mark.parametrize('name, expected', [
    ('event', {'error': ['group_not_visible'],
               'warning': ['mount_embedded', 'mount_embedded', 'mount_embedded', 'group_unused'],
               'info': ['restrict_embedded_off']}),
    ('prefork', {'error': ['embedded_restricted', 'embedded_restricted', 'group_not_visible',
                           'embedded_restricted'],
                 'warning': ['group_unused', 'prefork_with_daemon'],
                 'info': []}),
    ('gone', {'error': [], 'warning': [], 'info': []}),
])
def test_findings_grouped_by_severity(name, expected):
    raw = record(name)
    grouped = _report.findings_by_severity(_report.normalize(raw))
    assert list(grouped) == ['error', 'warning', 'info']
    assert dict((sev, [f['code'] for f in found]) for sev, found in grouped.items()) == expected
    # Nothing is lost or duplicated, and the module's order is kept within a severity.
    findings = raw['mod_wsgi'].get('findings', [])
    assert sum(len(found) for found in grouped.values()) == len(findings)
    for severity, found in grouped.items():
        assert found == [f for f in findings if f['severity'] == severity]


def test_unknown_severity_is_refused_by_its_path():
    # Derived from the captured event record: one finding's severity set to an unknown value.
    # The schema lists the severities the module reports: a report with another one is from
    # no version of this collection, and which section it belongs in cannot be guessed.
    derived = record('event')
    derived['mod_wsgi']['findings'][0]['severity'] = 'critical'
    with pytest.raises(_report.ReportError) as caught:
        _report.render_markdown([derived])
    assert str(caught.value) == ('records[0].mod_wsgi.findings[0].severity: expected one of '
                                 '"error", "warning", "info", got "critical" (host report-capture-event)')


# -- fleet summary ---------------------------------------------------------------------------

def test_summary_counts(fleet):
    summary = _report.summary(fleet)
    assert summary['hosts'] == 3
    assert (summary['ok'], summary['unreachable'], summary['failed'], summary['no_apache']) == (2, 1, 0, 0)
    assert summary['unreachable_hosts'] == ['report-capture-gone']
    assert summary['mpm'] == {'prefork': 1, 'worker': 0, 'event': 1}
    assert summary['prefork'] == 1
    assert summary['hosts_with_embedded'] == 2
    assert (summary['mounts'], summary['embedded_mounts']) == (24, 6)
    assert summary['findings'] == {'error': 5, 'warning': 6, 'info': 1}
    assert (summary['probes'], summary['probes_failed']) == (4, 1)
    # The containers could not read smaps_rollup: PSS is null, so RSS is summed.
    rss = sum(record(name)['apache']['processes']['rss_mb'] for name in ('event', 'prefork'))
    assert summary['memory_mb'] == round(rss, 1)
    assert (summary['memory_hosts'], summary['memory_kinds']) == (2, ['RSS'])
    assert (summary['fail_on'], summary['failing']) == ('none', 0)


def test_memory_prefers_pss():
    # Derived from the captured event record: a PSS value set, as on a host with CAP_SYS_PTRACE.
    derived = record('event')
    derived['apache']['processes']['pss_mb'] = 42.5
    assert _report.memory(_report.normalize(derived)) == (42.5, 'PSS')
    assert _report.memory(_report.normalize(record('gone'))) == (None, None)


# -- fail_on ---------------------------------------------------------------------------------

@pytest.mark.parametrize('fail_on, expected', [
    ('none', 0), (None, 0), ('info', 12), ('warning', 11), ('error', 5), ('ERROR', 5),
])
def test_fail_on_threshold(fleet, fail_on, expected):
    assert _report.failing(fleet, fail_on) == expected
    assert _report.summary(fleet, fail_on)['failing'] == expected


def test_fail_on_per_host():
    assert _report.failing([record('event')], 'error') == 1
    assert _report.failing([record('prefork')], 'warning') == 6
    assert _report.failing([record('prefork')], 'info') == 6
    assert _report.failing([record('gone')], 'info') == 0


@pytest.mark.parametrize('bad', ['critical', 'warn', ''])
def test_fail_on_rejects_unknown(fleet, bad):
    with pytest.raises(ValueError, match='fail_on must be one of none, info, warning, error'):
        _report.failing(fleet, bad)


# -- unreachable hosts -----------------------------------------------------------------------

def test_unreachable_host_listed_everywhere(fleet):
    gone = record('gone')
    assert gone['reachable'] is False and gone['error']
    markdown = _report.render_markdown(fleet)
    assert '| report-capture-gone | unreachable |' in markdown
    assert '## report-capture-gone\n\n**unreachable**: Task failed: Failed to create temporary directory' in markdown
    assert '| unreachable | 1: report-capture-gone |' in markdown
    page = _report.render_html(fleet)
    assert '<h2>report-capture-gone</h2>' in page
    assert '<span class="unreachable">unreachable</span>' in page
    data = json.loads(_report.render_json(fleet))
    assert [h['host'] for h in data['hosts']] == ['report-capture-event', 'report-capture-prefork',
                                                  'report-capture-gone']
    assert data['hosts'][2]['reachable'] is False


# -- HTML ------------------------------------------------------------------------------------

def test_html_standalone_and_well_formed(fleet):
    page = _report.render_html(fleet, generated='2026-11-27T09:00:00Z')
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    parsed = parse(page)
    assert parsed.errors == [] and parsed.stack == []
    # Standalone: no script, no external resource.
    assert 'script' not in parsed.tags and 'link' not in parsed.tags
    assert 'src=' not in page and 'http-equiv' not in page
    # Fleet summary first, then one section per host, in order.
    assert page.index('Fleet summary') < page.index('<section id="host-1">')
    assert page.index('<section id="host-1">') < page.index('<section id="host-3">')
    # A mount's mode with its file:line, and the MPM with the file that selects it.
    assert ('<td>locglobal.test:80</td><td>/legacy</td><td><span class="embedded">embedded</span></td>'
            in page)
    assert '<code>/etc/apache2/sites-enabled/02-location-global.conf:6</code>' in page
    assert 'prefork (selected by /etc/apache2/mods-enabled/mpm_prefork.load:2)' in page
    assert '<h4 class="error">error (4)</h4>' in page


def test_html_escapes_server_names():
    derived = hostile_record()
    page = _report.render_html([derived, record('gone')])
    parsed = parse(page)
    assert '<script>' not in page
    assert 'script' not in parsed.tags
    assert parsed.errors == [] and parsed.stack == []
    assert '&lt;script&gt;&amp;&quot;x&#x27;:80' in page
    assert '<h2>web-&lt;script&gt;&amp;&quot;x&#x27;</h2>' in page
    # The text a browser shows is the name as it was.
    assert any(HOSTILE + ':80' in text for text in parsed.text)


def test_markdown_escapes_server_names():
    markdown = _report.render_markdown([hostile_record()])
    assert '<script>' not in markdown
    assert '| &lt;script&gt;&amp;"x\'.80' not in markdown
    assert '| &lt;script&gt;&amp;"x\':80 | /.well-known/modwsgi-probe | daemon | probed |' in markdown


# -- Markdown --------------------------------------------------------------------------------

def test_markdown_rows(fleet):
    lines = _report.render_markdown(fleet).splitlines()
    assert lines[0] == '# mod_wsgi fleet audit'
    rss = dict((r['host'], r['apache']['processes']['rss_mb']) for r in fleet[:2])
    assert ('| report-capture-event | ok | event | 12 | 3 | 1 / 4 / 1 | %.1f MB |'
            % rss['report-capture-event']) in lines
    assert ('| report-capture-prefork | ok | prefork | 12 | 3 | 4 / 2 / 0 | %.1f MB |'
            % rss['report-capture-prefork']) in lines
    assert '| report-capture-gone | unreachable |  |  |  |  |  |' in lines
    assert ('| unused.test:80 | / | embedded |  | WSGIProcessGroup %{GLOBAL} (default) '
            '| /etc/apache2/sites-enabled/01-unused.conf:5 |') in lines
    # A regular expression URL keeps its characters; a pipe would be escaped.
    assert any(line.startswith('| match.test:80 | ^/match/([^/]+) | daemon | mg |') for line in lines)
    assert ('| group_unused | The daemon group \'unused-grp\' is defined but no mount selects it '
            '| /etc/apache2/sites-enabled/01-unused.conf:4 |') in lines
    # Every table row has as many cells as its header.
    for line in lines:
        if line.startswith('|'):
            assert line.endswith('|')


def test_markdown_cell_escapes_pipes_and_newlines():
    assert _report._md('a|b\nc') == 'a\\|b c'


def test_probe_rows(fleet):
    markdown = _report.render_markdown(fleet)
    assert "| probed.test:80 | http://127.0.0.1:80/.well-known/modwsgi-probe | daemon, group 'probed', event," in markdown
    assert '| probed-embedded.test:80 | http://127.0.0.1:80/.well-known/modwsgi-probe | failed: Error while probing' in markdown


# -- JSON ------------------------------------------------------------------------------------

def test_json_round_trip(fleet):
    text = _report.render_json(fleet, fail_on='warning', generated='2026-11-27T09:00:00Z')
    data = json.loads(text)
    assert data['format'] == 1
    assert data['generated'] == '2026-11-27T09:00:00Z'
    assert data['summary'] == _report.summary(fleet, 'warning')
    assert data['hosts'] == _report.normalize_all(fleet)
    # The records of report.json are valid input again, and give the same report.
    assert _report.render_json(data['hosts'], fail_on='warning', generated=data['generated']) == text


def test_probe_records_drop_loop_keys():
    probes = _report.normalize(record('prefork'))['probes']
    assert [p['server'] for p in probes] == ['probed.test:80', 'probed-embedded.test:80']
    assert [p['failed'] for p in probes] == [False, True]
    assert probes[1]['status'] == 500
    assert all('item' not in p and 'invocation' not in p and 'exception' not in p for p in probes)


# -- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize('records, message', [
    ({'host': 'x'}, 'records: expected a list, got a dict'),
    (['x'], 'records[0]: expected a dict, got a string'),
    ([{'reachable': True}], 'records[0]: missing keys "host", "error", "apache", "mod_wsgi", "probes"'),
    (lambda event: dict(event, host=''), 'records[0].host: expected a non-empty string'),
    (lambda event: dict(event, probes={'url': 'x'}),
     'records[0].probes: expected a list, got a dict (host report-capture-event)'),
])
def test_bad_input(records, message):
    # Where a record is derived, it is the captured event record with one key replaced.
    records = [records(record('event'))] if callable(records) else records
    with pytest.raises(_report.ReportError) as caught:
        _report.render_html(records)
    assert str(caught.value) == message


def test_unknown_format(fleet):
    with pytest.raises(ValueError, match='format must be one of html, json, markdown'):
        _report.render(fleet, 'pdf')


def test_input_not_modified(fleet):
    before = copy.deepcopy(fleet)
    for fmt in ('markdown', 'html', 'json'):
        _report.render(fleet, fmt, fail_on='info')
    assert fleet == before
