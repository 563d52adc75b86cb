# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet audit report (``playbooks/audit.yml``): Markdown, standalone HTML and JSON.

PRIVATE to the collection: this is not a public API and may change at any time.

Runs on the controller: the standard library, and jsonschema (the collection's
``requirements.txt``) to check the input. The input is a list of per-host records, as the
playbook assembles them from hostvars::

    {'host': 'web1', 'reachable': True, 'error': None,
     'apache': <ansible_facts.apache of mpm_facts>,
     'mod_wsgi': <ansible_facts.mod_wsgi of wsgi_facts>,
     'probes': [<result of modwsgi.apache.probe, plus 'server'>, ...]}

``docs/report.schema.json`` (:data:`SCHEMA_PATH`) is the JSON Schema of ``report.json`` and, in
its ``$defs/record``, of a record. Every public function checks its input against it first
(:func:`check_records`, :func:`check_report`) and raises :class:`ReportError`, naming the path
of the first bad value, for what does not match: the renderers read only what the schema
guarantees, so they do not raise on anything it accepts.

:func:`merge` joins the records of several runs (AWX job slices, several controllers) from
their ``report.json``, so that one fleet report covers them all.

:func:`summary` counts the fleet, :func:`findings_by_severity` groups a host's findings,
:func:`failing` applies a ``fail_on`` threshold, and :func:`render_markdown`,
:func:`render_html` and :func:`render_json` write the report. Every value that comes from a
host is escaped (:func:`html.escape`) in HTML and Markdown: server names, paths and messages
are whatever the host's configuration says.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html
import json
import os
import re
import sys

try:
    import jsonschema
except ImportError:  # pragma: no cover - the message is tested in a process without it
    jsonschema = None

from ansible_collections.modwsgi.apache.plugins.module_utils._constants import MPMS

REPORT_FORMAT = 1
# The JSON Schema of report.json, in the collection's docs/ (it ships in the tarball).
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                           'docs', 'report.schema.json')
# Most severe first: the order of sections and of the summary.
SEVERITIES = ('error', 'warning', 'info')
FAIL_ON = ('none', 'info', 'warning', 'error')
_RANK = {'info': 1, 'warning': 2, 'error': 3}


# -- the schema ------------------------------------------------------------------------------

class ReportError(ValueError):
    """A report or record that :data:`SCHEMA_PATH` rejects; the message starts with the path of
    the first bad value: ``reports[1].hosts[3].mod_wsgi.mounts: expected a list, got a dict``."""


class MissingRequirement(RuntimeError):
    """The controller lacks a Python library that the report needs (jsonschema)."""


_VALIDATORS = {}
_KINDS = {'object': 'a dict', 'array': 'a list', 'string': 'a string', 'integer': 'an integer',
          'number': 'a number', 'boolean': 'true or false', 'null': 'null'}
_NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')


def _validator(what):
    """The jsonschema validator of ``report`` (a report.json) or ``records`` (a list of host
    records, the schema's ``$defs/records``), made once."""
    if jsonschema is None:
        raise MissingRequirement(
            'the Python library jsonschema is not installed on the controller (%s): install it '
            'with "%s -m pip install jsonschema" (the collection\'s requirements.txt)'
            % (sys.executable, sys.executable))
    if what not in _VALIDATORS:
        try:
            with open(SCHEMA_PATH) as handle:
                schema = json.load(handle)
        except (IOError, OSError, ValueError) as exc:
            raise MissingRequirement('cannot read the schema of report.json, %s: %s' % (SCHEMA_PATH, exc))
        cls = jsonschema.validators.validator_for(schema)
        _VALIDATORS['report'] = cls(schema)
        _VALIDATORS['records'] = cls({'$schema': schema['$schema'], '$defs': schema['$defs'],
                                      '$ref': '#/$defs/records'})
    return _VALIDATORS[what]


def _kind(value):
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'true or false'
    for types, name in ((dict, 'a dict'), ((list, tuple), 'a list'), (str, 'a string'),
                        (int, 'an integer'), (float, 'a number')):
        if isinstance(value, types):
            return name
    return type(value).__name__


def _value(value):
    text = json.dumps(value, sort_keys=True, default=repr)
    return text if len(text) <= 60 else text[:57] + '...'


