"""The bench's goals, as data, and judge(): every PASS or MISS the bench reports comes from it."""

# The reference of every ratio in the results: the warm trap. A single ratio against the trap
# would depend on which state it caught (cold or warm); memory is the stable gap.
REFERENCE = 'trap_warm'

# The targets of the configurations: (label, configuration, metric, reference configuration,
# op, goal). op '<=' means the ratio must be at most the goal, '>=' at least. A reference of
# None means the absolute value is compared with the goal. Against the trap, the goals are set
# against the warm trap (issue 12): memory is the stable gap; req/s must at least match.
TARGETS = (
    ('role vs warm trap: peak memory', 'role', 'peak_pss_mb', 'trap_warm', '<=', 0.05),
    ('role vs warm trap: req/s', 'role', 'rps', 'trap_warm', '>=', 1.0),
    ('role: app loads during the burst', 'role', 'loads', None, '<=', 0),
    ('role vs mod_wsgi-express: peak memory', 'role', 'peak_pss_mb', 'express', '<=', 1.1),
    ('role vs mod_wsgi-express: req/s', 'role', 'rps', 'express', '>=', 1.0),
    ('role vs worker + embedded: req/s', 'role', 'rps', 'worker', '>=', 0.8),
)

# The sizing sweep's targets (sizing_sweep.py, issue 24), for each app: the recommendation of
# modwsgi.apache.group_metrics at most one grid step from the sweep's best point (bench/sweep.py
# says what a step is); with the recommended size, the role's req/s at least the warm trap's, at
# no more than a tenth of its peak memory (the role's: the front end and the app's group).
SIZING_TARGETS = (
    ("recommendation vs the sweep's best: grid steps", 'sweep', 'steps', None, '<=', 1.0),
    ('role at the recommended size vs warm trap: req/s', 'role', 'rps', 'trap_warm', '>=', 1.0),
    ('role at the recommended size vs warm trap: peak memory', 'role', 'peak_pss_mb', 'trap_warm', '<=', 0.1),
)

# Failed (or non-2xx) requests during a graceful reload under load: at most this many.
RELOAD_FAILED_GOAL = 0

# The automation goals: facts on the host against setup; the idempotent second role run against
# the first on a fresh host, with at most this many calls to the host and nothing changed; the
# audit's controller CPU per host at the largest fleet against the one before it (flat: at most
# 1.0x).
FACTS_GOAL = 0.4
SECOND_RUN_GOAL = 0.3
SECOND_RUN_CALLS = 8
SECOND_RUN_CHANGED = 0
AUDIT_FLATNESS_GOAL = 1.0


def ratio(value, reference):
    """value / reference, or None when the reference is 0 or missing."""
    if value is None or not reference:
        return None
    return value / reference


def judge(value, op, goal):
    """'PASS' or 'MISS' (or 'n/a' when there is no value)."""
    if value is None:
        return 'n/a'
    ok = value <= goal if op == '<=' else value >= goal
    return 'PASS' if ok else 'MISS'


def missed_by(value, op, goal):
    """How far `value` is on the wrong side of `goal`: 0.0 when judge() says PASS, None without
    a value."""
    if value is None:
        return None
    return max(0.0, goal - value if op == '>=' else value - goal)


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


def directions(runs, summary, auto, repeat):
    """What every run, the smoke run included, must show whatever the timings: each row ran
    and served requests; the role below the trap in memory and processes, with no app load
    during its burst, while the trap loads the app; the role's second run changed nothing and
    reached the host at most SECOND_RUN_CALLS times. -> the list of problems (empty: harness OK).
    """
    problems = []
    for key in runs:
        if len(runs[key]) != repeat:
            problems.append('%s: %d runs of %d' % (key, len(runs[key]), repeat))
        elif summary[key].get('rps', 0) <= 0:
            problems.append('%s: no requests served' % key)
    if summary['role']['peak_pss_mb'] >= summary['trap']['peak_pss_mb']:
        problems.append('role peak memory is not below the trap: %s' % summary['role']['peak_pss_mb'])
    if summary['role']['loads'] != 0:
        problems.append('role: the app loaded %s times during the burst' % summary['role']['loads'])
    if summary['trap']['loads'] < 1:
        problems.append('trap: the app never loaded during the burst (the harness counts no loads?)')
    if summary['role']['peak_procs'] >= summary['trap']['peak_procs']:
        problems.append('role has as many processes as the trap')
    for key in ('idempotent', 'fresh'):
        if key in auto and judge(auto[key]['changed'], '<=', SECOND_RUN_CHANGED) != 'PASS':
            problems.append('the second role run (%s) changed %d things' % (key, auto[key]['changed']))
        if key in auto and judge(auto[key]['calls'], '<=', SECOND_RUN_CALLS) != 'PASS':
            problems.append('the second role run (%s) reached the host %d times (at most %d)' % (
                key, auto[key]['calls'], SECOND_RUN_CALLS))
    return problems
