"""What the bench measures: each repetition's memory, processes and ab numbers, the role's runs, the facts' cost, the audit's CPU, a reload under load."""

import datetime
import json
import os
import re
import resource
import shlex
import statistics
import time

from . import hosts, load
from .shell import HERE, say, sh

# The rows of the results, in order. The trap is measured twice in each repetition: cold,
# the first burst after Apache starts (it forks children and each one loads the app), and warm,
# the first burst after it in which no child loads the app (the children are already loaded).
CONFIGS = (
    ('trap', 'prefork + embedded (Debian MPM defaults), cold: first burst after a start'),
    ('trap_warm', 'prefork + embedded, warm: a burst right after, with every child loaded'),
    ('role', 'role daemon_mode, default variables'),
    ('express', 'mod_wsgi-express (PyPI), same processes x threads'),
    ('worker', 'worker + embedded (no daemon hop)'),
)

# The extra row that a configuration's container gets, from the bursts right after its first.
WARM_ROWS = {'trap': 'trap_warm'}
# The most bursts that the warm row of a configuration gets (measure()).
WARM_TRIES = 4

# The metrics of one run, and of their medians.
METRICS = ['idle_pss_mb', 'peak_pss_mb', 'peak_procs', 'rps', 'p50_ms', 'p99_ms',
           'failed', 'non_2xx', 'loads']


# ---------------------------------------------------------------- the configurations under load

def idle_sample(name, group=None):
    """One sample of Apache's process tree at rest (or of `group` and the front end):
    {'peak_pss_mb', 'peak_count', ...}."""
    return json.loads(sh(name, 'python3 /srv/bench/sampler.py --once' + (
        ' --group %s' % shlex.quote(group) if group else '')))


def measure(config, name, load_settings, host=hosts.HOST, group=None):
    """One repetition of one configuration -> {row: dict of METRICS (and raw ab fields)}.

    host: the virtual host the load asks for; group: the daemon group whose memory (with the
    front end's) the sampler reads instead of the whole tree (load.burst).

    The first burst comes right after Apache started and answered one request; a configuration
    with a warm row (the trap) gets more bursts right after the first, until one of them finds
    every child it needs already loaded (no app load in the burst; at most WARM_TRIES). The first
    burst can end before prefork has forked a child for each connection (it forks 1, 2, 4, ...
    a second), and the next one then still forks and loads: that one is not warm.
    """
    clock = [time.monotonic()]
    hosts.service(config, name, 'start')
    rows = {}
    try:
        load.warm_up(name, host)
        clock.append(time.monotonic())
        time.sleep(2)
        idle = idle_sample(name, group)
        for row in [config] + ([WARM_ROWS[config]] if config in WARM_ROWS else []):
            for tries in range(1, (WARM_TRIES if row != config else 1) + 1):
                result = load.burst(name, load_settings, host, group)
                if result['loads'] == 0:
                    break
            result['bursts'] = tries
            result.update(idle_pss_mb=idle['peak_pss_mb'], idle_procs=idle['peak_count'],
                          peak_pss_mb=max(result['peak_pss_mb'], idle['peak_pss_mb']),
                          peak_procs=max(result['peak_procs'], idle['peak_count']))
            rows[row] = result
            clock.append(time.monotonic())
    finally:
        hosts.service(config, name, 'stop')
    clock.append(time.monotonic())
    phases = '/'.join('%.0f' % (b - a) for a, b in zip(clock, clock[1:]))
    for result in rows.values():
        result['phases'] = phases
    return rows


def medians(runs):
    """A list of per-run dicts -> one dict of the median of each metric present in all runs."""
    keys = [key for key in METRICS if runs and all(run.get(key) is not None for run in runs)]
    return {key: statistics.median(run[key] for run in runs) for key in keys}


# ---------------------------------------------------------------- reconfiguration under load

