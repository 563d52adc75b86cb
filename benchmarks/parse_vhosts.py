# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark (not a test): our config reader plus mod_wsgi analysis against ``apache2ctl -S``.

It generates a Debian tree: a copy of the real default tree in
tests/unit/fixtures/trees/debian12/etc/apache2, plus N name-based virtual hosts in
sites-enabled/vhost-NNNN.conf. Each vhost is a mod_wsgi daemon-mode site. Both sides then run
on the same tree in one Debian 12 container, side by side:

- ours: what ``wsgi_facts`` does once Apache's commands have answered: ``_wsgi_facts.gather``, the
  module's own entry point (environment, binary banner, configuration parse, MPM, module file,
  mounts and findings), with the answers of Apache's commands recorded once before the timed
  runs and replayed in them;
- apache: ``apache2ctl -S``, the real Apache with mod_wsgi reading the same tree.

It prints the median of ``--repeat`` runs and the ratio ours/apache. The goal is <= 1.0x.

    python benchmarks/parse_vhosts.py                 # 1000 vhosts, 5 repetitions
    python benchmarks/parse_vhosts.py --smoke         # 100 vhosts, 1 repetition (for CI)
    python benchmarks/parse_vhosts.py --vhosts 2000 --repeat 9 --keep

The container is ``modwsgi-bench-parse`` (image ``localhost/modwsgi-test/debian:12-apache``). It is
removed at the end unless ``--keep`` is given. No other container is touched. The exit code is
0 when both sides read the tree cleanly, whatever the ratio, and 1 when either side failed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEBIAN_TREE = os.path.join(ROOT, 'tests', 'unit', 'fixtures', 'trees', 'debian12', 'etc',
                           'apache2')
MODULE_UTILS = os.path.join(ROOT, 'plugins', 'module_utils')
# The measured path imports the stdlib and module_utils only (no ansible needed); every file
# of module_utils is copied, so a new sibling is never missing.
NAME = 'modwsgi-bench-parse'
IMAGE = 'localhost/modwsgi-test/debian:12-apache'
BENCH_DIR = '/opt/modwsgi-bench'
PACKAGES = ('apache2', 'libapache2-mod-wsgi-py3')

VHOST = '''<VirtualHost *:80>
    ServerName site{n}.example.test
    ServerAlias www.site{n}.example.test
    WSGIDaemonProcess site{n} processes=2 threads=15 display-name=%{{GROUP}}
    WSGIScriptAlias / /srv/site{n}/app.wsgi process-group=site{n} application-group=%{{GLOBAL}}
    <Directory /srv/site{n}>
        Require all granted
    </Directory>
    ErrorLog ${{APACHE_LOG_DIR}}/site{n}-error.log
    CustomLog ${{APACHE_LOG_DIR}}/site{n}-access.log combined
</VirtualHost>
'''

# Runs inside the container, next to Apache: times both sides in the same loop.
INNER = r'''
import json, os, shutil, statistics, subprocess, sys, time
from ansible_collections.modwsgi.apache.plugins.module_utils import _wsgi_facts

repeat = int(sys.argv[1])
ANSWERS = {}
ENV = dict(os.environ, LC_ALL='C')


def record(argv):
    """Apache's commands, run for real once (outside the timed runs), as the module runs them."""
    done = subprocess.run(argv, capture_output=True, text=True, env=ENV)
    ANSWERS[tuple(argv)] = (done.returncode, done.stdout, done.stderr)
    return ANSWERS[tuple(argv)]


def replay(argv):
    return ANSWERS[tuple(argv)]


def find_bin(name):
    return shutil.which(name, path='/usr/sbin:/usr/bin:/sbin:/bin')


def ours(run=replay):
    facts, apache = _wsgi_facts.gather(run, find_bin)
    return {'errors': apache.get('parse_errors') or [],
            'vhosts': len(facts['vhosts']),
            'daemon_groups': len(facts['daemon_groups']), 'mounts': len(facts['mounts']),
            'daemon_mounts': sum(1 for m in facts['mounts'] if m['mode'] == 'daemon'),
            'findings': sorted(set(f['code'] for f in facts['findings'])),
            'mpm': apache['mpm']['name'], 'version': apache['version'],
            'module_version': facts['version'], 'module_path': facts['module_path']}


def theirs():
    done = subprocess.run(['apache2ctl', '-S'], capture_output=True, text=True)
    names = sum(1 for line in done.stdout.splitlines() if ' namevhost ' in line)
    return {'rc': done.returncode, 'namevhosts': names,
            'stderr': done.stderr.strip().splitlines()[-3:]}


def timed(func):
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


timed(theirs), ours(record)  # warm the page cache for both sides; record Apache's answers
times = {'ours': [], 'apache': []}
for _ in range(repeat):
    seconds, apache_result = timed(theirs)
    times['apache'].append(seconds)
    seconds, our_result = timed(ours)
    times['ours'].append(seconds)
print(json.dumps({'times': times, 'ours': our_result, 'apache': apache_result,
                  'version': our_result['version'], 'python': sys.version.split()[0],
                  'median': {k: statistics.median(v) for k, v in times.items()}}))
'''


