"""How the bench runs commands: its paths and environment, subprocess and podman exec, and its progress lines."""

import os
import shlex
import signal
import subprocess
import sys
import time

# benchmarks/ (this package's parent) and the repository root.
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(HERE)
BIN = os.path.join(ROOT, '.venv', 'bin')

ENV = dict(os.environ)
ENV.setdefault('CONTAINERS_CONF', os.path.join(ROOT, 'tests', 'images', 'containers.conf'))
ENV.setdefault('ANSIBLE_COLLECTIONS_PATH', os.path.join(ROOT, '.cache', 'collections'))
ENV.update({'ANSIBLE_FORCE_COLOR': '0', 'ANSIBLE_HOST_KEY_CHECKING': 'False',
            'ANSIBLE_RETRY_FILES_ENABLED': 'False', 'ANSIBLE_NOCOLOR': '1'})
ENV['PATH'] = BIN + os.pathsep + ENV.get('PATH', '')

STARTED = time.monotonic()


def say(message):
    print('bench [%4.0f s] %s' % (time.monotonic() - STARTED, message), flush=True)


def run(cmd, check=True, timeout=900, extra_env=None, **kwargs):
    """Run `cmd` in the bench's environment (plus `extra_env`), stdout and stderr together."""
    env = dict(ENV, **extra_env) if extra_env else ENV
    result = subprocess.run(cmd, env=env, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise RuntimeError('%s failed (rc %d):\n%s' % (
            ' '.join(shlex.quote(c) for c in cmd), result.returncode, result.stdout[-3000:]))
    return result


def sh(container, script, check=True, timeout=600):
    """A shell script run in the container: its output."""
    return run(['podman', 'exec', container, '/bin/sh', '-c', script], check=check,
               timeout=timeout).stdout


def handle_signals():
    """Interrupted or terminated (even from a background job, where SIGINT is ignored): the
    harness's `finally` still removes its containers."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def save_raw(directory, raw):
    """Each {file name: text} of `raw` into `directory`."""
    os.makedirs(directory, exist_ok=True)
    for filename, text in raw.items():
        with open(os.path.join(directory, filename), 'w') as handle:
            handle.write(text)
    say('raw outputs saved in %s' % directory)
