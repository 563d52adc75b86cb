"""Daemon mode against the alternatives, side by side in one run: the bench's entry point (`make bench`).

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

This file is the run, step by step; the parts are in bench/: hosts (images, containers, each
configuration's setup, playbook runs), load (ab and the steady load), measurement, targets
(the goals and judge()) and report (the tables, docs/benchmarks.md and its plot).
"""

import argparse
import datetime
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import hosts, measurement, report, targets  # noqa: E402  pylint: disable=wrong-import-position
from bench.shell import ROOT, handle_signals, save_raw, say, sh  # noqa: E402  pylint: disable=wrong-import-position


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
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
    parser.add_argument('--save-raw', metavar='DIR',
                        help='save the raw ab and ansible outputs there, and the results as results.json')
    args = parser.parse_args()
    if args.smoke:
        args.repeat, args.requests, args.seconds, args.audit_hosts = 1, 1000, 10, [1, 2]
        args.no_doc = True
    return args


def read_earlier(path):
    """The previous report's first role runs, if it has them (the comparison row shows them)."""
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        earlier = report.earlier_run(handle.read(), os.path.relpath(path, ROOT))
    if earlier:
        say('earlier run: %(source)s of %(written)s UTC, first role run %(fresh_s).1f s on a fresh host, '
            '%(image_s).1f s on the bench image' % earlier)
    return earlier


def set_up(names):
    """The four containers, with the app; the trap and worker configured (the role's and
    express's configurations come with the role's runs)."""
    say('containers: %s' % ', '.join(names.values()))
    hosts.start_all(names.values(), hosts.IMAGE)
    for name in names.values():
        hosts.copy_files(name)
    say('1. trap: prefork + embedded, stock mpm_prefork.conf')
    hosts.setup_embedded(names['trap'], 'prefork')
    say('4. worker: worker + embedded, stock mpm_worker.conf')
    hosts.setup_embedded(names['worker'], 'worker')


def automation(args, names, inventory, workdir, raw):
    """The role twice on the bench image (it configures the role's container), the facts'
    cost, and, in a full run, the role twice on a fresh host."""
    auto = {}
    say('2. role: modwsgi.apache.daemon_mode with default variables, twice (idempotence)')
    # The smoke run too: changed=0 and the number of calls to the host are counts, not times.
    auto['idempotent'], raw['role-first.json'], raw['role-second.json'] = measurement.role_twice(
        inventory, hosts.APP, 'bench image')
    # Timed here, before any burst: the machine is as quiet as it gets in this run.
    say('automation: facts against setup')
    auto['facts'], raw['facts_cost.json'] = measurement.facts_cost(
        inventory, names['role'], 1 if args.smoke else 3, 1 if args.smoke else 9)
    if not args.smoke:
        say('automation: the role on a fresh host (%s), twice' % hosts.FRESH_IMAGE)
        auto['fresh'], raw['fresh-first.json'], raw['fresh-second.json'] = measurement.fresh_host(workdir)
    return auto


def repetitions(args, names, load, raw):
    """Every configuration once per repetition, in an order rotated each time -> {row: [runs]}."""
    runs = {key: [] for key, dummy in measurement.CONFIGS}
    order = list(hosts.CONTAINERS)
    for rep in range(args.repeat):
        # Rotate the order each repetition, so no configuration always runs first.
        for config in order[rep % len(order):] + order[:rep % len(order)]:
            for key, result in measurement.measure(config, names[config], load).items():
                raw['ab-%s-%d.txt' % (key, rep + 1)] = result.pop('ab_text')
                runs[key].append(result)
                say('rep %d/%d %-9s idle %6.1f MB, peak %7.1f MB, %3d procs, %6.0f req/s, p50 %3d ms, '
                    'p99 %4d ms, failed %d, non-2xx %d, loads %d, burst %d (s: start/bursts/stop %s)' % (
                        rep + 1, args.repeat, key, result['idle_pss_mb'], result['peak_pss_mb'],
                        result['peak_procs'], result['rps'], result['p50_ms'], result['p99_ms'],
                        result['failed'], result['non_2xx'], result['loads'], result['bursts'],
                        result['phases']))
    return runs


