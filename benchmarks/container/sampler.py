"""Sample the memory of Apache's process tree (runs inside a benchmark container).

Reuses the collection's own reader, plugins/module_utils/_proc.py (copied next to this file):
the Apache parent and all its descendants (MPM children and mod_wsgi daemons), RSS and PSS.
Prints one JSON object: samples taken, peak PSS (MB), peak process count, and the last sample.
A sample whose PSS cannot be read (a process exited while it was read) is skipped.
usage: sampler.py --once | --stop FILE --max-seconds N [--interval S]
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _proc  # noqa: E402  (the collection's module_utils/_proc.py, copied here)

NAMES = ('apache2', 'httpd')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--once', action='store_true')
    parser.add_argument('--stop', default='/tmp/bench-stop')
    parser.add_argument('--max-seconds', type=float, default=120.0)
    parser.add_argument('--interval', type=float, default=0.5)
    args = parser.parse_args()
    peak_pss = peak_count = 0.0
    taken = skipped = 0
    last = None
    deadline = time.time() + args.max_seconds
    while True:
        sample = _proc.measure(NAMES)
        if sample['pss_mb'] is None:
            skipped += 1
        else:
            taken += 1
            last = sample
            peak_pss = max(peak_pss, sample['pss_mb'])
            peak_count = max(peak_count, sample['count'])
        if args.once and taken:
            break
        if os.path.exists(args.stop) or time.time() > deadline:
            break
        time.sleep(args.interval)
    print(json.dumps({'samples': taken, 'skipped': skipped, 'peak_pss_mb': peak_pss,
                      'peak_count': int(peak_count),
                      'last': {k: last[k] for k in ('count', 'rss_mb', 'pss_mb')} if last else None}))


if __name__ == '__main__':
    main()
