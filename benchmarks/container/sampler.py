"""Sample the memory of Apache's process tree (runs inside a benchmark container).

Reuses the collection's own reader, plugins/module_utils/_proc.py (copied next to this file):
the Apache parent and all its descendants (MPM children and mod_wsgi daemons), RSS and PSS.
Prints one JSON object: samples taken, peak PSS (MB), peak process count, and the last sample.
A sample whose PSS cannot be read (a process exited while it was read) is skipped.

With --group NAME (sizing_sweep.py), a sample is one daemon group and the front end, not the
whole tree: the processes that display-name named (wsgi:NAME) (the role's default), and the
front end (the tree's processes that are no mod_wsgi daemon). The peaks are then the group's PSS
and the front end's plus the group's: what a host serving that one app holds, when other groups
idle in the same Apache. Only those processes' PSS is read (a host of many groups stays cheap
to sample).
usage: sampler.py --once | --stop FILE --max-seconds N [--interval S] [--group NAME]
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _proc  # noqa: E402  (the collection's module_utils/_proc.py, copied here)

NAMES = ('apache2', 'httpd')


def group_sample(group):
    """{'pss_mb', 'count', 'group_pss_mb', 'group_count'}: the front end's processes and the
    group's (pss_mb: both together); pss_mb None when a PSS could not be read."""
    table = _proc.snapshot()
    parent = _proc.find_parent(table, NAMES)
    front = grouped = 0
    count = group_count = 0
    for pid in _proc.descendants(table, parent) if parent else []:
        base = '/proc/%d/' % pid
        # argv[0], which display-name overwrites and pads with spaces: "(wsgi:cpu-2x8)   ".
        name = (_proc._read(base + 'cmdline') or '').split('\0')[0].strip()
        mine = name == '(wsgi:%s)' % group
        if name.startswith('(wsgi:') and not mine:
            continue
        pss = _proc.parse_kb(_proc._read(base + 'smaps_rollup'), 'Pss')
        if pss is None:
            if _proc._read(base + 'status') is None:
                continue  # exited since the snapshot
            return {'pss_mb': None, 'count': 0, 'group_pss_mb': None, 'group_count': 0}
        if mine:
            grouped += pss
            group_count += 1
        else:
            front += pss
            count += 1
    return {'pss_mb': round((front + grouped) / 1024.0, 1), 'count': count + group_count,
            'group_pss_mb': round(grouped / 1024.0, 1), 'group_count': group_count}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--once', action='store_true')
    parser.add_argument('--stop', default='/tmp/bench-stop')
    parser.add_argument('--max-seconds', type=float, default=120.0)
    parser.add_argument('--interval', type=float, default=0.5)
    parser.add_argument('--group', help='one daemon group and the front end (see above)')
    args = parser.parse_args()
    peak_pss = peak_count = peak_group = 0.0
    taken = skipped = 0
    last = None
    deadline = time.time() + args.max_seconds
    while True:
        sample = group_sample(args.group) if args.group else _proc.measure(NAMES)
        if sample['pss_mb'] is None:
            skipped += 1
        else:
            taken += 1
            last = sample
            peak_pss = max(peak_pss, sample['pss_mb'])
            peak_count = max(peak_count, sample['count'])
            peak_group = max(peak_group, sample.get('group_pss_mb') or 0.0)
        if args.once and taken:
            break
        if os.path.exists(args.stop) or time.time() > deadline:
            break
        time.sleep(args.interval)
    print(json.dumps({'samples': taken, 'skipped': skipped, 'peak_pss_mb': peak_pss,
                      'peak_count': int(peak_count),
                      'peak_group_pss_mb': peak_group if args.group else None,
                      'last': {k: last.get(k) for k in ('count', 'rss_mb', 'pss_mb')} if last else None}))


if __name__ == '__main__':
    main()