def reconfiguration(args, name, inventory, threads):
    """The role's changes under a steady load: fewer threads (graceful reload), and in a full
    run the MPM switched (restart)."""
    say('reconfiguration under load (role container)')
    hosts.service('role', name, 'start')
    fewer = {'modwsgi_apps': [dict(hosts.APP, threads=threads - 5)]}
    reconf = [dict(measurement.under_load(name, inventory, fewer, 'threads %d -> %d' % (threads, threads - 5)),
                   how='graceful reload (role handler)')]
    if not args.smoke:
        reconf.append(dict(measurement.under_load(name, inventory, dict(fewer, modwsgi_mpm='worker'),
                                                  'MPM event -> worker'),
                           how='restart (role handler)'))
    return reconf


def measure_all(args, names, workdir, load, raw):
    """Everything the run measures, in order -> the results (without the run's settings)."""
    set_up(names)
    inventory = hosts.write_inventory(workdir, [names['role']])
    auto = automation(args, names, inventory, workdir, raw)
    conf, processes, threads = hosts.role_daemon(names['role'])
    sh(names['role'], 'systemctl stop apache2')
    say('3. express: mod_wsgi-express --processes %d --threads %d (as the role wrote)' % (processes, threads))
    hosts.setup_express(names['express'], processes, threads)
    versions = hosts.versions(names, conf)
    for item in versions.items():
        say('version: %s: %s' % item)

    runs = repetitions(args, names, load, raw)
    summary = {key: measurement.medians(runs[key]) for key in runs}
    load_avg_bursts = os.getloadavg()
    reconf = reconfiguration(args, names['role'], inventory, threads)

    if not args.keep:
        hosts.remove(names.values())
    sizes = sorted(set(args.audit_hosts))
    say('automation: the audit on %s hosts' % ', '.join(map(str, sizes)))
    auto['audit'] = measurement.audit_cost(sizes, workdir)
    return {'runs': runs, 'summary': summary, 'reconf': reconf, 'auto': auto, 'versions': versions,
            'load_avg_bursts': load_avg_bursts}


def main():
    args = parse_args()
    handle_signals()
    load = {'requests': args.requests, 'concurrency': args.concurrency, 'seconds': args.seconds}
    started = time.monotonic()
    load_avg = [os.getloadavg()]
    earlier = read_earlier(args.doc)

    say('image: %s (benchmarks/build_image.sh builds it once)' % hosts.IMAGE)
    t0 = time.monotonic()
    hosts.build_image()
    say('image ready in %.0f s' % (time.monotonic() - t0))

    names = {key: hosts.PREFIX + key for key in hosts.CONTAINERS}
    workdir = tempfile.mkdtemp(prefix='modwsgi-bench-')
    raw = {}
    try:
        results = measure_all(args, names, workdir, load, raw)
        load_avg.append(results.pop('load_avg_bursts'))
    finally:
        if not args.keep:
            hosts.remove(names.values())
    load_avg.append(os.getloadavg())
    elapsed = time.monotonic() - started
    runs, summary = results['runs'], results['summary']
    results.update(
        settings=dict(load, repeat=args.repeat), targets=targets.evaluate_targets(summary),
        image=hosts.IMAGE, cpus=os.cpu_count(), elapsed=elapsed,
        written=datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M'),
        load_avg=[sample[0] for sample in load_avg])
    if args.save_raw:
        raw['results.json'] = json.dumps(results, indent=1)
        save_raw(args.save_raw, raw)

    print('\n' + '\n'.join(report.blocks(results, earlier)))
    say('done in %.0f s; load average (1 min) %.1f at start, %.1f after the bursts, %.1f at the end' % (
        elapsed, load_avg[0][0], load_avg[1][0], load_avg[2][0]))
    problems = targets.directions(runs, summary, results['auto'], args.repeat)

    if not args.no_doc:
        png = os.path.splitext(args.doc)[0] + '.png'
        report.plot(summary, png)
        with open(args.doc, 'w') as handle:
            handle.write(report.document(results, os.path.basename(png), earlier))
        say('wrote %s and %s' % (os.path.relpath(args.doc, ROOT), os.path.relpath(png, ROOT)))

    if problems:
        for problem in problems:
            say('FAILED: ' + problem)
        return 1
    say('harness OK' + (' (smoke: directions only, no timing judged)' if args.smoke else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
