"""The report: its tables and docs/benchmarks.md rendered from the results, the plot, and the previous report's first runs read back."""

import json
import re

from .measurement import CONFIGS, METRICS, WARM_TRIES
from .targets import (AUDIT_FLATNESS_GOAL, FACTS_GOAL, REFERENCE, RELOAD_FAILED_GOAL, SECOND_RUN_CALLS,
                      SECOND_RUN_CHANGED, SECOND_RUN_GOAL, judge, ratio)


def _fmt(value, digits=1):
    if value is None:
        return '-'
    if isinstance(value, float) and not value.is_integer():
        return '%.*f' % (digits, value)
    return '%d' % value


def _fmt_ratio(value):
    return '-' if value is None else '%.2fx' % value


def results_table(summary, configs=CONFIGS, reference=REFERENCE):
    """The Markdown table of medians, with ratios against the reference row (the warm trap)."""
    head = ('| # | configuration | idle PSS MB | peak PSS MB | peak procs | req/s | p50 ms | p99 ms '
            '| failed | non-2xx | app loads in burst | peak PSS / warm trap | req/s / warm trap '
            '| p99 / warm trap |')
    lines = [head, '|' + '---|' * 4 + '---:|' * 10]
    ref = summary.get(reference, {})
    for number, (key, title) in enumerate(configs, 1):
        row = summary.get(key)
        if row is None:
            continue
        lines.append('| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            number, title, _fmt(row.get('idle_pss_mb')), _fmt(row.get('peak_pss_mb')),
            _fmt(row.get('peak_procs')), _fmt(row.get('rps'), 0), _fmt(row.get('p50_ms')),
            _fmt(row.get('p99_ms')), _fmt(row.get('failed')), _fmt(row.get('non_2xx')),
            _fmt(row.get('loads')),
            _fmt_ratio(ratio(row.get('peak_pss_mb'), ref.get('peak_pss_mb'))),
            _fmt_ratio(ratio(row.get('rps'), ref.get('rps'))),
            _fmt_ratio(ratio(row.get('p99_ms'), ref.get('p99_ms')))))
    return '\n'.join(lines)


def targets_table(rows):
    """The Markdown table of targets: measured value or ratio, goal, PASS or MISS."""
    lines = ['| target | measured | goal | status |', '|---|---:|---:|:---:|']
    for row in rows:
        if row['kind'] == 'ratio':
            measured, goal = _fmt_ratio(row['value']), '%s %.2fx' % (row['op'], row['goal'])
        else:
            measured, goal = _fmt(row['value'], 2), '%s %s' % (row['op'], _fmt(row['goal'], 2))
        lines.append('| %s | %s | %s | %s |' % (row['label'], measured, goal, row['status']))
    return '\n'.join(lines)


def reconfig_table(reconf):
    """The Markdown table of the changes under load, the error log lines, the reload's target."""
    lines = ['| change under load | how | requests | ok | failed | non-2xx | errors | daemon pids before -> after |',
             '|---|---|---:|---:|---:|---:|---|---|']
    for row in reconf:
        lines.append('| %s | %s | %d | %d | %d | %d | %s | %s -> %s |' % (
            row['label'], row['how'], row['requests'], row['ok'], row['failed'], row['non_2xx'],
            ', '.join('%s: %d' % item for item in row['errors'].items()) or '-',
            row['daemon_pids_before'] or '-', row['daemon_pids_after'] or '-'))
    logged = [(row['label'], line) for row in reconf for line in row['error_log']]
    if logged:
        lines.append('')
        lines.append('Apache error log meanwhile (first lines, notices left out):')
        lines.append('')
        lines.extend('- %s: `%s`' % item for item in logged)
    graceful = [r for r in reconf if r['how'].startswith('graceful')]
    if graceful:
        lines.append('')
        lines.append('Target: failed requests during a graceful reload = %d: %s (%d failed, %d non-2xx).' % (
            RELOAD_FAILED_GOAL,
            judge(sum(r['failed'] + r['non_2xx'] for r in graceful), '<=', RELOAD_FAILED_GOAL),
            sum(r['failed'] for r in graceful), sum(r['non_2xx'] for r in graceful)))
    return '\n'.join(lines)


def _earlier_label(earlier):
    if not earlier:
        return 'not judged'
    return 'the previous run, %s UTC in %s: %.1f s vs %.1f s; not judged' % (
        earlier['written'], earlier['source'], earlier['fresh_s'], earlier['image_s'])


