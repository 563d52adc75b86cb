"""Daemon mode against the alternatives, side by side in one run (issue 6).

Four configurations of one WSGI app (benchmarks/container/app.wsgi: ~40 MB at import, a little
CPU per request, a line logged per load), each in its own container from
localhost/modwsgi-test/bench:12 (benchmarks/build_image.sh):

  1. trap     prefork + embedded, Debian's stock mpm_prefork.conf; measured cold (the first
              burst after a start) and warm (the next burst in which no child loads the app)
  2. role     modwsgi.apache.daemon_mode with its default variables
  3. express  mod_wsgi-express (PyPI) at the role's processes x threads (2 x 15)
  4. worker   worker + embedded, Debian's stock mpm_worker.conf

Each repetition starts Apache, sends one warm-up request, samples the idle memory, then runs
`ab` *inside* the container (bounded by count and time) while sampling PSS of Apache's whole
process tree (plugins/module_utils/_proc.py), then stops Apache. Repetitions are interleaved
across configurations. The table shows medians and ratios against the warm trap.

Then: reconfiguration under load (threads changed through the role: graceful reload; the MPM
switched: restart), and the cost of the automation (facts against setup, an idempotent second
role run against the first with its calls to the host, the audit's controller CPU per host at
1, 20 and 50 hosts).

`--smoke` runs one short repetition and checks only that everything ran and the direction
of the memory and load results; it never judges timings and needs no matplotlib.
Exit status: 0 when the harness worked (whatever the targets say), 1 otherwise.
"""

import argparse
import datetime
import json
import os
import re
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import benchlib  # noqa: E402

IMAGE = 'localhost/modwsgi-test/bench:12'
AUDIT_IMAGE = 'localhost/modwsgi-test/debian:12-apache'
# A fresh host: Debian 12 with neither Apache nor mod_wsgi, where the role's first run installs
# them (the full run only: apt alone takes minutes).
FRESH_IMAGE = 'localhost/modwsgi-test/debian:12'
PREFIX = 'modwsgi-bench-'
HOST = 'bench.test'
BIN = os.path.join(ROOT, '.venv', 'bin')

ENV = dict(os.environ)
ENV.setdefault('CONTAINERS_CONF', os.path.join(ROOT, 'tests', 'images', 'containers.conf'))
ENV.setdefault('ANSIBLE_COLLECTIONS_PATH', os.path.join(ROOT, '.cache', 'collections'))
ENV.update({'ANSIBLE_FORCE_COLOR': '0', 'ANSIBLE_HOST_KEY_CHECKING': 'False',
            'ANSIBLE_RETRY_FILES_ENABLED': 'False', 'ANSIBLE_NOCOLOR': '1'})
ENV['PATH'] = BIN + os.pathsep + ENV.get('PATH', '')

VHOST = """<VirtualHost *:80>
    ServerName {host}
    WSGIScriptAlias / /srv/bench/app.wsgi
    <Directory /srv/bench>
        <Files app.wsgi>
            Require all granted
        </Files>
    </Directory>
</VirtualHost>
""".format(host=HOST)

APP = {'name': 'bench', 'server_name': HOST, 'wsgi_script': '/srv/bench/app.wsgi',
       'python_home': '/srv/bench/venv'}


STARTED = time.monotonic()


def say(message):
    print('bench [%4.0f s] %s' % (time.monotonic() - STARTED, message), flush=True)


