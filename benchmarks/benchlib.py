"""Pure helpers of the daemon-mode benchmark (benchmarks/daemon_mode.py): parse `ab`'s output,
take medians, compute ratios against the trap, judge the targets, and format the tables.

Stdlib only, no I/O: tests/unit/benchmarks/ tests it on captured real output.
"""

import datetime
import json
import os
import re
import statistics

# The rows of the results table, in order. The trap is measured twice in each repetition: cold,
# the first burst after Apache starts (it forks children and each one loads the app), and warm,
# the first burst after it in which no child loads the app (the children are already loaded). The warm trap is the reference of
# every ratio: a single ratio against the trap would depend on which state it caught.
CONFIGS = (
    ('trap', 'prefork + embedded (Debian MPM defaults), cold: first burst after a start'),
    ('trap_warm', 'prefork + embedded, warm: a burst right after, with every child loaded'),
    ('role', 'role daemon_mode, default variables'),
    ('express', 'mod_wsgi-express (PyPI), same processes x threads'),
    ('worker', 'worker + embedded (no daemon hop)'),
)
REFERENCE = 'trap_warm'

# The configurations that each run in a container of their own (the warm trap is a second
# burst in the trap's), and the extra bursts each one gets right after its first.
CONTAINERS = ('trap', 'role', 'express', 'worker')
WARM_ROWS = {'trap': 'trap_warm'}

# The metrics of one run, and of their medians.
METRICS = ['idle_pss_mb', 'peak_pss_mb', 'peak_procs', 'rps', 'p50_ms', 'p99_ms',
           'failed', 'non_2xx', 'loads']

_AB_PATTERNS = {
    'complete': (r'^Complete requests:\s+(\d+)', int),
    'failed': (r'^Failed requests:\s+(\d+)', int),
    'non_2xx': (r'^Non-2xx responses:\s+(\d+)', int),
    'rps': (r'^Requests per second:\s+([\d.]+)', float),
    'seconds': (r'^Time taken for tests:\s+([\d.]+)', float),
    'p50_ms': (r'^\s+50%\s+(\d+)', int),
    'p99_ms': (r'^\s+99%\s+(\d+)', int),
}


def parse_ab(text):
    """ApacheBench's report -> dict of the fields above; raise ValueError if one is missing.

    ab prints "Non-2xx responses" only when there are some, so it defaults to 0.
    """
    result = {}
    for key, (pattern, kind) in _AB_PATTERNS.items():
        match = re.search(pattern, text, re.MULTILINE)
        if match:
            result[key] = kind(match.group(1))
        elif key == 'non_2xx':
            result[key] = 0
        else:
            raise ValueError('ab output has no %r line' % key)
    return result


def medians(runs):
    """A list of per-run dicts -> one dict of the median of each metric present in all runs."""
    keys = [key for key in METRICS if runs and all(run.get(key) is not None for run in runs)]
    return {key: statistics.median(run[key] for run in runs) for key in keys}


def ratio(value, reference):
    """value / reference, or None when the reference is 0 or missing."""
    if value is None or not reference:
        return None
    return value / reference


# The targets: (label, configuration, metric, reference configuration, op, goal).
# op '<=' means the ratio must be at most the goal, '>=' at least. A reference of None means
# the absolute value is compared with the goal. Against the trap, the goals are set against
# the warm trap (issue 12): memory is the stable gap; req/s must at least match.
TARGETS = (
    ('role vs warm trap: peak memory', 'role', 'peak_pss_mb', 'trap_warm', '<=', 0.05),
    ('role vs warm trap: req/s', 'role', 'rps', 'trap_warm', '>=', 1.0),
    ('role: app loads during the burst', 'role', 'loads', None, '<=', 0),
    ('role vs mod_wsgi-express: peak memory', 'role', 'peak_pss_mb', 'express', '<=', 1.1),
    ('role vs mod_wsgi-express: req/s', 'role', 'rps', 'express', '>=', 1.0),
    ('role vs worker + embedded: req/s', 'role', 'rps', 'worker', '>=', 0.8),
)


def judge(value, op, goal):
    """'PASS' or 'MISS' (or 'n/a' when there is no value)."""
    if value is None:
        return 'n/a'
    ok = value <= goal if op == '<=' else value >= goal
    return 'PASS' if ok else 'MISS'