def _message(error):
    """What is wrong, in words, for the jsonschema keywords the schema uses."""
    keyword, expected, value = error.validator, error.validator_value, error.instance
    if keyword == 'type':
        kinds = [expected] if isinstance(expected, str) else list(expected)
        return 'expected %s, got %s' % (' or '.join(_KINDS.get(k, k) for k in kinds), _kind(value))
    if keyword == 'required':
        missing = [name for name in expected if name not in value]
        return 'missing key%s %s' % ('s' if len(missing) > 1 else '',
                                     ', '.join('"%s"' % name for name in missing))
    if keyword == 'enum':
        return 'expected one of %s, got %s' % (', '.join(_value(v) for v in expected), _value(value))
    if keyword == 'const':
        return 'expected %s, got %s' % (_value(expected), _value(value))
    if keyword == 'minLength':
        return 'expected a non-empty string' if expected == 1 else error.message
    if keyword in ('minimum', 'maximum'):
        return 'expected %s %s, got %s' % ('at least' if keyword == 'minimum' else 'at most',
                                           _value(expected), _value(value))
    return error.message


def _position(instance, path):
    """Where ``path`` is in ``instance``, in document order (a parent before its children)."""
    position, node = [], instance
    for part in path:
        if isinstance(node, dict):
            keys = list(node)
            position.append(keys.index(part) if part in node else len(keys))
            node = node.get(part)
        elif isinstance(node, (list, tuple)) and isinstance(part, int) and part < len(node):
            position.append(part)
            node = node[part]
        else:
            position.append(0)
            node = None
    return position


def _path(where, path):
    text = where
    for part in path:
        if isinstance(part, int):
            text += '[%d]' % part
        elif _NAME_RE.match(part):
            text += '.' + part
        else:
            text += '[%s]' % json.dumps(part)
    return text


def _check(what, instance, where, records_at):
    """Raise :class:`ReportError` for the first value (in document order) that the schema
    rejects; ``records_at`` is the path of the host records in ``instance``, to name the host."""
    errors = list(_validator(what).iter_errors(instance))
    if not errors:
        return
    error = min(errors, key=lambda e: _position(instance, e.absolute_path))
    path = list(error.absolute_path)
    text = '%s: %s' % (_path(where, path), _message(error))
    depth = len(records_at)
    if len(path) > depth + 1 and path[:depth] == list(records_at):
        node = instance
        for part in path[:depth + 1]:
            node = node[part]
        host = node.get('host') if isinstance(node, dict) and path[depth + 1] != 'host' else None
        if host and isinstance(host, str):
            text += ' (host %s)' % host
    raise ReportError(text)


def check_records(records, where='records'):
    """Raise :class:`ReportError` unless ``records`` is a list of host records that the schema's
    ``$defs/records`` accepts."""
    _check('records', list(records) if isinstance(records, tuple) else records, where, ())


def check_report(report, where='report'):
    """Raise :class:`ReportError` unless ``report`` (a parsed report.json) is of this collection's
    format and the schema accepts it."""
    if isinstance(report, dict) and 'format' in report and report['format'] != REPORT_FORMAT:
        raise ReportError('%s: report format %s, this collection reads format %d'
                          % (where, _value(report['format']), REPORT_FORMAT))
    _check('report', report, where, ('hosts',))


# -- records ---------------------------------------------------------------------------------

def normalize(record):
    """A copy of a record that :func:`check_records` accepted, as the report keeps it: the host
    name, and the probes without Ansible's loop keys."""
    return {
        'host': str(record['host']),
        'probes': [normalize_probe(probe) for probe in record['probes']],
        'reachable': record['reachable'],
        'error': record['error'] or None,
        'apache': record['apache'],
        'mod_wsgi': record['mod_wsgi'],
    }


# What a probe loop result carries besides the module's own return values.
_PROBE_NOISE = ('invocation', 'item', 'ansible_loop_var', 'changed', 'skipped', 'exception')


def normalize_probe(probe):
    """A probe result as the report keeps it: the module's return values, ``failed`` and
    ``msg``, and ``server`` (the vhost of the mount it probed), without Ansible's loop keys."""
    item = probe.get('item') if isinstance(probe.get('item'), dict) else {}
    result = dict((key, value) for key, value in probe.items()
                  if key not in _PROBE_NOISE and not str(key).startswith('_ansible'))
    result['failed'] = bool(probe.get('failed'))
    result.setdefault('server', item.get('server'))
    return result


def normalize_all(records, where='records'):
    """:func:`check_records`, then :func:`normalize` each record."""
    check_records(records, where)
    return [normalize(record) for record in records]


