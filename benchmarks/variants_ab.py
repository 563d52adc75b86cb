"""A/B of the role's settings on the benchmark app: is another default faster?

usage: .venv/bin/python benchmarks/variants_ab.py [--rounds N]
(with CONTAINERS_CONF and ANSIBLE_COLLECTIONS_PATH as `make bench` sets them)

One container from the bench image. For each round, and each variant in turn, the role is
applied with that variant, then the same burst as `make bench` is measured twice (daemon_mode's
own `measurement.measure`). Variants: the defaults (threads=15), threads=5 (mod_wsgi-express's default),
and modwsgi_mpm_tuning=auto. Interleaving the variants spreads the machine's drift over all of
them. It prints one line per burst; there are no targets. See benchmarks/README.md.
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import hosts, measurement  # noqa: E402  pylint: disable=wrong-import-position
from bench.shell import say  # noqa: E402  pylint: disable=wrong-import-position

VARIANTS = [
    ('threads=15 (default)', {}, False),
    ('threads=5', {'threads': 5}, False),
    ('threads=15, modwsgi_mpm_tuning=auto', {}, 'auto'),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--rounds', type=int, default=2)
    args = parser.parse_args()
    name = hosts.PREFIX + 'variants'
    load = {'requests': 10000, 'concurrency': 50, 'seconds': 40}
    workdir = tempfile.mkdtemp(prefix='modwsgi-variants-')
    try:
        hosts.start_all([name], hosts.IMAGE)
        hosts.copy_files(name)
        inventory = hosts.write_inventory(workdir, [name])
        for round_ in range(args.rounds):
            for label, app, tuning in VARIANTS:
                hosts.role(inventory, {'modwsgi_apps': [dict(hosts.APP, **app)], 'modwsgi_mpm_tuning': tuning})
                for dummy in range(2):
                    result = measurement.measure('role', name, load)['role']
                    say('round %d %-38s %5.0f req/s, p99 %3d ms, peak %6.1f MB, %d procs' % (
                        round_ + 1, label, result['rps'], result['p99_ms'], result['peak_pss_mb'],
                        result['peak_procs']))
    finally:
        hosts.remove([name])
    return 0


if __name__ == '__main__':
    sys.exit(main())
