"""The report: its tables and docs/benchmarks.md rendered from the results, the plot, and the previous report's first runs read back."""

import json
import re

from .measurement import CONFIGS, METRICS, WARM_TRIES
from .targets import (AUDIT_FLATNESS_GOAL, FACTS_GOAL, REFERENCE, RELOAD_FAILED_GOAL, SECOND_RUN_CALLS,
                      SECOND_RUN_CHANGED, SECOND_RUN_GOAL, judge, missed_by, ratio)


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


# ---------------------------------------------------------------- the sizing sweep (sizing_sweep.py)

SIZING_BEGIN = '<!-- sizing-sweep:begin: benchmarks/sizing_sweep.py writes this part; do not edit it by hand -->'
SIZING_END = '<!-- sizing-sweep:end -->'


def _verdict(row):
    """PASS, MISS by how much, or n/a."""
    miss = missed_by(row['value'], row['op'], row['goal'])
    if row['status'] != 'MISS':
        return row['status']
    return 'MISS by %s' % ('%.3fx' % miss if row['kind'] == 'ratio' else '%.2f' % miss)


def _ratio3(value):
    """A sizing ratio: three decimals, so that a miss by less than 0.01x reads as one."""
    return '-' if value is None else '%.3fx' % value


def sizing_grid_table(app, grid):
    """Each grid point of one app: p99, group memory, req/s; the best in bold."""
    by_size = {(p['processes'], p['threads']): p for p in app['points']}
    best = app['best']
    lines = ['| processes \\ threads | ' + ' | '.join('%d' % t for t in grid['threads']) + ' |',
             '|---|' + '---:|' * len(grid['threads'])]
    for processes in grid['processes']:
        cells = []
        for threads in grid['threads']:
            point = by_size.get((processes, threads))
            if point is None:
                cells.append('-')
                continue
            cell = '%d ms, %.1f MB, %.0f/s' % (point['p99_ms'], point['group_pss_mb'], point['rps'])
            if best is not None and (processes, threads) == (best['processes'], best['threads']):
                cell = '**%s**' % cell
            cells.append(cell)
        lines.append('| %d | %s |' % (processes, ' | '.join(cells)))
    return '\n'.join(lines)


def sizing_app_block(profile, title, app, grid):
    """One app's part: group_metrics at the default size, the grid, the role against the trap, the targets."""
    m, rec, best = app['measured'], app['recommendation'], app['best']
    service = m.get('service_time') or {}
    lines = [
        '### %s: %s' % (profile, title), '',
        '`modwsgi.apache.group_metrics` on the group at the default size (%d x %d, mod_wsgi %s), window %s s, '
        'under the fixed load: %s requests, %s req/s, utilisation %s, service time mean %s s (p99 at most %s s), '
        'CPU per request %s s; load average %.2f -> %.2f.' % (
            m['processes'], m['threads'], m['mod_wsgi_version'], m['window'], m['requests'],
            m['requests_per_second'], m['utilization'], service.get('mean'), service.get('p99'),
            m['cpu_per_request'], m['load_avg'][0], m['load_avg'][1]), '',
        'Recommended **%d x %d** (`_group_sizing.recommend`, %s):' % (rec['processes'], rec['threads'], rec['basis']),
        '', '```text', rec['reason'], '```', '',
        'The sweep (p99, the group\'s peak PSS, req/s; the best in bold%s):' % (
            ': %d x %d' % (best['processes'], best['threads']) if best else ''), '',
        sizing_grid_table(app, grid), '',
        'Tied on p99 with the lowest: %s. Load average before -> after each point: %s.' % (
            ', '.join('%d x %d' % tuple(size) for size in app['ties']) or '-',
            ', '.join('%dx%d %.1f->%.1f' % (p['processes'], p['threads'], p['load_avg'][0], p['load_avg'][1])
                      for p in app['points'])), '',
        '| at the recommended size | req/s | p50 ms | p99 ms | peak PSS MB | peak procs | app loads in burst '
        '| load average |', '|---|---:|---:|---:|---:|---:|---:|---|',
    ]
    labels = (('role', 'role (front end + the group)'), ('trap', 'trap, cold'), ('trap_warm', 'trap, warm'))
    for key, label in labels:
        row = app['summary'].get(key, {})
        loads = ['%.1f->%.1f' % tuple(run['load_avg']) for run in app['runs'].get(key, [])]
        lines.append('| %s | %s | %s | %s | %s | %s | %s | %s |' % (
            label, _fmt(row.get('rps'), 0), _fmt(row.get('p50_ms')), _fmt(row.get('p99_ms')),
            _fmt(row.get('peak_pss_mb')), _fmt(row.get('peak_procs')), _fmt(row.get('loads')),
            ', '.join(loads) or '-'))
    lines += ['', '| target | measured | goal | status |', '|---|---:|---:|:---:|']
    for row in app['targets']:
        if row['kind'] == 'ratio':
            measured, goal = _ratio3(row['value']), '%s %.2fx' % (row['op'], row['goal'])
        else:
            measured, goal = _fmt(row['value'], 2), '%s %s' % (row['op'], _fmt(row['goal'], 2))
        lines.append('| %s | %s | %s | %s |' % (row['label'], measured, goal, _verdict(row)))
    return '\n'.join(lines)