def status(record):
    """``unreachable``, ``failed`` (facts could not be gathered), ``no apache`` or ``ok``."""
    if not record['reachable']:
        return 'unreachable'
    if record['error']:
        return 'failed'
    if not record['apache'].get('installed'):
        return 'no apache'
    return 'ok'


def mpm_name(record):
    return (record['apache'].get('mpm') or {}).get('name')


def mounts(record):
    return record['mod_wsgi'].get('mounts') or []


def embedded_mounts(record):
    return [mount for mount in mounts(record) if mount.get('mode') == 'embedded']


def findings_by_severity(record):
    """``{severity: [finding, ...]}`` for every severity in :data:`SEVERITIES` (the schema
    allows no other), most severe first, each list in the order the module reported."""
    grouped = dict((severity, []) for severity in SEVERITIES)
    for finding in record['mod_wsgi'].get('findings') or []:
        grouped[finding['severity']].append(finding)
    return grouped


def memory(record):
    """``(MiB, 'PSS' | 'RSS')`` of Apache's processes, or ``(None, None)``: PSS when it could
    be read, RSS otherwise."""
    processes = record['apache'].get('processes') or {}
    for key, kind in (('pss_mb', 'PSS'), ('rss_mb', 'RSS')):
        if processes.get(key) is not None:
            return float(processes[key]), kind
    return None, None


# -- merge -----------------------------------------------------------------------------------

def merge(records, reports, order=None):
    """The host records of this run (``records``, maybe none) and of the reports of other runs
    (``reports``: each the parsed ``report.json`` of an audit, see :func:`report_data`), as one
    list of records for the fleet report.

    The records come in the order of ``order`` (host names: the inventory's, so that the report
    of several slices is the report one run over the same hosts writes); hosts ``order`` does
    not name follow in the order they came. A host that two runs audited is an error: each
    host belongs to one slice, and which of two audits is right cannot be guessed.
    """
    if not isinstance(reports, (list, tuple)):
        raise ReportError('the reports to merge must be a list, got %s' % _kind(reports))
    sources = [('this run', normalize_all(records or []))]
    for index, report in enumerate(reports):
        where = 'reports[%d]' % index
        check_report(report, where)
        sources.append((where, [normalize(record) for record in report['hosts']]))
    merged, seen = [], {}
    for where, found in sources:
        for record in found:
            if record['host'] in seen:
                raise ValueError('host %s is in %s and in %s: each host must be audited by one run'
                                 % (record['host'], seen[record['host']], where))
            seen[record['host']] = where
            merged.append(record)
    rank = dict((str(name), index) for index, name in enumerate(order or []))
    return sorted(merged, key=lambda record: rank.get(record['host'], len(rank)))


# -- fleet -----------------------------------------------------------------------------------

def check_fail_on(fail_on):
    fail_on = 'none' if fail_on is None else str(fail_on).lower()
    if fail_on not in FAIL_ON:
        raise ValueError('fail_on must be one of %s, got %r' % (', '.join(FAIL_ON), fail_on))
    return fail_on


def failing(records, fail_on):
    """How many findings, over all hosts, are at or above ``fail_on`` (0 for ``none``)."""
    return _failing(normalize_all(records), check_fail_on(fail_on))


def _failing(records, fail_on):
    if fail_on == 'none':
        return 0
    count = 0
    for record in records:
        for severity, found in findings_by_severity(record).items():
            if _RANK[severity] >= _RANK[fail_on]:
                count += len(found)
    return count


def summary(records, fail_on='none'):
    """The fleet summary: hosts by status and MPM, embedded mounts, findings per severity,
    total Apache memory, and how many findings are at or above ``fail_on``."""
    return _summary(normalize_all(records), check_fail_on(fail_on))


