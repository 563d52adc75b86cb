"""Sizing a daemon group, proved in the bench (issue 24 item 3): `make bench-sizing`.

Two apps with known profiles (bench/sweep.py PROFILES): the bench app (about 40 MB at import,
container/app.wsgi) with about 20 ms of CPU per request (cpu), and with about 200 ms of waiting
(io). Three containers from localhost/modwsgi-test/bench:12 (benchmarks/build_image.sh):

  sweep  the role modwsgi.apache.daemon_mode, run once, serves every point of the grid of
         processes x threads (bench/sweep.py GRID_*) for each app, each point an app of its own
         (its own virtual host and daemon group), and each app at the role's default size (2 x 15)
  role   the role, with each app at the size that group_metrics recommended
  trap   prefork + embedded (Debian's stock mpm_prefork.conf), one app at a time

In order: the role on sweep; modwsgi.apache.group_metrics (as the audit runs it) measures each
app's group at the default size under the fixed load, and its recommendation
(_group_sizing.recommend, inside the module) is taken; the role on role, at those sizes; every
grid point under the fixed load (ab inside the container, one point at a time, the cpu and io
points interleaved), with p99, req/s and the group's peak PSS; then, per app, the role at the
recommended size and the trap (cold, then warm: measurement.measure), in turn, --repeat times.

The fixed load, the same for every measurement: `ab -c 50` for --seconds seconds (-n 100000
bounds it by count too), inside the container. The best point of a grid: the lowest p99, ties
(within 10 %, or 5 ms) broken by the group's lower memory. Targets (targets.SIZING_TARGETS), for
each app: the recommendation within one grid step of the best; with it, the role's req/s at
least 1.0x the warm trap's, at no more than 0.1x its peak memory. Each is PASS, or MISS and by
how much. The load average is recorded before and after each measurement; a start above 1.0
is reported as a machine that was not quiet.

`--smoke`: a 2 x 2 grid and short runs, to check the harness; it judges nothing (the targets are
printed, not meant) and exits 1 only if a part of the harness failed (sweep.problems). A full run
writes its results into docs/sizing.md (between the markers of its section "Proved in the bench").
"""

import argparse
import datetime
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import hosts, load, measurement, report, sweep  # noqa: E402  pylint: disable=wrong-import-position
from bench.shell import ROOT, handle_signals, save_raw, say  # noqa: E402  pylint: disable=wrong-import-position

PREFIX = hosts.PREFIX + 'sizing-'
CONTAINERS = ('sweep', 'role', 'trap')
APPS_DIR = '/srv/sizing'
# A 1-minute load average above this at the start: the machine was not quiet.
QUIET_LOAD = 1.0
DEFAULT = 'default'  # the name suffix of each app at the role's default size, on sweep


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--smoke', action='store_true', help='a 2 x 2 grid and short runs; judges nothing')
    parser.add_argument('--concurrency', type=int, default=50)
    parser.add_argument('--seconds', type=int, default=12, help='the length of each ab run')
    parser.add_argument('--requests', type=int, default=100000, help="ab's -n, a bound by count")
    parser.add_argument('--window', type=int, default=10, help="group_metrics' window, seconds")
    parser.add_argument('--repeat', type=int, default=1, help='runs of the role and the trap, per app')
    parser.add_argument('--doc', default=os.path.join(ROOT, 'docs', 'sizing.md'),
                        help='where to write the results (full runs only)')
    parser.add_argument('--no-doc', action='store_true')
    parser.add_argument('--keep', action='store_true', help='keep the containers')
    parser.add_argument('--save-raw', metavar='DIR', help='save ab and ansible outputs there, and results.json')
    parser.add_argument('--render', metavar='RESULTS', help='measure nothing: print (and write to --doc, unless '
                        '--no-doc or a smoke run) the section of a results.json that --save-raw saved')
    args = parser.parse_args()
    args.processes, args.threads = sweep.GRID_PROCESSES, sweep.GRID_THREADS
    if args.smoke:
        args.processes, args.threads = sweep.SMOKE_PROCESSES, sweep.SMOKE_THREADS
        args.seconds, args.window, args.repeat, args.no_doc = 4, 3, 1, True
    return args


def loadavg():
    return round(os.getloadavg()[0], 2)


def app(name, size=None):
    """One entry of the role's modwsgi_apps; without a size, the role's default size."""
    entry = {'name': name, 'server_name': sweep.server_name(name),
             'wsgi_script': '%s/%s/app.wsgi' % (APPS_DIR, name), 'python_home': '/srv/bench/venv'}
    if size:
        entry.update(processes=size[0], threads=size[1])
    return entry