def under_load(name, inventory, extra, label):
    """Run the role with `extra` while a constant load runs; count failed requests."""
    pids = 'pgrep -f "^\\(wsgi:bench\\)" | sort -n | tr "\\n" " "'
    before = sh(name, pids, check=False).strip()
    logs = '/var/log/apache2/error.log /var/log/apache2/modwsgi-bench-error.log'
    sh(name, 'for f in %s; do [ -f $f ] && : > $f; done; true' % logs)  # Apache appends
    load.start_steady(name)
    time.sleep(3)
    seconds, out = hosts.role(inventory, extra)
    time.sleep(3)
    counts = load.stop_steady(name)
    after = sh(name, pids, check=False).strip()
    # The error log lines written meanwhile that say why a request failed (not the notices).
    new = sh(name, 'cat %s 2>/dev/null | grep -v ":notice\\]" | '
                   'grep -iv "AH00489\\|AH00094\\|caught SIG" | cut -c1-300 | head -5'
             % logs, check=False).strip()
    counts['error_log'] = new.splitlines()
    counts.update(label=label, role_seconds=round(seconds, 1), changed=recap_changed(out),
                  daemon_pids_before=before, daemon_pids_after=after)
    say('%s: %d requests, %d ok, %d failed, %d non-2xx (role run %.0f s, changed=%d, '
        'daemon pids %s -> %s); errors %s' % (
            label, counts['requests'], counts['ok'], counts['failed'], counts['non_2xx'], seconds,
            counts['changed'], before, after, counts['errors']))
    for line in counts['error_log']:
        say('   error log: ' + line)
    return counts


# ---------------------------------------------------------------- a group measured by the collection

METRICS_TASK = 'Measure the groups'  # sizing_metrics.yml's task


def group_metrics(inventory, name, target, window, load_settings, host):
    """modwsgi.apache.group_metrics (sizing_metrics.yml) on one group over `window` seconds,
    while `load_settings` runs on `host` in the container (started before, stopped after) ->
    (the group's result, with its recommendation; ab's report of that load; the playbook's output)."""
    load.start_ab(name, dict(load_settings, seconds=window + 90), host)
    try:
        time.sleep(3)  # the load reaches its level before the first read
        dummy, out = hosts.ansible_playbook(
            inventory, os.path.join(HERE, 'sizing_metrics.yml'),
            {'sizing_targets': [target], 'sizing_window': window},
            env={'ANSIBLE_STDOUT_CALLBACK': 'ansible.posix.json'})
    finally:
        ab_text = load.stop_ab(name)
    return task_result(out, METRICS_TASK)['groups'][0], ab_text, out


# ---------------------------------------------------------------- automation cost

def role_twice(inventory, app, label):
    """The role's first run, then its second (idempotent) run, on the inventory's host: their
    seconds, changed counts and calls to the host, and the second run's slowest tasks."""
    as_json = {'ANSIBLE_STDOUT_CALLBACK': 'ansible.posix.json'}
    first_s, out = hosts.role(inventory, {'modwsgi_apps': [app]}, env=as_json)
    say('   %s: first run %.1f s, changed=%d, %d calls to the host' % (
        label, first_s, json_changed(out), host_calls(out)))
    second_s, out2 = hosts.role(inventory, {'modwsgi_apps': [app]}, env=as_json)
    spans2 = task_spans(out2)
    result = {'first_s': first_s, 'second_s': second_s, 'ratio': second_s / first_s,
              'changed': json_changed(out2), 'first_changed': json_changed(out),
              'tasks': len(spans2), 'tasks_s': sum(t for dummy, t in spans2),
              'calls': host_calls(out2), 'first_calls': host_calls(out),
              'slowest': sorted(spans2, key=lambda span: -span[1])[:6]}
    say('   %s: second run %.1f s, changed=%d, %d calls to the host, %d tasks taking %.1f s; '
        'slowest: %s' % (label, second_s, result['changed'], result['calls'], len(spans2),
                         result['tasks_s'], '; '.join('%s %.1f s' % span for span in result['slowest'])))
    return result, out, out2


def fresh_host(workdir):
    """The role twice on a fresh Debian 12 (no Apache): the first run installs Apache and
    mod_wsgi, the second has nothing to do."""
    name = hosts.PREFIX + 'fresh'
    try:
        hosts.prepare_fresh(name)
        directory = os.path.join(workdir, 'fresh')  # role.yml plays on the group bench
        os.makedirs(directory, exist_ok=True)
        return role_twice(hosts.write_inventory(directory, [name]), hosts.APP, 'fresh host')
    finally:
        hosts.remove([name])


# The timed tasks of facts_cost.yml, in order: (label, task name, the module's AnsiballZ name).
# The playbook's first task, a ping, only warms the connection.
FACTS_TASKS = [('setup', 'Time ansible.builtin.setup', 'setup'),
               ('mpm_facts', 'Time modwsgi.apache.mpm_facts', 'mpm_facts'),
               ('wsgi_facts', 'Time modwsgi.apache.wsgi_facts', 'wsgi_facts'),
               ('both', 'Time modwsgi.apache.wsgi_facts with apache_facts', 'wsgi_facts'),
               ('ping', 'Time ansible.builtin.ping', 'ping')]