def _summary(records, fail_on):
    result = {
        'hosts': len(records),
        'ok': 0, 'unreachable': 0, 'failed': 0, 'no_apache': 0,
        'unreachable_hosts': [], 'failed_hosts': [],
        'mpm': dict((name, 0) for name in MPMS),
        'prefork': 0,
        'mounts': 0, 'embedded_mounts': 0, 'hosts_with_embedded': 0,
        'probes': 0, 'probes_failed': 0,
        'findings': dict((severity, 0) for severity in SEVERITIES),
        'memory_mb': 0.0, 'memory_hosts': 0, 'memory_kinds': [],
        'fail_on': fail_on, 'failing': _failing(records, fail_on),
    }
    for record in records:
        state = status(record)
        result[state.replace(' ', '_')] += 1
        if state == 'unreachable':
            result['unreachable_hosts'].append(record['host'])
        elif state == 'failed':
            result['failed_hosts'].append(record['host'])
        name = mpm_name(record)
        if name:
            result['mpm'][name] = result['mpm'].get(name, 0) + 1
        result['mounts'] += len(mounts(record))
        embedded = len(embedded_mounts(record))
        result['embedded_mounts'] += embedded
        result['hosts_with_embedded'] += 1 if embedded else 0
        result['probes'] += len(record['probes'])
        result['probes_failed'] += len([p for p in record['probes'] if p.get('failed')])
        for severity, found in findings_by_severity(record).items():
            result['findings'][severity] += len(found)
        value, kind = memory(record)
        if value is not None:
            result['memory_mb'] += value
            result['memory_hosts'] += 1
            if kind not in result['memory_kinds']:
                result['memory_kinds'].append(kind)
    result['prefork'] = result['mpm']['prefork']
    result['memory_mb'] = round(result['memory_mb'], 1)
    return result


# -- shared text -----------------------------------------------------------------------------

def _where(file, line):
    if not file:
        return ''
    return '%s:%s' % (file, line) if line is not None else str(file)


def _mb(value):
    return '' if value is None else '%.1f MB' % value


def _mpm_text(record):
    mpm = record['apache'].get('mpm') or {}
    if not mpm:
        return ''
    text = str(mpm.get('name'))
    where = _where((mpm.get('selected_by') or {}).get('file'), (mpm.get('selected_by') or {}).get('line'))
    return '%s (selected by %s)' % (text, where) if where else text


def _memory_text(record):
    value, kind = memory(record)
    processes = record['apache'].get('processes') or {}
    if value is None:
        return 'not measured'
    return '%s %s over %s processes' % (_mb(value), kind, processes.get('count', '?'))


def _decided_text(mount):
    decided = mount.get('decided_by') or {}
    text = decided.get('directive') or ''
    where = _where(decided.get('file'), decided.get('line'))
    return '%s (%s)' % (text, where) if where else text


def _probe_text(probe):
    if probe.get('failed'):
        return 'failed: %s' % (probe.get('msg') or probe.get('error') or 'unknown error')
    return '%s, group %r, %s, pid %s' % (probe.get('mode'), probe.get('process_group'),
                                         probe.get('mpm'), probe.get('pid'))


def _findings_count(record):
    grouped = findings_by_severity(record)
    return ' / '.join(str(len(grouped[severity])) for severity in SEVERITIES)


# -- Markdown --------------------------------------------------------------------------------

def _md(value):
    """A Markdown table cell: HTML-escaped (Markdown passes raw HTML through), pipes escaped,
    on one line."""
    text = '' if value is None else str(value)
    text = html.escape(text, quote=False).replace('|', '\\|')
    return ' '.join(text.split())


def _md_row(cells):
    return '| %s |' % ' | '.join(_md(cell) for cell in cells)


def _md_table(header, rows):
    lines = [_md_row(header), '|%s|' % '|'.join(['---'] * len(header))]
    lines.extend(_md_row(row) for row in rows)
    return lines


def render_markdown(records, fail_on='none', generated=None):
    fail_on = check_fail_on(fail_on)
    records = normalize_all(records)
    fleet = _summary(records, fail_on)
    out = ['# mod_wsgi fleet audit', '']
    if generated:
        out += ['Generated %s.' % _md(generated), '']
    out += ['## Fleet summary', '']
    out += _md_table(['', ''], _summary_rows(fleet))
    out += ['']
    out += _md_table(['host', 'status', 'MPM', 'mounts', 'embedded', 'findings (E / W / I)', 'memory'],
                     [_host_row(record) for record in records])
    for record in records:
        out += ['', '## %s' % _md(record['host']), '']
        out += _host_markdown(record)
    return '\n'.join(out) + '\n'