def run(argv, check=True, **kwargs):
    kwargs.setdefault('stdin', subprocess.DEVNULL)
    kwargs.setdefault('stdout', subprocess.PIPE)
    kwargs.setdefault('stderr', subprocess.PIPE)
    done = subprocess.run(argv, check=False, **kwargs)
    if check and done.returncode != 0:
        raise SystemExit('command failed (%d): %s\n%s%s' % (
            done.returncode, ' '.join(argv), _text(done.stdout), _text(done.stderr)))
    return done


def _text(data):
    return data.decode('utf-8', 'replace') if isinstance(data, bytes) else (data or '')


def podman(*args, **kwargs):
    return run(['podman'] + list(args), **kwargs)


def in_container(script, check=True, **kwargs):
    return podman('exec', '-i', NAME, 'bash', '-c', script, check=check, **kwargs)


def generate(base, count):
    """The Debian default tree plus ``count`` vhosts, under ``base``/apache2."""
    tree = os.path.join(base, 'apache2')
    shutil.copytree(DEBIAN_TREE, tree, symlinks=True)
    enabled = os.path.join(tree, 'sites-enabled')
    for number in range(1, count + 1):
        name = 'vhost-%04d.conf' % number
        with open(os.path.join(enabled, name), 'w') as handle:
            handle.write(VHOST.format(n='%04d' % number))
    return tree


def collection(base):
    """module_utils as ansible_collections/modwsgi/apache/plugins/module_utils, under base."""
    parts = ['ansible_collections', 'modwsgi', 'apache', 'plugins', 'module_utils']
    path = base
    for part in parts:
        path = os.path.join(path, part)
        os.makedirs(path)
        open(os.path.join(path, '__init__.py'), 'w').close()
    for name in sorted(os.listdir(MODULE_UTILS)):
        if name.startswith('_') and name.endswith('.py') and name != '__init__.py':
            shutil.copy(os.path.join(MODULE_UTILS, name), path)
    with open(os.path.join(base, 'inner.py'), 'w') as handle:
        handle.write(INNER)


def start_container(image):
    exists = podman('container', 'exists', NAME, check=False).returncode == 0
    if not exists:
        print('==> starting %s from %s' % (NAME, image), file=sys.stderr)
        podman('run', '-d', '--name', NAME, '--systemd=always', image, '/sbin/init')
    deadline = time.time() + 90
    while time.time() < deadline:
        state = in_container('systemctl is-system-running', check=False)
        if _text(state.stdout).strip() in ('running', 'degraded'):
            break
        time.sleep(1)
    have = in_container('command -v apache2ctl >/dev/null && '
                        'test -e /usr/lib/apache2/modules/mod_wsgi.so', check=False)
    if have.returncode != 0:
        print('==> apt-get install %s' % ' '.join(PACKAGES), file=sys.stderr)
        # apt-get update can fail once while systemd is still mounting /tmp: retry.
        for attempt in range(3):
            if in_container('apt-get update -q', check=False).returncode == 0:
                break
            time.sleep(3 * (attempt + 1))
        in_container('DEBIAN_FRONTEND=noninteractive apt-get install -y -q %s'
                     % ' '.join(PACKAGES))
    in_container('systemctl stop apache2 2>/dev/null || true', check=False)


