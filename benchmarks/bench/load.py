"""The load, generated inside a container: ab's warm-up request and bursts (the memory sampler alongside), the steady load, and ab's report parsed."""

import json
import re

from .hosts import HOST, LOADS_LOG
from .shell import run, sh


def warm_up(name):
    """Send one request at a time until one gets a 2xx answer (at most 60 s)."""
    sh(name, 'for i in $(seq 120); do out=$(ab -q -n 1 -H "Host: %s" http://127.0.0.1/ 2>&1); '
             'echo "$out" | grep -q "^Complete requests: *1" && echo "$out" | grep -q "^Failed requests: *0" '
             '&& ! echo "$out" | grep -q "^Non-2xx" && exit 0; sleep 0.5; done; exit 1' % HOST)


def burst(name, load):
    """One burst of `ab` inside the container while the sampler reads PSS -> dict of metrics.

    load: {'requests', 'concurrency', 'seconds'}, ab's -n, -c and time limit.
    """
    before = int(sh(name, 'wc -l < %s' % LOADS_LOG))
    script = (
        'rm -f /tmp/bench-stop; '
        'python3 /srv/bench/sampler.py --stop /tmp/bench-stop --max-seconds {limit} '
        '--interval 0.5 > /tmp/samples.json & '
        'timeout {limit} ab -r -q -t {seconds} -n {requests} -c {concurrency} '
        '-H "Host: {host}" http://127.0.0.1/ > /tmp/ab.txt 2>&1; '
        'echo "ab rc $?" >> /tmp/ab.txt; touch /tmp/bench-stop; wait'
    ).format(limit=load['seconds'] + 30, host=HOST, **load)
    sh(name, script, timeout=load['seconds'] + 90)
    after = int(sh(name, 'wc -l < %s' % LOADS_LOG))
    samples = json.loads(sh(name, 'cat /tmp/samples.json'))
    ab_text = sh(name, 'cat /tmp/ab.txt')
    return dict(parse_ab(ab_text), peak_pss_mb=samples['peak_pss_mb'],
                peak_procs=samples['peak_count'], loads=after - before, samples=samples['samples'],
                ab_text=ab_text)


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