def _summary_rows(fleet):
    mpm = ', '.join('%s %d' % (name, count) for name, count in sorted(fleet['mpm'].items()) if count)
    rows = [
        ('hosts', fleet['hosts']),
        ('unreachable', '%d%s' % (fleet['unreachable'], (': ' + ', '.join(fleet['unreachable_hosts']))
                                  if fleet['unreachable_hosts'] else '')),
        ('facts failed', '%d%s' % (fleet['failed'], (': ' + ', '.join(fleet['failed_hosts']))
                                   if fleet['failed_hosts'] else '')),
        ('without Apache', fleet['no_apache']),
        ('MPM', mpm or 'none'),
        ('prefork hosts', fleet['prefork']),
        ('hosts with embedded mounts', fleet['hosts_with_embedded']),
        ('mounts (embedded)', '%d (%d)' % (fleet['mounts'], fleet['embedded_mounts'])),
        ('probes (failed)', '%d (%d)' % (fleet['probes'], fleet['probes_failed'])),
    ]
    rows += [('%s findings' % severity, fleet['findings'][severity]) for severity in SEVERITIES]
    kinds = '+'.join(fleet['memory_kinds'])
    rows.append(('Apache memory', '%s %s over %d hosts' % (_mb(fleet['memory_mb']), kinds,
                                                           fleet['memory_hosts'])))
    if fleet['fail_on'] != 'none':
        rows.append(('at or above fail_on=%s' % fleet['fail_on'], fleet['failing']))
    return rows


def _host_row(record):
    state = status(record)
    if state == 'unreachable':
        return (record['host'], 'unreachable', '', '', '', '', '')
    return (record['host'], state, mpm_name(record) or '', len(mounts(record)),
            len(embedded_mounts(record)), _findings_count(record), _mb(memory(record)[0]))


def _host_markdown(record):
    state = status(record)
    if state in ('unreachable', 'failed'):
        return ['**%s**: %s' % (state, _md(record['error'] or 'no message'))]
    apache, mod_wsgi = record['apache'], record['mod_wsgi']
    if state == 'no apache':
        return ['Apache is not installed.']
    out = ['- Apache: %s' % _md(apache.get('server_version') or apache.get('version')),
           '- MPM: %s' % _md(_mpm_text(record)),
           '- mod_wsgi: %s' % _md(_wsgi_text(mod_wsgi)),
           '- memory: %s' % _md(_memory_text(record)), '']
    out += ['### Mounts', '']
    if mounts(record):
        out += _md_table(['server', 'URL', 'mode', 'process group', 'decided by', 'mount'],
                         [_mount_row(mount) for mount in mounts(record)])
    else:
        out.append('No WSGI mounts.')
    out += ['', '### Findings', '']
    grouped = findings_by_severity(record)
    if not any(grouped.values()):
        out.append('No findings.')
    for severity in SEVERITIES:
        if grouped[severity]:
            out += ['#### %s (%d)' % (severity, len(grouped[severity])), '']
            out += _md_table(['code', 'message', 'where'], [_finding_row(f) for f in grouped[severity]])
            out.append('')
    if record['probes']:
        out += ['', '### Probes', '']
        out += _md_table(['server', 'URL', 'answer'], [_probe_row(p) for p in record['probes']])
    return out


def _wsgi_text(mod_wsgi):
    if not mod_wsgi.get('installed'):
        return 'not installed'
    python = (mod_wsgi.get('python') or {}).get('version')
    text = '%s%s%s' % (mod_wsgi.get('version') or 'unknown version',
                       ' (Python %s)' % python if python else '',
                       '' if mod_wsgi.get('loaded') else ', not loaded')
    text += ', WSGIRestrictEmbedded %s' % ('On' if mod_wsgi.get('restrict_embedded') else 'Off')
    return text


def _mount_row(mount):
    return (mount.get('server'), mount.get('url'), mount.get('mode'), mount.get('process_group'),
            _decided_text(mount), _where(mount.get('file'), mount.get('line')))


def _finding_row(finding):
    return (finding.get('code'), finding.get('message'), _where(finding.get('file'), finding.get('line')))


def _probe_row(probe):
    return (probe.get('server') or probe.get('host'), probe.get('url'), _probe_text(probe))