def facts_cost(inventory, name, calls, rounds):
    """Per call: each module through Ansible (this harness's podman connection), and on the
    host alone (the AnsiballZ payloads Ansible left there, timed in the container)."""
    playbook = os.path.join(HERE, 'facts_cost.yml')
    dummy, out = hosts.ansible_playbook(inventory, playbook, {'bench_calls': calls},
                                        env={'ANSIBLE_STDOUT_CALLBACK': 'ansible.posix.json'})
    spans = task_seconds(out)
    wire = {label: spans[task] / calls for label, task, dummy in FACTS_TASKS}

    sh(name, 'rm -rf /root/.ansible/tmp')
    hosts.ansible_playbook(inventory, playbook, {'bench_calls': 1}, env={'ANSIBLE_KEEP_REMOTE_FILES': '1'})
    # ansible-tmp-<epoch>-<pid>-<random>: in task order by the epoch.
    dirs = sorted(sh(name, 'ls -d /root/.ansible/tmp/ansible-tmp-*').split(),
                  key=lambda path: float(os.path.basename(path).split('-')[2]))
    if len(dirs) != 1 + len(FACTS_TASKS):
        raise RuntimeError('expected %d kept payloads, found %d: %s' % (1 + len(FACTS_TASKS), len(dirs), dirs))
    payloads = []
    for (label, dummy, module), directory in zip([('warm-up', None, 'ping')] + FACTS_TASKS, dirs):
        path = '%s/AnsiballZ_%s.py' % (directory, module)
        sh(name, 'test -f %s' % shlex.quote(path))
        payloads.append('%s=%s' % (label, path))
    payloads = payloads[1:]  # the warm-up is not timed
    # Beside them, the one httpd run that reads the configuration (-S -M, through apache2ctl on
    # Debian, as the facts run it): with ping, the floor under the facts on this host.
    payloads.append('httpd=cmd:apache2ctl -S -M')
    host = json.loads(sh(name, 'python3 /srv/bench/module_times.py %d %s' % (
        rounds, ' '.join(shlex.quote(p) for p in payloads))))
    sh(name, 'rm -rf /root/.ansible/tmp')
    for where, times in (('through Ansible', wire), ('on the host', host)):
        say('   %s, per call: setup %.2f s, mpm_facts %.2f s, wsgi_facts %.2f s, '
            'wsgi_facts with apache_facts %.2f s, ping %.2f s%s' % (
                where, times['setup'], times['mpm_facts'], times['wsgi_facts'], times['both'], times['ping'],
                '; apache2ctl -S -M %.2f s' % times['httpd'] if 'httpd' in times else ''))
    return {'wire': wire, 'host': host, 'calls': calls, 'rounds': rounds}, out


def children_cpu():
    """CPU-seconds (user + system) of this process's finished children: ansible-playbook, its
    forks and the podman clients they ran; not the containers' own processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def audit_cost(sizes, workdir):
    """The audit playbook on fleets of each size in `sizes` (forks = the size): wall seconds and
    the controller's CPU-seconds, whole and per audited host."""
    names = ['%saudit-%02d' % (hosts.PREFIX, i) for i in range(1, max(sizes) + 1)]
    points = []
    try:
        say('audit: starting %d containers from %s' % (len(names), hosts.AUDIT_IMAGE))
        hosts.start_all(names, hosts.AUDIT_IMAGE)
        for count in sizes:
            inventory = hosts.write_inventory(workdir, names[:count], 'audit%d' % count)
            output = os.path.join(workdir, 'audit-%d' % count)
            cpu = children_cpu()
            seconds, dummy = hosts.ansible_playbook(inventory, 'modwsgi.apache.audit', forks=count,
                                                    extra={'modwsgi_audit_output_dir': output})
            cpu = children_cpu() - cpu
            if not os.path.exists(os.path.join(output, 'report.json')):
                raise RuntimeError('the audit of %d hosts wrote no report.json' % count)
            points.append({'hosts': count, 'seconds': seconds, 'cpu_s': cpu})
            say('   audit of %d host(s): %.1f s, controller %.1f CPU-s (%.2f per host)' % (
                count, seconds, cpu, cpu / count))
    finally:
        hosts.remove(names)
    return audit_scaling(points)


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


# ---------------------------------------------------------------- ansible-playbook's output

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


def task_result(json_output, task_name):
    """The result of the task named `task_name` on the one host it ran on, in the output of the
    ansible.posix.json callback; ValueError when it did not run there once."""
    found = [result for play in _json_report(json_output)['plays'] for task in play['tasks']
             if task['task']['name'] == task_name for result in task['hosts'].values()]
    if len(found) != 1:
        raise ValueError('task %r: %d results, expected one' % (task_name, len(found)))
    return found[0]


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