def evaluate_targets(summary, targets=TARGETS):
    """summary: {config: medians} -> list of {label, value, op, goal, status, kind}."""
    rows = []
    for label, config, metric, reference, op, goal in targets:
        mine = summary.get(config, {}).get(metric)
        if reference is None:
            value, kind = mine, 'value'
        else:
            value, kind = ratio(mine, summary.get(reference, {}).get(metric)), 'ratio'
        rows.append({'label': label, 'value': value, 'op': op, 'goal': goal,
                     'status': judge(value, op, goal), 'kind': kind})
    return rows


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


def recap_changed(output):
    """The sum of every host's changed=N in ansible-playbook's PLAY RECAP."""
    recap = output[output.rfind('PLAY RECAP'):] if 'PLAY RECAP' in output else ''
    return sum(int(n) for n in re.findall(r'\bchanged=(\d+)', recap))


def _json_report(json_output):
    """The object printed by the ansible.posix.json callback; text before it (warnings) is skipped."""
    match = re.search(r'^\{', json_output, re.MULTILINE)
    if match is None:
        raise ValueError('no JSON object in the ansible-playbook output')
    return json.JSONDecoder().raw_decode(json_output[match.start():])[0]


def task_spans(json_output):
    """The output of the ansible.posix.json callback -> [(task name, seconds)], in run order.

    A task's duration covers its whole loop (and every host). Tasks that the callback gives
    no end time (``include_role``, ``meta``) are left out.
    """
    spans = []
    for play in _json_report(json_output)['plays']:
        for task in play['tasks']:
            span = task['task'].get('duration', {})
            if 'start' not in span or 'end' not in span:
                continue  # a task with no end (meta, include_role): it ran nothing itself
            start, end = (datetime.datetime.strptime(span[key], '%Y-%m-%dT%H:%M:%S.%fZ')
                          for key in ('start', 'end'))
            spans.append((task['task']['name'], (end - start).total_seconds()))
    return spans


def task_seconds(json_output):
    """{task name: seconds} of task_spans (a name that runs twice: the sum)."""
    found = {}
    for name, seconds in task_spans(json_output):
        found[name] = found.get(name, 0.0) + seconds
    return found


def json_changed(json_output):
    """The sum of every host's changed count in the ansible.posix.json callback's stats."""
    return sum(host.get('changed', 0) for host in _json_report(json_output)['stats'].values())


# Actions that run on the controller only: no round trip to the host.
CONTROLLER_ACTIONS = frozenset(
    'ansible.builtin.%s' % name for name in (
        'set_fact', 'debug', 'assert', 'fail', 'meta', 'include_tasks', 'include_role',
        'import_tasks', 'import_role', 'include_vars', 'add_host', 'group_by', 'set_stats',
        # A role's argument_specs, checked by include_role on the controller.
        'validate_argument_spec'))


def host_calls(json_output):
    """How many times a task (or a loop item) reached a host, in the ansible.posix.json
    callback's output: not skipped, and not an action that runs on the controller only."""
    calls = 0
    for play in _json_report(json_output)['plays']:
        for task in play['tasks']:
            for result in task['hosts'].values():
                if result.get('action') in CONTROLLER_ACTIONS:
                    continue
                if 'results' in result:
                    calls += sum(1 for item in result['results'] if not item.get('skipped'))
                elif not result.get('skipped'):
                    calls += 1
    return calls


def cpu_busy_seconds(stat_text):
    """CPU-seconds spent busy (everything but idle and iowait) since boot, from /proc/stat."""
    # user nice system idle iowait irq softirq steal (guest time is already in user and nice)
    fields = [int(value) for value in stat_text.splitlines()[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / float(os.sysconf('SC_CLK_TCK'))


def audit_scaling(points):
    """The controller's cost of the audit at several fleet sizes.

    points: [{'hosts': N, 'seconds': wall, 'cpu_s': controller CPU-seconds}], any order ->
    the same points sorted by size, each with `per_host_cpu_s` and, from the second on,
    `marginal_cpu_s` (the CPU-seconds each host added since the previous size), plus
    `flatness`: the per-host cost at the largest size over the per-host cost at the one before
    it (at most 1.0 for a flat or falling cost; a cost that grows with the fleet is over 1).
    """
    rows = sorted((dict(point) for point in points), key=lambda point: point['hosts'])
    previous = None
    for row in rows:
        row['per_host_cpu_s'] = row['cpu_s'] / row['hosts']
        if previous is not None:
            row['marginal_cpu_s'] = (row['cpu_s'] - previous['cpu_s']) / (row['hosts'] - previous['hosts'])
        previous = row
    flatness = rows[-1]['per_host_cpu_s'] / rows[-2]['per_host_cpu_s'] if len(rows) > 1 else None
    return {'points': rows, 'flatness': flatness}