# -- HTML ------------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 80em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
code { font-size: .95em; }
.error { color: #a40000; } .warning { color: #8a5a00; } .info { color: #245; }
.unreachable, .failed { color: #a40000; font-weight: bold; }
.embedded { color: #8a5a00; font-weight: bold; } .daemon { color: #1a6b1a; }
section { border-top: 2px solid #ddd; margin-top: 2em; }
""".strip()


def _h(value):
    return html.escape('' if value is None else str(value), quote=True)


def _html_table(header, rows, classes=None):
    out = ['<table>', '<tr>%s</tr>' % ''.join('<th>%s</th>' % _h(cell) for cell in header)]
    for index, row in enumerate(rows):
        css = (classes or {}).get(index)
        cells = ''.join('<td>%s</td>' % cell for cell in row)
        out.append('<tr class="%s">%s</tr>' % (_h(css), cells) if css else '<tr>%s</tr>' % cells)
    out.append('</table>')
    return out


def render_html(records, fail_on='none', generated=None):
    fail_on = check_fail_on(fail_on)
    records = normalize_all(records)
    fleet = _summary(records, fail_on)
    out = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
           '<title>mod_wsgi fleet audit</title>', '<style>', _CSS, '</style>', '</head>', '<body>',
           '<h1>mod_wsgi fleet audit</h1>']
    if generated:
        out.append('<p>Generated %s.</p>' % _h(generated))
    out.append('<h2>Fleet summary</h2>')
    out += _html_table(['', ''], [(_h(key), _h(value)) for key, value in _summary_rows(fleet)])
    rows = []
    for index, record in enumerate(records):
        cells = [_h(cell) for cell in _host_row(record)]
        cells[0] = '<a href="#host-%d">%s</a>' % (index + 1, cells[0])
        cells[1] = '<span class="%s">%s</span>' % (_h(status(record).replace(' ', '-')), cells[1])
        rows.append(cells)
    out += _html_table(['host', 'status', 'MPM', 'mounts', 'embedded', 'findings (E / W / I)', 'memory'],
                       rows)
    for index, record in enumerate(records):
        out.append('<section id="host-%d">' % (index + 1))
        out.append('<h2>%s</h2>' % _h(record['host']))
        out += _host_html(record)
        out.append('</section>')
    out += ['</body>', '</html>']
    return '\n'.join(out) + '\n'


def _host_html(record):
    state = status(record)
    if state in ('unreachable', 'failed'):
        return ['<p><span class="%s">%s</span>: %s</p>' % (state, state, _h(record['error'] or 'no message'))]
    if state == 'no apache':
        return ['<p>Apache is not installed.</p>']
    apache = record['apache']
    out = ['<ul>',
           '<li>Apache: %s</li>' % _h(apache.get('server_version') or apache.get('version')),
           '<li>MPM: <strong>%s</strong></li>' % _h(_mpm_text(record)),
           '<li>mod_wsgi: %s</li>' % _h(_wsgi_text(record['mod_wsgi'])),
           '<li>memory: %s</li>' % _h(_memory_text(record)),
           '</ul>', '<h3>Mounts</h3>']
    if mounts(record):
        rows = []
        for mount in mounts(record):
            cells = [_h(cell) for cell in _mount_row(mount)]
            cells[2] = '<span class="%s">%s</span>' % (_h(mount.get('mode')), cells[2])
            cells[4] = '<code>%s</code>' % cells[4] if cells[4] else ''
            cells[5] = '<code>%s</code>' % cells[5]
            rows.append(cells)
        out += _html_table(['server', 'URL', 'mode', 'process group', 'decided by', 'mount'], rows)
    else:
        out.append('<p>No WSGI mounts.</p>')
    out.append('<h3>Findings</h3>')
    grouped = findings_by_severity(record)
    if not any(grouped.values()):
        out.append('<p>No findings.</p>')
    for severity in SEVERITIES:
        if grouped[severity]:
            out.append('<h4 class="%s">%s (%d)</h4>' % (severity, severity, len(grouped[severity])))
            out += _html_table(['code', 'message', 'where'],
                               [[_h(cell) for cell in _finding_row(f)] for f in grouped[severity]])
    if record['probes']:
        out.append('<h3>Probes</h3>')
        out += _html_table(['server', 'URL', 'answer'],
                           [[_h(cell) for cell in _probe_row(p)] for p in record['probes']])
    return out


# -- JSON ------------------------------------------------------------------------------------

def report_data(records, fail_on='none', generated=None):
    fail_on = check_fail_on(fail_on)
    records = normalize_all(records)
    return {'format': REPORT_FORMAT, 'generated': generated,
            'summary': _summary(records, fail_on), 'hosts': records}


def render_json(records, fail_on='none', generated=None):
    return json.dumps(report_data(records, fail_on, generated), indent=2, sort_keys=True) + '\n'


RENDERERS = {'markdown': render_markdown, 'html': render_html, 'json': render_json}


def render(records, fmt='markdown', fail_on='none', generated=None):
    if fmt not in RENDERERS:
        raise ValueError('format must be one of %s, got %r' % (', '.join(sorted(RENDERERS)), fmt))
    return RENDERERS[fmt](records, fail_on=fail_on, generated=generated)