def automation_rows(auto, earlier=None):
    """(label, measured, value, op, goal, kind): kind 'ratio' prints NNx, 'value' a count.

    earlier: the first runs of the previous report (earlier_run()), shown beside this run's.
    """
    rows = []
    if 'facts' in auto:
        for where, goal in (('host', FACTS_GOAL), ('wire', None)):
            t = auto['facts'][where]
            place = 'on the host' if where == 'host' else 'through Ansible (podman; not judged)'
            rows.append(('both facts in one call (wsgi_facts apache_facts=true) vs setup, %s' % place,
                         '%.2f s vs %.2f s' % (t['both'], t['setup']), t['both'] / t['setup'], '<=', goal, 'ratio'))
            rows.append(('mpm_facts + wsgi_facts, two calls, vs setup, %s (ping: %.2f s; not judged)' % (
                place.split(' (', maxsplit=1)[0], t['ping']),
                '%.2f + %.2f s vs %.2f s' % (t['mpm_facts'], t['wsgi_facts'], t['setup']),
                (t['mpm_facts'] + t['wsgi_facts']) / t['setup'], '<=', None, 'ratio'))
            if 'httpd' in t:
                rows.append(('the floor, on the host: any module (ping) + one httpd configuration read '
                             '(apache2ctl -S -M), vs setup; not judged',
                             '%.2f + %.2f s vs %.2f s' % (t['ping'], t['httpd'], t['setup']),
                             (t['ping'] + t['httpd']) / t['setup'], '<=', None, 'ratio'))
    for key, where, goal in (('fresh', 'fresh host', SECOND_RUN_GOAL),
                             ('idempotent', 'bench image, Apache already installed; not judged', None)):
        if key not in auto:
            continue
        i = auto[key]
        rows.append(('second role run vs first, %s (%d tasks; first run: %d calls to the host, changed=%d)' % (
            where, i['tasks'], i['first_calls'], i['first_changed']),
            '%.1f s vs %.1f s' % (i['second_s'], i['first_s']), i['ratio'], '<=', goal, 'ratio'))
        where = where.split(';', maxsplit=1)[0]
        rows.append(('second role run, %s: calls to the host' % where, '%d' % i['calls'], i['calls'], '<=',
                     SECOND_RUN_CALLS, 'value'))
        rows.append(('second role run, %s: changed' % where, '%d' % i['changed'], i['changed'], '<=',
                     SECOND_RUN_CHANGED, 'value'))
    if 'fresh' in auto and 'idempotent' in auto:
        f, i = auto['fresh'], auto['idempotent']
        rows.append(('first role run: fresh host (installs Apache + mod_wsgi) vs the bench image (%s)'
                     % _earlier_label(earlier),
                     '%.1f s vs %.1f s' % (f['first_s'], i['first_s']), f['first_s'] / i['first_s'], '<=', None,
                     'ratio'))
    if 'audit' in auto:
        a = auto['audit']
        for point in a['points']:
            rows.append(('audit of %d host(s), forks=%d: controller CPU-seconds per host%s' % (
                point['hosts'], point['hosts'],
                ', %.2f for each host added' % point['marginal_cpu_s'] if 'marginal_cpu_s' in point else ''),
                '%.1f CPU-s in %.1f s' % (point['cpu_s'], point['seconds']), point['per_host_cpu_s'], '<=', None,
                'value'))
        if a['flatness'] is not None:
            last, before = a['points'][-1], a['points'][-2]
            rows.append(('audit: controller CPU per host at %d hosts vs at %d' % (last['hosts'], before['hosts']),
                         '%.2f vs %.2f CPU-s' % (last['per_host_cpu_s'], before['per_host_cpu_s']),
                         a['flatness'], '<=', AUDIT_FLATNESS_GOAL, 'ratio'))
    return rows


def automation_table(auto, earlier=None):
    """The Markdown table of the automation's cost, and the second runs' slowest tasks."""
    lines = ['| automation | measured | value | goal | status |', '|---|---:|---:|---:|:---:|']
    for label, measured, value, op, goal, kind in automation_rows(auto, earlier):
        shown = '%.2fx' % value if kind == 'ratio' else ('%.2f' % value if isinstance(value, float) else '%d' % value)
        if goal is None:
            lines.append('| %s | %s | %s | - | - |' % (label, measured, shown))
        else:
            wanted = '%s %.2fx' % (op, goal) if kind == 'ratio' else '%s %d' % (op, goal)
            lines.append('| %s | %s | %s | %s | %s |' % (label, measured, shown, wanted, judge(value, op, goal)))
    for key, where in (('fresh', 'fresh host'), ('idempotent', 'bench image')):
        if key in auto:
            lines.append('')
            lines.append('The second run\'s slowest tasks (%s): ' % where + '; '.join(
                '%s (%.1f s)' % tuple(span) for span in auto[key]['slowest']) + '.')
    return '\n'.join(lines)


