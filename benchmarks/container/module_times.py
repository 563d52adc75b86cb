"""Time Ansible modules on this host, without the connection: run the AnsiballZ payloads
that ``ANSIBLE_KEEP_REMOTE_FILES=1`` left behind, as Ansible itself runs them.

usage: python3 module_times.py ROUNDS LABEL=PATH [LABEL=PATH ...]
Prints JSON: {LABEL: median seconds}. Each round runs every payload once, in turn, so a
burst of load on the machine touches them all alike; one warm-up round is not counted.
A PATH of the form cmd:COMMAND times that command instead (split like a shell would, run
without one): it must exit 0.
"""
import json
import shlex
import statistics
import subprocess
import sys
import time


def main():
    rounds = int(sys.argv[1])
    payloads = [arg.split('=', 1) for arg in sys.argv[2:]]
    times = {label: [] for label, dummy in payloads}
    for round_ in range(rounds + 1):
        for label, path in payloads:
            command = path.startswith('cmd:')
            argv = shlex.split(path[4:]) if command else [sys.executable, path]
            start = time.perf_counter()
            done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
            elapsed = time.perf_counter() - start
            result = {} if command else json.loads(done.stdout.decode())
            if done.returncode != 0 or result.get('failed'):
                raise SystemExit('%s failed: %s' % (label, (done.stdout + done.stderr).decode()[-2000:]))
            if round_:
                times[label].append(elapsed)
    print(json.dumps({label: statistics.median(values) for label, values in times.items()}))


if __name__ == '__main__':
    main()
