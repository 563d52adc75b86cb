# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The demo's before/after table, and the check that the demo told its story.

Reads what ``scripts/demo.sh`` wrote in its output directory, for each phase (``before`` and
``after``): ``report.json`` (``playbooks/audit.yml``) and ``burst.json`` (``demo/burst.yml``:
each host's applications, the output of ``ab`` for each, and Apache's processes right after
the burst). Prints one row per host and application: the MPM, the application's mode, the
memory of Apache's processes, the requests per second and the 99th percentile of the time a
request took, before -> after; and, after, what the audit measured of the application's daemon
group under a steady load (its thread utilisation) and the size it recommends. Then where the
HTML reports are.

    python demo/table.py demo/output            # the table
    python demo/table.py --check demo/output    # the table, then exit 1 unless the story holds

The story (:func:`problems`): before, every demo application is mounted in embedded mode and
at least one host runs prefork; after, no host has an embedded mount, the probe of every
application answers daemon mode in the application's own process group, the audit measured each
application's daemon group and recommends a size for it, each host runs the
MPM the role picks (prefork kept where a thread-unsafe module such as mod_php is loaded, event
elsewhere), every ab run completed without failed requests, and each HTML report has a section for
every host and shows every application's virtual host. Nothing here compares timings or memory: those are shown, not asserted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import html
import json
import os
import re
import sys

PHASES = ('before', 'after')


def parse_ab(text):
    """``{'rps', 'complete', 'failed', 'non_2xx'}`` from ab's output; ``None`` where absent."""
    def number(pattern, kind):
        found = re.search(pattern, text or '', re.MULTILINE)
        return kind(found.group(1)) if found else None
    return {
        'rps': number(r'^Requests per second:\s+([0-9.]+)', float),
        'complete': number(r'^Complete requests:\s+([0-9]+)', int),
        'failed': number(r'^Failed requests:\s+([0-9]+)', int),
        'non_2xx': number(r'^Non-2xx responses:\s+([0-9]+)', int) or 0,
        # "Percentage of the requests served within a certain time (ms)": the 99% line.
        'p99_ms': number(r'^\s*99%\s+([0-9]+)', int),
    }


def load_phase(directory):
    """``{'report': <report.json>, 'burst': <burst.json>, 'html': path}`` of one phase."""
    with open(os.path.join(directory, 'report.json')) as handle:
        report = json.load(handle)
    with open(os.path.join(directory, 'burst.json')) as handle:
        burst = json.load(handle)
    return {'report': report, 'burst': burst, 'html': os.path.join(directory, 'report.html')}


def host_record(report, host):
    for record in report.get('hosts') or []:
        if record.get('host') == host:
            return record
    return None


def app_server(app):
    return '%s:%s' % (app['server_name'], app.get('port', 80))


def app_mode(record, app):
    """The mode wsgi_facts gives the mount of ``app`` at its URL path (``None`` if unmounted)."""
    url = app.get('url_path', '/')
    for mount in (record or {}).get('mod_wsgi', {}).get('mounts') or []:
        if mount.get('server') == app_server(app) and mount.get('url') == url:
            return mount.get('mode')
    return None


def app_probe(record, app):
    """The audit's probe answer for the virtual host of ``app``, or ``None``."""
    for probe in (record or {}).get('probes') or []:
        if probe.get('server') == app_server(app):
            return probe
    return None


def app_group(record, app):
    """The audit's measurement of the daemon group named after ``app`` (its figures and its
    ``recommendation``), or ``None`` when none was taken or the measurement failed."""
    measurement = (record or {}).get('measurement') or {}
    if measurement.get('failed'):
        return None
    for group in measurement.get('groups') or []:
        if group.get('process_group') == app['name']:
            return group
    return None


def mpm(record):
    return ((record or {}).get('apache') or {}).get('mpm', {}).get('name')


def memory(processes):
    """``(MB, 'PSS' | 'RSS', count)`` of a burst's ``processes``: PSS when it could be read."""
    processes = processes or {}
    value = processes.get('pss_mb')
    kind = 'PSS'
    if value is None:
        value, kind = processes.get('rss_mb'), 'RSS'
    return value, kind, processes.get('count')


def rows(phases):
    """One row per host and application of the ``before`` burst, both phases side by side."""
    result = []
    for burst in phases['before']['burst']:
        host = burst['host']
        after_burst = next((b for b in phases['after']['burst'] if b['host'] == host), {})
        records = dict((name, host_record(phases[name]['report'], host)) for name in PHASES)
        for index, app in enumerate(burst['apps']):
            row = {'host': host, 'app': app['name'], 'server': app_server(app)}
            for name, this in (('before', burst), ('after', after_burst)):
                outputs = this.get('ab') or []
                probe = app_probe(records[name], app)
                row[name] = {
                    'mpm': mpm(records[name]),
                    'mode': app_mode(records[name], app),
                    'probe': probe,
                    'memory': memory(this.get('processes')),
                    'ab': parse_ab(outputs[index] if index < len(outputs) else None),
                    'group': app_group(records[name], app),
                }
            result.append(row)
    return result


def _memory_text(value):
    mb, kind, count = value
    if mb is None:
        return '?'
    return '%d MB %s, %s procs' % (round(mb), kind, count)


def _mode_text(side):
    probe = side['probe']
    if probe and not probe.get('failed'):
        return '%s (probe: %s)' % (side['mode'], probe.get('mode'))
    return str(side['mode'])


def _rps_text(side):
    rps = side['ab']['rps']
    return '?' if rps is None else '%d' % round(rps)


def _p99_text(side):
    p99 = side['ab']['p99_ms']
    return '?' if p99 is None else '%d' % p99


