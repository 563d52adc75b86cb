"""The load, generated inside a container: ab's warm-up request and bursts (the memory sampler alongside), the steady load, and ab's report parsed."""

import json
import re
import shlex

from .hosts import HOST, LOADS_LOG
from .shell import run, sh


def warm_up(name, host=HOST):
    """Send one request at a time until one gets a 2xx answer (at most 60 s)."""
    sh(name, 'for i in $(seq 120); do out=$(ab -q -n 1 -H "Host: %s" http://127.0.0.1/ 2>&1); '
             'echo "$out" | grep -q "^Complete requests: *1" && echo "$out" | grep -q "^Failed requests: *0" '
             '&& ! echo "$out" | grep -q "^Non-2xx" && exit 0; sleep 0.5; done; exit 1' % host)


def _limit(load):
    """The hard bound of a run of `load`, in seconds: ab's `timeout`, and the sampler's beside it."""
    return load['seconds'] + 30


def _ab(load, host):
    """ab's command line for `load` on `host`, bounded by count and time (`timeout` around it)."""
    return ('timeout {limit} ab -r -q -t {seconds} -n {requests} -c {concurrency} '
            '-H "Host: {host}" http://127.0.0.1/').format(limit=_limit(load), host=host, **load)


def burst(name, load, host=HOST, group=None):
    """One burst of `ab` inside the container while the sampler reads PSS -> dict of metrics.

    load: {'requests', 'concurrency', 'seconds'}, ab's -n, -c and time limit. group: sample that
    daemon group and the front end, not the whole tree (container/sampler.py --group): the result
    then also has peak_group_pss_mb.
    """
    before = int(sh(name, 'wc -l < %s' % LOADS_LOG))
    script = (
        'rm -f /tmp/bench-stop; '
        'python3 /srv/bench/sampler.py --stop /tmp/bench-stop --max-seconds {limit} '
        '--interval 0.5 {group}> /tmp/samples.json & '
        '{ab} > /tmp/ab.txt 2>&1; '
        'echo "ab rc $?" >> /tmp/ab.txt; touch /tmp/bench-stop; wait'
    ).format(limit=_limit(load), ab=_ab(load, host),
             group='--group %s ' % shlex.quote(group) if group else '')
    sh(name, script, timeout=load['seconds'] + 90)
    after = int(sh(name, 'wc -l < %s' % LOADS_LOG))
    samples = json.loads(sh(name, 'cat /tmp/samples.json'))
    ab_text = sh(name, 'cat /tmp/ab.txt')
    result = dict(parse_ab(ab_text), peak_pss_mb=samples['peak_pss_mb'],
                  peak_procs=samples['peak_count'], loads=after - before, samples=samples['samples'],
                  ab_text=ab_text)
    if group:
        result['peak_group_pss_mb'] = samples['peak_group_pss_mb']
    return result


def start_ab(name, load, host):
    """`load` in the background (its pid kept in the container), while something else measures."""
    run(['podman', 'exec', '-d', name, '/bin/sh', '-c',
         'rm -f /tmp/ab-bg.pid; %s > /tmp/ab-bg.txt 2>&1 & echo $! > /tmp/ab-bg.pid; wait' % _ab(load, host)])


def stop_ab(name):
    """Stop start_ab's ab (TERM to its pid: ab then prints no report; it may have ended by
    itself) -> what it printed."""
    sh(name, 'for i in $(seq 20); do [ -s /tmp/ab-bg.pid ] && break; sleep 0.5; done; '
             'kill -TERM $(cat /tmp/ab-bg.pid) 2>/dev/null; '
             'for i in $(seq 60); do kill -0 $(cat /tmp/ab-bg.pid) 2>/dev/null || break; sleep 0.5; done')
    return sh(name, 'cat /tmp/ab-bg.txt; rm -f /tmp/ab-bg.pid')


def start_steady(name):
    """A constant, bounded load in the background (container/steady.py: 4 threads, 40 req/s,
    300 s at most)."""
    sh(name, 'rm -f /tmp/bench-steady-stop /tmp/steady.json')
    run(['podman', 'exec', '-d', name, '/bin/sh', '-c',
         'python3 /srv/bench/steady.py --concurrency 4 --rate 40 --max-seconds 300 > /tmp/steady.json'])


def stop_steady(name):
    """Stop the steady load -> its counts: requests, ok, failed, non_2xx, errors."""
    sh(name, 'touch /tmp/bench-steady-stop; for i in $(seq 120); do '
             '[ -s /tmp/steady.json ] && exit 0; sleep 0.5; done; exit 1')
    return json.loads(sh(name, 'cat /tmp/steady.json'))


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