def blocks(results, earlier=None):
    """The sections every run prints (and a full run's docs/benchmarks.md holds), as lines."""
    settings = results['settings']
    return [
        '## Results (ab -c %d -n %d (time limit %d s), %d repetition(s), medians)' % (
            settings['concurrency'], settings['requests'], settings['seconds'], settings['repeat']), '',
        results_table(results['summary']), '',
        'The warm trap is the first burst after the cold one in which no child loaded the app '
        '(at most %d bursts): the burst it took, per repetition: %s.' % (
            WARM_TRIES, ', '.join('%d (%d loads)' % (r['bursts'], r['loads']) for r in results['runs']['trap_warm'])),
        '',
        '## Targets', '', targets_table(results['targets']), '',
        '## Reconfiguration under load', '', reconfig_table(results['reconf']), '',
        '## Automation cost', '', automation_table(results['auto'], earlier), '',
    ]


def document(results, png, earlier=None):
    """docs/benchmarks.md's text; `png` is the plot's file name, beside it."""
    load_avg = results['load_avg']
    lines = [
        '# Benchmarks: daemon mode against the alternatives', '',
        'Written by `make bench` (`benchmarks/daemon_mode.py`, see benchmarks/README.md) on %s UTC, '
        'in %.0f s. Each configuration runs in its own container from `%s`; the load (`ab`) runs '
        'inside the container. Machine: %d CPUs (1-minute load average, the bursts of this run included: %.1f at '
        'the start, %.1f after the bursts, %.1f at the end).' % (
            results['written'], results['elapsed'], results['image'], results['cpus'],
            load_avg[0], load_avg[1], load_avg[2]), '',
        'Versions: ' + '; '.join('%s: `%s`' % item for item in results['versions'].items()), '',
        '![memory and req/s per configuration](%s)' % png, '',
    ] + blocks(results, earlier) + [
        '## Every run', '', '```',
        json.dumps({k: [{m: r[m] for m in METRICS} for r in v] for k, v in results['runs'].items()},
                   indent=1), '```', '',
        'How each number is measured, and what the misses mean: benchmarks/README.md.',
    ]
    return '\n'.join(lines).rstrip() + '\n'


_WRITTEN = re.compile(r'^Written by `make bench` .* on (\d{4}-\d\d-\d\d \d\d:\d\d) UTC', re.MULTILINE)
_FIRST_RUNS = re.compile(r'^\| first role run: fresh host [^|]*\| ([\d.]+) s vs ([\d.]+) s \|', re.MULTILINE)


def earlier_run(text, source):
    """The first role runs (fresh host, bench image) of a report written by document() ->
    {'source', 'written', 'fresh_s', 'image_s'}, or None when it has no such row."""
    written, first_runs = _WRITTEN.search(text), _FIRST_RUNS.search(text)
    if written is None or first_runs is None:
        return None
    return {'source': source, 'written': written.group(1),
            'fresh_s': float(first_runs.group(1)), 'image_s': float(first_runs.group(2))}


def plot(summary, path):
    """The memory (idle and peak) and req/s of each configuration, side by side, as a PNG."""
    import matplotlib  # pinned in benchmarks/requirements.txt; only the full run needs it
    matplotlib.use('Agg')
    from matplotlib import pyplot

    keys = [key for key, dummy in CONFIGS if key in summary]
    labels = ['%d. %s' % (i, k) for i, (k, d) in enumerate(CONFIGS, 1) if k in summary]
    fig, (mem, rps) = pyplot.subplots(1, 2, figsize=(11, 4.2))
    xs = range(len(keys))
    mem.bar([x - 0.2 for x in xs], [summary[k]['idle_pss_mb'] for k in keys], 0.4, label='idle')
    mem.bar([x + 0.2 for x in xs], [summary[k]['peak_pss_mb'] for k in keys], 0.4, label='peak (load)')
    mem.set_yscale('log')
    mem.set_ylabel('PSS of all Apache + daemon processes, MB (log)')
    mem.set_title('Memory')
    mem.legend()
    rps.bar(list(xs), [summary[k]['rps'] for k in keys], 0.6, color='tab:green')
    rps.set_ylabel('requests per second (median)')
    rps.set_title('Throughput')
    for axis in (mem, rps):
        axis.set_xticks(list(xs))
        axis.set_xticklabels(labels, rotation=15)
    for x, key in zip(xs, keys):
        mem.annotate('%.0f' % summary[key]['peak_pss_mb'], (x + 0.2, summary[key]['peak_pss_mb']),
                     ha='center', va='bottom', fontsize=8)
        rps.annotate('%.0f' % summary[key]['rps'], (x, summary[key]['rps']), ha='center',
                     va='bottom', fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