def run(cmd, check=True, timeout=900, **kwargs):
    result = subprocess.run(cmd, env=ENV, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise RuntimeError('%s failed (rc %d):\n%s' % (
            ' '.join(shlex.quote(c) for c in cmd), result.returncode, result.stdout[-3000:]))
    return result


def sh(container, script, check=True, timeout=600):
    return run(['podman', 'exec', container, '/bin/sh', '-c', script], check=check,
               timeout=timeout).stdout


def start_container(name, image):
    run(['podman', 'rm', '-f', name], check=False)
    run(['podman', 'run', '-d', '--name', name, '--hostname', name, '--systemd=always',
         '--cap-add', 'SYS_PTRACE', image, '/sbin/init'])


def wait_ready(name):
    # Right after the start, systemctl may not reach systemd's bus yet: ask again until it does.
    state = sh(name, 'for i in $(seq 180); do state=$(timeout 90 systemctl is-system-running --wait 2>&1); '
                     'case "$state" in running|degraded) break;; esac; sleep 0.5; done; echo "$state"').strip()
    if state not in ('running', 'degraded'):
        raise RuntimeError('%s: systemd did not come up (%s)' % (name, state))


def remove(names):
    for name in names:
        run(['podman', 'rm', '-f', '-t', '5', name], check=False)


# ---------------------------------------------------------------- the four configurations

def copy_files(name):
    sh(name, 'mkdir -p /srv/bench /var/log/bench && chmod 0777 /var/log/bench '
             '&& touch /var/log/bench/loads.log && chmod 0666 /var/log/bench/loads.log')
    for src, dest in [(os.path.join(HERE, 'container', 'app.wsgi'), '/srv/bench/app.wsgi'),
                      (os.path.join(HERE, 'container', 'sampler.py'), '/srv/bench/sampler.py'),
                      (os.path.join(HERE, 'container', 'steady.py'), '/srv/bench/steady.py'),
                      (os.path.join(HERE, 'container', 'module_times.py'), '/srv/bench/module_times.py'),
                      (os.path.join(ROOT, 'plugins', 'module_utils', '_proc.py'),
                       '/srv/bench/_proc.py')]:
        run(['podman', 'cp', src, '%s:%s' % (name, dest)])


def setup_embedded(name, mpm):
    """Debian's stock MPM config for `mpm`, the app embedded (no WSGIDaemonProcess)."""
    sh(name, 'systemctl stop apache2; a2dismod -q -f mpm_event mpm_worker mpm_prefork >/dev/null; '
             'a2enmod -q mpm_%s wsgi >/dev/null; cat > /etc/apache2/sites-available/bench.conf <<"EOF"\n'
             '%sEOF\na2ensite -q bench >/dev/null; apache2ctl -t' % (mpm, VHOST))


def setup_express(name, processes, threads):
    """mod_wsgi-express from PyPI (/opt/express) at the role's processes x threads, on port 80."""
    sh(name, 'systemctl disable --now apache2 >/dev/null 2>&1; '
             '/opt/express/bin/mod_wsgi-express setup-server /srv/bench/app.wsgi --port 80 '
             '--user www-data --group www-data --processes %d --threads %d '
             '--server-root /srv/express --log-directory /var/log/bench/express >/dev/null'
             % (processes, threads))


def write_inventory(directory, names, group='bench'):
    path = os.path.join(directory, 'inventory-%s.ini' % group)
    with open(path, 'w') as handle:
        handle.write('[%s]\n' % group)
        for name in names:
            handle.write('%s ansible_connection=containers.podman.podman '
                         'ansible_python_interpreter=/usr/bin/python3\n' % name)
    return path


def ansible_playbook(inventory, playbook, extra=None, forks=None, env=None):
    """Run ansible-playbook; return (seconds, output)."""
    cmd = [os.path.join(BIN, 'ansible-playbook'), '-i', inventory, playbook]
    if extra is not None:
        cmd += ['-e', json.dumps(extra)]
    if forks:
        cmd += ['-f', str(forks)]
    started = time.monotonic()
    saved = dict(ENV)
    ENV.update(env or {})
    try:
        out = run(cmd, timeout=900).stdout
    finally:
        ENV.clear()
        ENV.update(saved)
    return time.monotonic() - started, out


def service(config, name, action):
    if config == 'express':
        sh(name, '/srv/express/apachectl %s' % action)
        if action == 'stop':
            sh(name, 'for i in $(seq 60); do pgrep -x apache2 >/dev/null || exit 0; sleep 0.5; done; '
                     'echo still running; exit 1')
    elif action == 'stop':
        # Debian's unit stops with `apachectl graceful-stop`, which can wait for minutes on
        # the connections of a loaded prefork server: SIGTERM is Apache's immediate stop.
        sh(name, 'systemctl kill -s TERM apache2; for i in $(seq 120); do '
                 'systemctl is-active -q apache2 || break; sleep 0.5; done; '
                 'systemctl stop apache2; systemctl reset-failed apache2 2>/dev/null; true')
    else:
        sh(name, 'systemctl %s apache2' % action)


def warm_up(name):
    """Send one request at a time until one gets a 2xx answer (at most 60 s)."""
    sh(name, 'for i in $(seq 120); do out=$(ab -q -n 1 -H "Host: %s" http://127.0.0.1/ 2>&1); '
             'echo "$out" | grep -q "^Complete requests: *1" && echo "$out" | grep -q "^Failed requests: *0" '
             '&& ! echo "$out" | grep -q "^Non-2xx" && exit 0; sleep 0.5; done; exit 1' % HOST)


def burst(name, load):
    """One burst of `ab` inside the container while the sampler reads PSS -> dict of metrics."""
    before = int(sh(name, 'wc -l < /var/log/bench/loads.log'))
    script = (
        'rm -f /tmp/bench-stop; '
        'python3 /srv/bench/sampler.py --stop /tmp/bench-stop --max-seconds {limit} '
        '--interval 0.5 > /tmp/samples.json & '
        'timeout {limit} ab -r -q -t {seconds} -n {requests} -c {concurrency} '
        '-H "Host: {host}" http://127.0.0.1/ > /tmp/ab.txt 2>&1; '
        'echo "ab rc $?" >> /tmp/ab.txt; touch /tmp/bench-stop; wait'
    ).format(limit=load['seconds'] + 30, host=HOST, **load)
    sh(name, script, timeout=load['seconds'] + 90)
    after = int(sh(name, 'wc -l < /var/log/bench/loads.log'))
    samples = json.loads(sh(name, 'cat /tmp/samples.json'))
    ab_text = sh(name, 'cat /tmp/ab.txt')
    return dict(benchlib.parse_ab(ab_text), peak_pss_mb=samples['peak_pss_mb'],
                peak_procs=samples['peak_count'], loads=after - before, samples=samples['samples'],
                ab_text=ab_text)


# The most bursts that the warm row of a configuration gets (measure()).
WARM_TRIES = 4


def measure(config, name, load):
    """One repetition of one configuration -> {row: dict of benchlib.METRICS (and raw ab fields)}.

    The first burst comes right after Apache started and answered one request; a configuration
    with a warm row (the trap) gets more bursts right after the first, until one of them finds
    every child it needs already loaded (no app load in the burst; at most WARM_TRIES). The first
    burst can end before prefork has forked a child for each connection (it forks 1, 2, 4, ...
    a second), and the next one then still forks and loads: that one is not warm.
    """
    clock = [time.monotonic()]
    service(config, name, 'start')
    rows = {}
    try:
        warm_up(name)
        clock.append(time.monotonic())
        time.sleep(2)
        idle = json.loads(sh(name, 'python3 /srv/bench/sampler.py --once'))
        for row in [config] + ([benchlib.WARM_ROWS[config]] if config in benchlib.WARM_ROWS else []):
            for tries in range(1, (WARM_TRIES if row != config else 1) + 1):
                result = burst(name, load)
                if result['loads'] == 0:
                    break
            result['bursts'] = tries
            result.update(idle_pss_mb=idle['peak_pss_mb'], idle_procs=idle['peak_count'],
                          peak_pss_mb=max(result['peak_pss_mb'], idle['peak_pss_mb']),
                          peak_procs=max(result['peak_procs'], idle['peak_count']))
            rows[row] = result
            clock.append(time.monotonic())
    finally:
        service(config, name, 'stop')
    clock.append(time.monotonic())
    phases = '/'.join('%.0f' % (b - a) for a, b in zip(clock, clock[1:]))
    for result in rows.values():
        result['phases'] = phases
    return rows


# ---------------------------------------------------------------- reconfiguration under load

def under_load(name, inventory, extra, label):
    """Run the role with `extra` while a constant load runs; count failed requests."""
    pids = 'pgrep -f "^\\(wsgi:bench\\)" | sort -n | tr "\\n" " "'
    before = sh(name, pids, check=False).strip()
    logs = '/var/log/apache2/error.log /var/log/apache2/modwsgi-bench-error.log'
    sh(name, 'for f in %s; do [ -f $f ] && : > $f; done; true' % logs)  # Apache appends
    sh(name, 'rm -f /tmp/bench-steady-stop /tmp/steady.json')
    run(['podman', 'exec', '-d', name, '/bin/sh', '-c',
         'python3 /srv/bench/steady.py --concurrency 4 --rate 40 --max-seconds 300 > /tmp/steady.json'])
    time.sleep(3)
    seconds, out = ansible_playbook(inventory, os.path.join(HERE, 'role.yml'), extra)
    time.sleep(3)
    sh(name, 'touch /tmp/bench-steady-stop; for i in $(seq 120); do '
             '[ -s /tmp/steady.json ] && exit 0; sleep 0.5; done; exit 1')
    counts = json.loads(sh(name, 'cat /tmp/steady.json'))
    after = sh(name, pids, check=False).strip()
    # The error log lines written meanwhile that say why a request failed (not the notices).
    new = sh(name, 'cat %s 2>/dev/null | grep -v ":notice\\]" | '
                   'grep -iv "AH00489\\|AH00094\\|caught SIG" | cut -c1-300 | head -5'
             % logs, check=False).strip()
    counts['error_log'] = new.splitlines()
    counts.update(label=label, role_seconds=round(seconds, 1), changed=benchlib.recap_changed(out),
                  daemon_pids_before=before, daemon_pids_after=after)
    say('%s: %d requests, %d ok, %d failed, %d non-2xx (role run %.0f s, changed=%d, '
        'daemon pids %s -> %s); errors %s' % (
            label, counts['requests'], counts['ok'], counts['failed'], counts['non_2xx'], seconds,
            counts['changed'], before, after, counts['errors']))
    for line in counts['error_log']:
        say('   error log: ' + line)
    return counts


# ---------------------------------------------------------------- automation cost

def role_twice(inventory, app, label):
    """The role's first run, then its second (idempotent) run, on the inventory's host: their
    seconds, changed counts and calls to the host, and the second run's slowest tasks."""
    as_json = {'ANSIBLE_STDOUT_CALLBACK': 'ansible.posix.json'}
    playbook = os.path.join(HERE, 'role.yml')
    first_s, out = ansible_playbook(inventory, playbook, {'modwsgi_apps': [app]}, env=as_json)
    say('   %s: first run %.1f s, changed=%d, %d calls to the host' % (
        label, first_s, benchlib.json_changed(out), benchlib.host_calls(out)))
    second_s, out2 = ansible_playbook(inventory, playbook, {'modwsgi_apps': [app]}, env=as_json)
    spans2 = benchlib.task_spans(out2)
    result = {'first_s': first_s, 'second_s': second_s, 'ratio': second_s / first_s,
              'changed': benchlib.json_changed(out2), 'first_changed': benchlib.json_changed(out),
              'tasks': len(spans2), 'tasks_s': sum(t for dummy, t in spans2),
              'calls': benchlib.host_calls(out2), 'first_calls': benchlib.host_calls(out),
              'slowest': sorted(spans2, key=lambda span: -span[1])[:6]}
    say('   %s: second run %.1f s, changed=%d, %d calls to the host, %d tasks taking %.1f s; '
        'slowest: %s' % (label, second_s, result['changed'], result['calls'], len(spans2),
                         result['tasks_s'], '; '.join('%s %.1f s' % span for span in result['slowest'])))
    return result, out, out2


def fresh_host(workdir):
    """The role twice on a fresh Debian 12 (no Apache): the first run installs Apache and
    mod_wsgi, the second has nothing to do."""
    name = PREFIX + 'fresh'
    try:
        start_container(name, FRESH_IMAGE)
        wait_ready(name)
        # What the app brings on any host: its script, its log, its venv (the fresh image has no
        # python3-venv, hence no pip in it; the app needs no packages).
        sh(name, 'mkdir -p /srv/bench /var/log/bench && chmod 0777 /var/log/bench '
                 '&& touch /var/log/bench/loads.log && chmod 0666 /var/log/bench/loads.log '
                 '&& python3 -m venv --without-pip /srv/bench/venv')
        run(['podman', 'cp', os.path.join(HERE, 'container', 'app.wsgi'), '%s:/srv/bench/app.wsgi' % name])
        directory = os.path.join(workdir, 'fresh')  # role.yml plays on the group bench
        os.makedirs(directory, exist_ok=True)
        return role_twice(write_inventory(directory, [name]), APP, 'fresh host')
    finally:
        remove([name])


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
    dummy, out = ansible_playbook(inventory, playbook, {'bench_calls': calls},
                                  env={'ANSIBLE_STDOUT_CALLBACK': 'ansible.posix.json'})
    spans = benchlib.task_seconds(out)
    wire = {label: spans[task] / calls for label, task, dummy in FACTS_TASKS}

    sh(name, 'rm -rf /root/.ansible/tmp')
    ansible_playbook(inventory, playbook, {'bench_calls': 1}, env={'ANSIBLE_KEEP_REMOTE_FILES': '1'})
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


def cpu_busy():
    with open('/proc/stat') as handle:
        return benchlib.cpu_busy_seconds(handle.read())


def children_cpu():
    """CPU-seconds (user + system) of this process's finished children: ansible-playbook, its
    forks and the podman clients they ran; not the containers' own processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def audit_cost(sizes, workdir):
    """The audit playbook on fleets of each size in `sizes` (forks = the size): wall seconds and
    the controller's CPU-seconds, whole and per audited host."""
    names = ['%saudit-%02d' % (PREFIX, i) for i in range(1, max(sizes) + 1)]
    points = []
    try:
        say('audit: starting %d containers from %s' % (len(names), AUDIT_IMAGE))
        for name in names:
            start_container(name, AUDIT_IMAGE)
        for name in names:
            wait_ready(name)
        for count in sizes:
            inventory = write_inventory(workdir, names[:count], 'audit%d' % count)
            output = os.path.join(workdir, 'audit-%d' % count)
            cpu = children_cpu()
            seconds, dummy = ansible_playbook(inventory, 'modwsgi.apache.audit', forks=count,
                                              extra={'modwsgi_audit_output_dir': output})
            cpu = children_cpu() - cpu
            if not os.path.exists(os.path.join(output, 'report.json')):
                raise RuntimeError('the audit of %d hosts wrote no report.json' % count)
            points.append({'hosts': count, 'seconds': seconds, 'cpu_s': cpu})
            say('   audit of %d host(s): %.1f s, controller %.1f CPU-s (%.2f per host)' % (
                count, seconds, cpu, cpu / count))
    finally:
        remove(names)
    return benchlib.audit_scaling(points)


# ---------------------------------------------------------------- report

# The automation goals: facts on the host against setup; the idempotent second role run against
# the first, with at most this many calls to the host and nothing changed; the audit's controller
# CPU per host at the largest fleet against the one before it (flat: at most 1.0x).
FACTS_GOAL = 0.4
SECOND_RUN_GOAL = 0.3
SECOND_RUN_CALLS = 8
# The first run on the bench image in the run published on 2026-11-27 (issue 12's "today").
EARLIER_FIRST_RUN_S = 45.3
AUDIT_FLATNESS_GOAL = 1.0


def automation_rows(auto):
    """(label, measured, value, op, goal, kind): kind 'ratio' prints NNx, 'value' a count."""
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
        rows.append(('second role run, %s: changed' % where, '%d' % i['changed'], i['changed'], '<=', 0, 'value'))
    if 'fresh' in auto and 'idempotent' in auto:
        f, i = auto['fresh'], auto['idempotent']
        rows.append(('first role run: fresh host (installs Apache + mod_wsgi) vs the bench image (%.1f s '
                     'in docs/benchmarks.md of 2026-11-27; not judged)' % EARLIER_FIRST_RUN_S,
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


def automation_table(auto):
    lines = ['| automation | measured | value | goal | status |', '|---|---:|---:|---:|:---:|']
    for label, measured, value, op, goal, kind in automation_rows(auto):
        shown = '%.2fx' % value if kind == 'ratio' else ('%.2f' % value if isinstance(value, float) else '%d' % value)
        if goal is None:
            lines.append('| %s | %s | %s | - | - |' % (label, measured, shown))
        else:
            wanted = '%s %.2fx' % (op, goal) if kind == 'ratio' else '%s %d' % (op, goal)
            lines.append('| %s | %s | %s | %s | %s |' % (
                label, measured, shown, wanted, benchlib.judge(value, op, goal)))
    for key, where in (('fresh', 'fresh host'), ('idempotent', 'bench image')):
        if key in auto:
            lines.append('')
            lines.append('The second run\'s slowest tasks (%s): ' % where + '; '.join(
                '%s (%.1f s)' % span for span in auto[key]['slowest']) + '.')
    return '\n'.join(lines)


def reconfig_table(reconf):
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
    goal = [r for r in reconf if r['how'].startswith('graceful')]
    if goal:
        lines.append('')
        lines.append('Target: failed requests during a graceful reload = 0: %s (%d failed, %d non-2xx).' % (
            'PASS' if all(r['failed'] + r['non_2xx'] == 0 for r in goal) else 'MISS',
            sum(r['failed'] for r in goal), sum(r['non_2xx'] for r in goal)))
    return '\n'.join(lines)


def plot(summary, path):
    import matplotlib  # pinned in benchmarks/requirements.txt; only the full run needs it
    matplotlib.use('Agg')
    from matplotlib import pyplot

    keys = [key for key, dummy in benchlib.CONFIGS if key in summary]
    labels = ['%d. %s' % (i, k) for i, (k, d) in enumerate(benchlib.CONFIGS, 1) if k in summary]
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


def write_doc(path, text_blocks):
    with open(path, 'w') as handle:
        handle.write('\n'.join(text_blocks).rstrip() + '\n')


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--smoke', action='store_true', help='one short repetition; direction checks only')
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--requests', type=int, default=10000)
    parser.add_argument('--concurrency', type=int, default=50)
    parser.add_argument('--seconds', type=int, default=40, help='time limit of each ab run')
    parser.add_argument('--audit-hosts', type=int, nargs='+', default=[1, 20, 50],
                        help='the fleet sizes the audit runs on')
    parser.add_argument('--doc', default=os.path.join(ROOT, 'docs', 'benchmarks.md'),
                        help='where to write the results (full runs only)')
    parser.add_argument('--no-doc', action='store_true')
    parser.add_argument('--keep', action='store_true', help='keep the four containers')
    parser.add_argument('--save-raw', metavar='DIR', help='save the raw ab and ansible outputs there')
    args = parser.parse_args()
    # Interrupted or terminated (even from a background job, where SIGINT is ignored): the
    # `finally` below still removes the containers.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if args.smoke:
        args.repeat, args.requests, args.seconds, args.audit_hosts = 1, 2000, 20, [1, 2]
        args.no_doc = True
    load = {'requests': args.requests, 'concurrency': args.concurrency, 'seconds': args.seconds}
    started = time.monotonic()
    load_avg = [os.getloadavg()]

    say('image: %s (benchmarks/build_image.sh builds it once)' % IMAGE)
    t0 = time.monotonic()
    run([os.path.join(HERE, 'build_image.sh')], timeout=1800)
    say('image ready in %.0f s' % (time.monotonic() - t0))

    names = {key: PREFIX + key for key in benchlib.CONTAINERS}
    workdir = tempfile.mkdtemp(prefix='modwsgi-bench-')
    runs = {key: [] for key, dummy in benchlib.CONFIGS}
    auto, reconf, versions, raw = {}, [], {}, {}
    try:
        say('containers: %s' % ', '.join(names.values()))
        for name in names.values():
            start_container(name, IMAGE)
        for key, name in names.items():
            wait_ready(name)
            copy_files(name)
        say('1. trap: prefork + embedded, stock mpm_prefork.conf')
        setup_embedded(names['trap'], 'prefork')
        say('4. worker: worker + embedded, stock mpm_worker.conf')
        setup_embedded(names['worker'], 'worker')
        say('2. role: modwsgi.apache.daemon_mode with default variables, twice (idempotence)')
        inventory = write_inventory(workdir, [names['role']])
        # The smoke run too: changed=0 and the number of calls to the host are counts, not times.
        auto['idempotent'], raw['role-first.json'], raw['role-second.json'] = role_twice(
            inventory, APP, 'bench image')
        # Timed here, before any burst: the machine is as quiet as it gets in this run.
        say('automation: facts against setup')
        auto['facts'], raw['facts_cost.json'] = facts_cost(inventory, names['role'], 1 if args.smoke else 3,
                                                           3 if args.smoke else 9)
        if not args.smoke:
            say('automation: the role on a fresh host (%s), twice' % FRESH_IMAGE)
            auto['fresh'], raw['fresh-first.json'], raw['fresh-second.json'] = fresh_host(workdir)
        conf = sh(names['role'], 'grep -h "WSGIDaemonProcess" /etc/apache2/sites-enabled/*.conf')
        match = re.search(r'processes=(\d+) threads=(\d+)', conf)
        processes, threads = int(match.group(1)), int(match.group(2))
        sh(names['role'], 'systemctl stop apache2')
        say('3. express: mod_wsgi-express --processes %d --threads %d (as the role wrote)' % (processes, threads))
        setup_express(names['express'], processes, threads)
        versions = {
            'apache': sh(names['trap'], 'apache2 -v | head -1').strip(),
            'mod_wsgi (Debian)': sh(names['trap'], "dpkg-query -W -f '${Version}' libapache2-mod-wsgi-py3"),
            'mod_wsgi (PyPI, express)': sh(names['express'],
                                           '/opt/express/bin/pip show mod_wsgi | sed -n "s/^Version: //p"').strip(),
            'express MPM': sh(names['express'], 'grep -o "MPM_ENABLE_[A-Z]*" /srv/express/apachectl '
                                                '| head -1 | cut -d_ -f3 | tr A-Z a-z', check=False).strip(),
            'role daemon': conf.strip(),
        }

        for item in versions.items():
            say('version: %s: %s' % item)
        order = list(benchlib.CONTAINERS)
        for rep in range(args.repeat):
            # Rotate the order each repetition, so no configuration always runs first.
            for config in order[rep % len(order):] + order[:rep % len(order)]:
                for key, result in measure(config, names[config], load).items():
                    raw['ab-%s-%d.txt' % (key, rep + 1)] = result.pop('ab_text')
                    runs[key].append(result)
                    say('rep %d/%d %-9s idle %6.1f MB, peak %7.1f MB, %3d procs, %6.0f req/s, p50 %3d ms, '
                        'p99 %4d ms, failed %d, non-2xx %d, loads %d, burst %d (s: start/bursts/stop %s)' % (
                            rep + 1, args.repeat, key, result['idle_pss_mb'], result['peak_pss_mb'],
                            result['peak_procs'], result['rps'], result['p50_ms'], result['p99_ms'],
                            result['failed'], result['non_2xx'], result['loads'], result['bursts'],
                            result['phases']))
        summary = {key: benchlib.medians(runs[key]) for key in runs}
        targets = benchlib.evaluate_targets(summary)
        load_avg.append(os.getloadavg())

        say('reconfiguration under load (role container)')
        service('role', names['role'], 'start')
        reconf.append(dict(under_load(names['role'], inventory,
                                      {'modwsgi_apps': [dict(APP, threads=threads - 5)]},
                                      'threads %d -> %d' % (threads, threads - 5)),
                           how='graceful reload (role handler)'))
        if not args.smoke:
            reconf.append(dict(under_load(names['role'], inventory,
                                          {'modwsgi_apps': [dict(APP, threads=threads - 5)],
                                           'modwsgi_mpm': 'worker'}, 'MPM event -> worker'),
                               how='restart (role handler)'))

        if not args.keep:
            remove(names.values())
        sizes = sorted(set(args.audit_hosts))
        say('automation: the audit on %s hosts' % ', '.join(map(str, sizes)))
        auto['audit'] = audit_cost(sizes, workdir)
    finally:
        if not args.keep:
            remove(names.values())
    load_avg.append(os.getloadavg())
    if args.save_raw:
        os.makedirs(args.save_raw, exist_ok=True)
        for filename, text in raw.items():
            with open(os.path.join(args.save_raw, filename), 'w') as handle:
                handle.write(text)
        say('raw outputs saved in %s' % args.save_raw)

    settings = ('ab -c %d -n %d (time limit %d s), %d repetition(s), medians' % (
        args.concurrency, args.requests, args.seconds, args.repeat))
    blocks = [
        '## Results (%s)' % settings, '',
        benchlib.results_table(summary), '',
        'The warm trap is the first burst after the cold one in which no child loaded the app '
        '(at most %d bursts): the burst it took, per repetition: %s.' % (
            WARM_TRIES, ', '.join('%d (%d loads)' % (r['bursts'], r['loads']) for r in runs['trap_warm'])), '',
        '## Targets', '', benchlib.targets_table(targets), '',
        '## Reconfiguration under load', '', reconfig_table(reconf), '',
        '## Automation cost', '', automation_table(auto), '',
    ]
    print('\n' + '\n'.join(blocks))
    elapsed = time.monotonic() - started
    say('done in %.0f s; load average (1 min) %.1f at start, %.1f after the bursts, %.1f at the end' % (
        elapsed, load_avg[0][0], load_avg[1][0], load_avg[2][0]))

    problems = []
    for key in runs:
        if len(runs[key]) != args.repeat:
            problems.append('%s: %d runs of %d' % (key, len(runs[key]), args.repeat))
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
        if key in auto and auto[key]['changed'] != 0:
            problems.append('the second role run (%s) changed %d things' % (key, auto[key]['changed']))
        if key in auto and auto[key]['calls'] > SECOND_RUN_CALLS:
            problems.append('the second role run (%s) reached the host %d times (at most %d)' % (
                key, auto[key]['calls'], SECOND_RUN_CALLS))

    if not args.no_doc:
        png = os.path.splitext(args.doc)[0] + '.png'
        plot(summary, png)
        doc = [
            '# Benchmarks: daemon mode against the alternatives', '',
            'Written by `make bench` (`benchmarks/daemon_mode.py`, see benchmarks/README.md) on %s UTC, '
            'in %.0f s. Each configuration runs in its own container from `%s`; the load (`ab`) runs '
            'inside the container. Machine: %d CPUs (1-minute load average, the bursts of this run included: %.1f at '
            'the start, %.1f after the bursts, %.1f at the end).' % (
                datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M'), elapsed, IMAGE,
                os.cpu_count(), load_avg[0][0], load_avg[1][0], load_avg[2][0]), '',
            'Versions: ' + '; '.join('%s: `%s`' % item for item in versions.items()), '',
            '![memory and req/s per configuration](%s)' % os.path.basename(png), '',
        ] + blocks + [
            '## Every run', '', '```',
            json.dumps({k: [{m: r[m] for m in benchlib.METRICS} for r in v] for k, v in runs.items()},
                       indent=1), '```', '',
            'How each number is measured, and what the misses mean: benchmarks/README.md.',
        ]
        write_doc(args.doc, doc)
        say('wrote %s and %s' % (os.path.relpath(args.doc, ROOT), os.path.relpath(png, ROOT)))

    if problems:
        for problem in problems:
            say('FAILED: ' + problem)
        return 1
    say('harness OK' + (' (smoke: directions only, no timing judged)' if args.smoke else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