def set_up(args, names, workdir):
    """The containers, the apps in each, the role on sweep -> {container: inventory}."""
    say('containers: %s' % ', '.join(names.values()))
    hosts.start_all(names.values(), hosts.IMAGE)
    inventories = {}
    for key, name in names.items():
        hosts.copy_files(name)
        directory = os.path.join(workdir, key)
        os.makedirs(directory)
        inventories[key] = hosts.write_inventory(directory, [name])
    profiles = {profile: cost for profile, dummy, cost in sweep.PROFILES}
    apps = [app(sweep.app_name(profile, *size), size)
            for size in sweep.grid(args.processes, args.threads) for profile in profiles]
    apps += [app('%s-%s' % (profile, DEFAULT)) for profile in profiles]
    hosts.copy_profiled(names['sweep'], {'%s/%s' % (APPS_DIR, a['name']): profiles[a['name'].split('-')[0]]
                                         for a in apps})
    for key in ('role', 'trap'):
        hosts.copy_profiled(names[key], {'%s/%s' % (APPS_DIR, p): cost for p, cost in profiles.items()})
    say('sweep: the role with %d apps (%d grid points x %d profiles, and each at the default size)' % (
        len(apps), len(apps) // len(profiles) - 1, len(profiles)))
    seconds, dummy = hosts.role(inventories['sweep'], {'modwsgi_apps': apps})
    say('   role run: %.0f s' % seconds)
    return inventories


def recommend(args, name, inventory, fixed, raw):
    """group_metrics on each app's group at the default size, under the fixed load -> {profile: ...}."""
    found = {}
    for profile, dummy, dummy2 in sweep.PROFILES:
        group = '%s-%s' % (profile, DEFAULT)
        target = {'url': 'http://127.0.0.1/.well-known/modwsgi-probe/%s' % group, 'host': sweep.server_name(group)}
        before = loadavg()
        load.warm_up(name, target['host'])
        measured, ab_text, out = measurement.group_metrics(inventory, name, target, args.window, fixed,
                                                           target['host'])
        raw['group_metrics-%s.json' % profile], raw['ab-group_metrics-%s.txt' % profile] = out, ab_text
        keep = ('mod_wsgi_version', 'processes', 'threads', 'processes_measured', 'window', 'requests',
                'requests_per_second', 'utilization', 'busy_threads', 'service_time', 'queue_time',
                'cpu_per_request', 'cpu_cores', 'rss_mb', 'missing', 'recommendation')
        found[profile] = dict({key: measured.get(key) for key in keep}, load_avg=[before, loadavg()])
        rec = measured['recommendation']
        say('%s at %d x %d: %s req/s, utilisation %s, service time mean %s s; recommended %d x %d (%s): %s' % (
            profile, measured['processes'], measured['threads'], measured['requests_per_second'],
            measured['utilization'], (measured['service_time'] or {}).get('mean'), rec['processes'],
            rec['threads'], rec['basis'], rec['reason']))
    return found


def sweep_grid(args, name, fixed, raw):
    """Every grid point of each app under the fixed load -> {profile: [point]}."""
    points = {profile: [] for profile, dummy, dummy2 in sweep.PROFILES}
    for size in sweep.grid(args.processes, args.threads):
        for profile in points:
            group = sweep.app_name(profile, *size)
            before = loadavg()
            load.warm_up(name, sweep.server_name(group))
            result = load.burst(name, fixed, sweep.server_name(group), group)
            raw['ab-sweep-%s.txt' % group] = result.pop('ab_text')
            point = {key: result[key] for key in ('complete', 'rps', 'p50_ms', 'p99_ms', 'failed', 'non_2xx')}
            point.update(processes=size[0], threads=size[1], group_pss_mb=result['peak_group_pss_mb'],
                         load_avg=[before, loadavg()])
            points[profile].append(point)
            say('sweep %-9s %6.1f req/s, p50 %5d ms, p99 %5d ms, failed %d, non-2xx %d, group %6.1f MB, '
                'load %.1f -> %.1f' % (group, point['rps'], point['p50_ms'], point['p99_ms'], point['failed'],
                                       point['non_2xx'], point['group_pss_mb'], before, point['load_avg'][1]))
    return points


def against_trap(args, names, fixed, raw):
    """Per app, the role at the recommended size and the warm trap, in turn -> {profile: {row: [runs]}}."""
    found = {}
    for profile, dummy, dummy2 in sweep.PROFILES:
        host = sweep.server_name(profile)
        runs = {'role': [], 'trap': [], 'trap_warm': []}
        for rep in range(args.repeat):
            before = loadavg()
            rows = measurement.measure('role', names['role'], fixed, host, group=profile)
            hosts.setup_embedded(names['trap'], 'prefork', hosts.vhost(host, '%s/%s' % (APPS_DIR, profile)))
            middle = loadavg()
            rows['role']['load_avg'] = [before, middle]
            rows.update(measurement.measure('trap', names['trap'], fixed, host))
            for key, result in rows.items():
                raw['ab-%s-%s-%d.txt' % (key, profile, rep + 1)] = result.pop('ab_text')
                result.pop('samples', None)
                result.setdefault('load_avg', [middle, loadavg()])
                runs[key].append(result)
                say('%s %-9s rep %d: %6.1f req/s, p99 %5d ms, peak %7.1f MB, %3d procs, loads %d, '
                    'load %.1f -> %.1f' % (profile, key, rep + 1, result['rps'], result['p99_ms'],
                                           result['peak_pss_mb'], result['peak_procs'], result['loads'],
                                           result['load_avg'][0], result['load_avg'][1]))
        found[profile] = runs
    return found


def measure_all(args, names, workdir, fixed, raw):
    inventories = set_up(args, names, workdir)
    say('group_metrics at the default size, window %d s, under the fixed load' % args.window)
    recs = recommend(args, names['sweep'], inventories['sweep'], fixed, raw)
    sizes = [app(profile, (recs[profile]['recommendation']['processes'], recs[profile]['recommendation']['threads']))
             for profile, dummy, dummy2 in sweep.PROFILES]
    say('role: the role with each app at its recommended size: %s' % ', '.join(
        '%s %d x %d' % (a['name'], a['processes'], a['threads']) for a in sizes))
    seconds, dummy = hosts.role(inventories['role'], {'modwsgi_apps': sizes})
    say('   role run: %.0f s' % seconds)
    say('sweep: %d points per app' % (len(args.processes) * len(args.threads)))
    points = sweep_grid(args, names['sweep'], fixed, raw)
    hosts.service('role', names['sweep'], 'stop')
    say('the role at the recommended size against the trap (prefork + embedded), %d time(s) per app' % args.repeat)
    runs = against_trap(args, names, fixed, raw)
    apps = {}
    for profile, dummy, dummy2 in sweep.PROFILES:
        summary = {key: measurement.medians(value) for key, value in runs[profile].items()}
        verdict = sweep.evaluate(points[profile], recs[profile]['recommendation'], summary,
                                 args.processes, args.threads)
        apps[profile] = dict(verdict, points=points[profile], measured=recs[profile],
                             recommendation=recs[profile]['recommendation'], runs=runs[profile], summary=summary)
    return apps


def publish(args, results):
    """Print the results' section, write it into --doc (a full run's, unless --no-doc), check the
    harness -> the exit status."""
    print('\n' + report.sizing_section(results))
    if not args.no_doc and not results['smoke']:
        with open(args.doc) as handle:
            text = handle.read()
        with open(args.doc, 'w') as handle:
            handle.write(report.replace_section(text, report.sizing_section(results)))
        say('wrote %s' % os.path.relpath(args.doc, ROOT))
    found = sweep.problems(results)
    for problem in found:
        say('FAILED: ' + problem)
    say('done in %.0f s; harness %s%s' % (results['elapsed'], 'FAILED' if found else 'OK',
                                          ' (smoke: nothing judged)' if results['smoke'] else ''))
    return 1 if found else 0


def main():
    args = parse_args()
    if args.render:
        with open(args.render) as handle:
            return publish(args, json.load(handle))
    handle_signals()
    fixed = {'requests': args.requests, 'concurrency': args.concurrency, 'seconds': args.seconds}
    started = time.monotonic()
    load_start = loadavg()
    say('load average (1 min) at the start: %.2f%s' % (
        load_start, '' if load_start <= QUIET_LOAD else ': the machine is not quiet (above %.1f)' % QUIET_LOAD))
    hosts.build_image()
    names = {key: PREFIX + key for key in CONTAINERS}
    workdir = tempfile.mkdtemp(prefix='modwsgi-sizing-')
    raw = {}
    try:
        apps = measure_all(args, names, workdir, fixed, raw)
    finally:
        if not args.keep:
            hosts.remove(names.values())
    results = {
        'apps': apps, 'smoke': args.smoke, 'load': fixed, 'window': args.window, 'repeat': args.repeat,
        'grid': {'processes': list(args.processes), 'threads': list(args.threads)},
        'profiles': [[profile, title, cost] for profile, title, cost in sweep.PROFILES],
        'load_avg': {'start': load_start, 'end': loadavg()}, 'quiet_load': QUIET_LOAD,
        'cpus': os.cpu_count(), 'image': hosts.IMAGE, 'elapsed': time.monotonic() - started,
        'written': datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M'),
        'command': ' '.join(['python', 'benchmarks/sizing_sweep.py'] + sys.argv[1:]),
    }
    if args.save_raw:
        raw['results.json'] = json.dumps(results, indent=1)
        save_raw(args.save_raw, raw)
    return publish(args, results)


if __name__ == '__main__':
    sys.exit(main())