def copy_in(local, remote_parent, name):
    """``local`` (a directory) becomes ``remote_parent/name`` in the container."""
    in_container('rm -rf %s/%s && mkdir -p %s' % (remote_parent, name, remote_parent))
    tar = subprocess.Popen(['tar', '-C', os.path.dirname(local), '-cf', '-',
                            os.path.basename(local)], stdout=subprocess.PIPE)
    podman('exec', '-i', NAME, 'tar', '-C', remote_parent, '-xf', '-', stdin=tar.stdout)
    tar.stdout.close()
    if tar.wait() != 0:
        raise SystemExit('tar failed for %s' % local)
    if os.path.basename(local) != name:
        in_container('mv %s/%s %s/%s' % (remote_parent, os.path.basename(local),
                                         remote_parent, name))


def machine():
    model = '?'
    try:
        with open('/proc/cpuinfo') as handle:
            for line in handle:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except (IOError, OSError):
        pass
    return '%d CPU(s), %s' % (os.cpu_count() or 0, model)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--vhosts', type=int, default=1000)
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--smoke', action='store_true', help='100 vhosts, 1 repetition')
    parser.add_argument('--keep', action='store_true', help='keep the container afterwards')
    parser.add_argument('--image', default=IMAGE)
    args = parser.parse_args(argv)
    if args.smoke:
        args.vhosts, args.repeat = 100, 1
    os.environ.setdefault('CONTAINERS_CONF', os.path.join(ROOT, 'tests', 'images',
                                                          'containers.conf'))
    work = tempfile.mkdtemp(prefix='modwsgi-bench-')
    try:
        tree = generate(work, args.vhosts)
        bench = os.path.join(work, 'bench')
        os.makedirs(bench)
        collection(bench)
        start_container(args.image)
        copy_in(tree, '/etc', 'apache2')
        copy_in(bench, os.path.dirname(BENCH_DIR), os.path.basename(BENCH_DIR))
        done = podman('exec', '-e', 'PYTHONPATH=%s' % BENCH_DIR, NAME, 'python3',
                      '%s/inner.py' % BENCH_DIR, str(args.repeat))
        result = json.loads(_text(done.stdout))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not args.keep:
            podman('rm', '-f', NAME, check=False)
    return report(args, result)


def report(args, result):
    ours, apache = result['ours'], result['apache']
    # The default tree brings its own 000-default vhost on top of the generated ones.
    ok = (not ours['errors'] and apache['rc'] == 0 and apache['namevhosts'] > args.vhosts
          and ours['vhosts'] == apache['namevhosts'] and ours['daemon_mounts'] == args.vhosts)
    ours_s, apache_s = result['median']['ours'], result['median']['apache']
    ratio = ours_s / apache_s if apache_s else float('inf')
    print('# %s, Python %s, Apache %s, MPM %s, mod_wsgi %s (%s)' % (
        machine(), result['python'], result['version'], ours['mpm'], ours['module_path'],
        ours['module_version'] or 'version not read'))
    print('# median of %d run(s) each, after one warm-up run; both sides in one container'
          % args.repeat)
    print('| vhosts | ours median s | apache2ctl -S median s | ratio | vs 1.0x |')
    print('|-------:|--------------:|-----------------------:|------:|:-------:|')
    print('| %6d | %13.3f | %22.3f | %4.2fx | %s |' % (
        args.vhosts, ours_s, apache_s, ratio, 'PASS' if ratio <= 1.0 else 'MISS'))
    print('# ours: %d vhosts, %d daemon groups, %d mounts (%d daemon), '
          'findings %s, parse errors %d' % (
              ours['vhosts'], ours['daemon_groups'], ours['mounts'],
              ours['daemon_mounts'], ','.join(ours['findings']) or '-', len(ours['errors'])))
    print('# apache2ctl -S: rc %d, %d namevhost lines' % (apache['rc'], apache['namevhosts']))
    print('# runs (s): ours %s; apache %s' % (
        ' '.join('%.3f' % t for t in result['times']['ours']),
        ' '.join('%.3f' % t for t in result['times']['apache'])))
    sys.stdout.flush()
    if not ok:
        print('# FAILED: a side did not read the tree cleanly: %s / %s'
              % (ours['errors'][:3], apache['stderr']), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