def _group_text(side):
    """``'2 x 15: 12% busy -> 2 x 6'``: the group's size, its thread utilisation under the
    steady load, and the recommended size; ``'not measured'`` without a measurement."""
    group = side['group']
    if group is None:
        return 'not measured'
    util = group.get('utilization')
    rec = group.get('recommendation') or {}
    return '%s x %s: %s busy -> %s x %s' % (
        group.get('processes'), group.get('threads'),
        '?' if util is None else '%d%%' % round(util * 100),
        rec.get('processes', '?'), rec.get('threads', '?'))


def _change(before, after):
    return '%s -> %s' % (before, after)


def render(phases):
    """The table as text, then where the HTML reports are."""
    header = ['host', 'app', 'MPM', 'mode', 'memory after the burst', 'req/s', 'p99 ms',
              'daemon group after: utilisation -> recommended']
    lines = [header]
    for row in rows(phases):
        before, after = row['before'], row['after']
        lines.append([
            row['host'], '%s (%s)' % (row['app'], row['server']),
            _change(before['mpm'], after['mpm']),
            _change(_mode_text(before), _mode_text(after)),
            _change(_memory_text(before['memory']), _memory_text(after['memory'])),
            _change(_rps_text(before), _rps_text(after)),
            _change(_p99_text(before), _p99_text(after)),
            _group_text(after),
        ])
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    text = []
    for number, line in enumerate(lines):
        text.append('  '.join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
        if number == 0:
            text.append('  '.join('-' * width for width in widths))
    text.append('')
    reasons = ['  %s: %s' % (row['app'], row['after']['group']['recommendation']['reason'])
               for row in rows(phases)
               if ((row['after']['group'] or {}).get('recommendation') or {}).get('reason')]
    if reasons:
        text.extend(['Why each recommended size (docs/sizing.md):'] + reasons + [''])
    for name in PHASES:
        text.append('HTML report %-7s %s' % (name + ':', phases[name]['html']))
    return '\n'.join(text) + '\n'


def problems(phases):
    """What is wrong with the story, as sentences; an empty list when the demo told it."""
    found = []
    table = rows(phases)
    if not table:
        found.append('no application was measured')
    for row in table:
        name = '%s/%s' % (row['host'], row['app'])
        before, after = row['before'], row['after']
        if before['mode'] != 'embedded':
            found.append('%s: before, the mount is %s, not embedded' % (name, before['mode']))
        probe = after['probe']
        if not probe or probe.get('failed'):
            found.append('%s: after, the probe did not answer (%s)'
                         % (name, (probe or {}).get('msg', 'no probe in the report')))
        elif probe.get('mode') != 'daemon' or probe.get('process_group') != row['app']:
            found.append('%s: after, the probe says %s mode in group %r, not daemon in %r'
                         % (name, probe.get('mode'), probe.get('process_group'), row['app']))
        group = after['group']
        if group is None or group.get('utilization') is None or not (group.get('recommendation') or {}).get('reason'):
            found.append('%s: after, the audit has no measurement of its daemon group with a recommended size (%s)'
                         % (name, group))
        for phase in PHASES:
            ab = row[phase]['ab']
            if ab['rps'] is None or not ab['complete'] or ab['failed'] or ab['non_2xx']:
                found.append('%s: %s, ab did not complete cleanly (%s)' % (name, phase, ab))
    before_summary = phases['before']['report'].get('summary') or {}
    after_summary = phases['after']['report'].get('summary') or {}
    if not before_summary.get('prefork'):
        found.append('before: no host runs prefork')
    if after_summary.get('embedded_mounts') != 0:
        found.append('after: %s embedded mount(s) left' % after_summary.get('embedded_mounts'))
    for record in phases['after']['report'].get('hosts') or []:
        unsafe = (record.get('apache') or {}).get('thread_unsafe_modules') or []
        expected = 'prefork' if unsafe else 'event'
        if mpm(record) != expected:
            found.append('%s: after, the MPM is %s, not %s' % (record['host'], mpm(record), expected))
    # Each host has its section (<h2>host</h2>) and each application's virtual host its rows.
    wanted = []
    for burst in phases['before']['burst']:
        wanted.append(('<h2>%s</h2>' % html.escape(burst['host']), burst['host']))
        wanted.extend((html.escape(app_server(app)), app_server(app)) for app in burst['apps'])
    for phase in PHASES:
        path = phases[phase]['html']
        try:
            with open(path) as handle:
                page = handle.read()
        except (IOError, OSError) as error:
            found.append('%s: cannot read the HTML report: %s' % (phase, error))
            continue
        missing = [name for text, name in wanted if text not in page]
        if missing:
            found.append('%s: the HTML report %s does not show %s' % (phase, path, ', '.join(missing)))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description='The demo before/after table.')
    parser.add_argument('output', help="scripts/demo.sh's output directory (demo/output)")
    parser.add_argument('--check', action='store_true',
                        help='exit 1 unless the before/after story holds')
    args = parser.parse_args(argv)
    phases = dict((name, load_phase(os.path.join(args.output, name))) for name in PHASES)
    sys.stdout.write(render(phases))
    if args.check:
        found = problems(phases)
        if found:
            sys.stdout.write('\nThe demo did NOT tell its story:\n')
            sys.stdout.write(''.join('  - %s\n' % problem for problem in found))
            return 1
        sys.stdout.write('\nStory checked: before, every app embedded and prefork on %d host(s); after, '
                         'no embedded mount, every app probed in daemon mode in its own group, and its group '
                         'measured under load with a recommended size.\n'
                         % phases['before']['report']['summary']['prefork'])
    return 0


if __name__ == '__main__':
    sys.exit(main())