def sizing_section(results):
    """The sweep's results in Markdown: what ran, each app's part, and a summary of the targets."""
    load_avg, grid, fixed = results['load_avg'], results['grid'], results['load']
    quiet = load_avg['start'] <= results['quiet_load']
    lines = [
        'Measured by `%s` on %s UTC, in %.0f s%s. Machine: %d CPUs; 1-minute load average %.2f at the '
        'start and %.2f at the end%s.' % (
            results['command'], results['written'], results['elapsed'],
            ' (**smoke run: a small grid and short runs; nothing is judged**)' if results['smoke'] else '',
            results['cpus'], load_avg['start'], load_avg['end'],
            '' if quiet else ': **the machine was not quiet** (above %.1f at the start), so the req/s '
            'ratio is not the quiet-machine figure the target asks for' % results['quiet_load']), '',
        'The fixed load of every measurement: `ab -c %d`, %d s (at most %d requests), inside the container. '
        'The grid: processes %s x threads %s; one step is one grid value on either axis, so a point\'s eight '
        'neighbours are one step from it, and a size between two grid values is placed on the log scale. '
        'The best point: the lowest p99, the points within 10 %% (or 5 ms) of it tied, and of those the '
        'lowest peak PSS of the group. The role and the trap ran %d time(s) per app (medians).' % (
            fixed['concurrency'], fixed['seconds'], fixed['requests'],
            ', '.join(map(str, grid['processes'])), ', '.join(map(str, grid['threads'])), results['repeat']), '',
    ]
    summary = ['| app | recommended | sweep\'s best | steps | req/s vs warm trap | memory vs warm trap |',
               '|---|---|---|---:|---|---|']
    for profile, title, dummy in results['profiles']:
        app = results['apps'][profile]
        lines += [sizing_app_block(profile, title, app, grid), '']
        rows = app['targets']
        summary.append('| %s | %d x %d | %s | %s | %s %s | %s %s |' % (
            profile, app['recommendation']['processes'], app['recommendation']['threads'],
            '%d x %d' % (app['best']['processes'], app['best']['threads']) if app['best'] else '-',
            '%s %s' % (_fmt(app['steps'], 2), _verdict(rows[0])), _ratio3(rows[1]['value']), _verdict(rows[1]),
            _ratio3(rows[2]['value']), _verdict(rows[2])))
    return '\n'.join(['### Summary', ''] + summary + [''] + lines).rstrip() + '\n'


def replace_section(text, section):
    """`text` (docs/sizing.md) with what lies between SIZING_BEGIN and SIZING_END replaced by
    `section`; ValueError when the markers are not there once each, in order."""
    begin, end = text.find(SIZING_BEGIN), text.find(SIZING_END)
    if text.count(SIZING_BEGIN) != 1 or text.count(SIZING_END) != 1 or end < begin:
        raise ValueError('the file has no single %s ... %s section' % (SIZING_BEGIN, SIZING_END))
    return text[:begin + len(SIZING_BEGIN)] + '\n' + section + text[end:]
