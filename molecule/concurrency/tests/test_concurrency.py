"""One run at a time on a host, and runs killed part-way (issue 23, items 4 and 5).

The tests run in the order of this file, each from the state the one before left; every role
run is converge.yml with other -e values. The states:

- C: alpha with 1 process, beta present (converge);
- T: alpha with 2 processes, beta absent;
- S: alpha with 3 processes, beta present.

A run from one to another rewrites modwsgi.conf and alpha's site and adds or removes beta's
site and its link (and the MPM sizing file, between S and the others): a role run writes
several files in one config_files call.
"""

import json
import os
import re
import shlex
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared'))
from modwsgi_testinfra import ansible, get, playbook, playbook_result, recap_changed, start_playbook  # noqa: E402  pylint: disable=wrong-import-position

LOCK = '/run/lock/modwsgi-apache.lock'
STATES = {
    'C': ['-e', 'alpha_processes=1'],
    'T': ['-e', 'alpha_processes=2', '-e', 'beta_state=absent'],
    'S': ['-e', 'alpha_processes=3'],
}
# converge ran the role's own verification (the probe of each application); the runs of the
# tests ask alpha's URL themselves, and the probe once after the two runs at once.
NO_VERIFY = ['-e', 'verify=false']
# Every file and link of /etc/apache2, the temporary files of the transaction left out.
SNAPSHOT = r"""set -e; cd /etc/apache2
find . -type f ! -name '*.modwsgi-tmp.*' -print0 | sort -z | xargs -0 sha256sum
find . -type l ! -name '*.modwsgi-tmp.*' -printf '%p -> %l\n' | sort"""
TEMPS = "find /etc/apache2 /var/backups/modwsgi -name '*.modwsgi-tmp.*'"
APPLY_TASK = "Write, enable, disable and remove as one transaction"
SNAPSHOTS = {}


def snapshot(host):
    return host.check_output('bash -c %s', SNAPSHOT)


def temps(host):
    return host.check_output(TEMPS).split()


def changed_files(before, after):
    """The paths whose line differs between two snapshots."""
    def lines(text):
        return dict((line.split()[-1] if ' -> ' not in line else line.split(' -> ')[0], line)
                    for line in text.splitlines())
    old, new = lines(before), lines(after)
    return sorted('/etc/apache2' + path[1:] for path in set(old) | set(new)
                  if old.get(path) != new.get(path))


def alpha_serves(host):
    answer = get(host, 'http://127.0.0.1/', 'alpha.test')
    assert answer['status'] == 200 and answer['content'] == 'alpha says hello\n', answer


def config_test(host):
    return host.run('apache2ctl -t')


def apply_result(output):
    """The JSON result of the role's config_files task in a run's output (-v)."""
    match = re.search(r'^TASK \[[^\]]*%s.*\n(?:(?!TASK \[).*\n)*?(?:changed|ok|fatal): \[[^\]]+\]:? '
                      r'(?:FAILED! )?=> (\{.*\})$' % re.escape(APPLY_TASK), output, re.M)
    assert match, output[-4000:]
    return json.loads(match.group(1))


def test_converged(host):
    """converge left C: both applications serve, and the snapshot of C is kept."""
    alpha_serves(host)
    assert config_test(host).rc == 0
    SNAPSHOTS['C'] = snapshot(host)


@pytest.mark.parametrize('start, target, stop_after, left', [
    # The transaction's write steps, in its order: a backup copy of each removed file, then the
    # files, the links and the removals (C or S -> T: beta's backup 1-2, modwsgi.conf 3-4, the
    # MPM sizing 5-6, alpha's site 7-8, beta's link 9, beta's site 10; T -> S: modwsgi.conf
    # 1-2, the sizing 3-4, alpha 5-6, beta's site 7-8, beta's link 9-10). The unit tests of
    # _transaction kill write_state after each kind of step; these are the role's.
    ('C', 'T', 3, 'a temporary modwsgi.conf, nothing renamed'),
    ('T', 'S', 6, 'three files new, beta neither written nor enabled'),
])
def test_killed_config_files(host, start, target, stop_after, left):
    before = snapshot(host)
    killed, output = playbook_result('concurrency', 'converge.yml', '-v',
                                     '-e', 'stop_after=%d' % stop_after, *STATES[target])
    failure = apply_result(output)
    assert killed != 0 and failure['rc'] == 137 and 'Killed' in failure['module_stderr'], failure
    at_kill = snapshot(host)
    left_temps = temps(host)
    # Apache was not reloaded: it serves as before, and its configuration is valid.
    alpha_serves(host)
    assert config_test(host).rc == 0, (left, config_test(host).stderr)

    repair = playbook('concurrency', 'converge.yml', '-v', *(STATES[target] + NO_VERIFY))
    changes = [change['path'] for change in apply_result(repair)['changes']]
    after = snapshot(host)
    again = playbook('concurrency', 'converge.yml', *(STATES[target] + NO_VERIFY))

    assert recap_changed(again) == [0]
    assert temps(host) == []
    alpha_serves(host)
    SNAPSHOTS.setdefault(target, after)
    assert after == SNAPSHOTS[target]
    # Where the kill came: the repair run wrote only what the killed run had not.
    if stop_after == 3:
        assert len(left_temps) == 1, left_temps
        assert left_temps[0].startswith('/etc/apache2/conf-available/.modwsgi.conf.modwsgi-tmp.')
        assert at_kill == before
        assert sorted(changes) == changed_files(before, after)
    else:
        assert left_temps == []
        assert before != at_kill != after
        done = changed_files(before, at_kill)
        assert sorted(changes) == sorted(set(changed_files(before, after)) - set(done))


# A holder of the lock on the host, as a transient systemd service (nothing stays attached to
# the container): it takes the lock, then lets go once RELEASE exists.
RELEASE = '/run/modwsgi-test-release'
HOLDER = (
    'import fcntl, os, time\n'
    'fd = os.open(%r, os.O_RDWR | os.O_CREAT, 0o644)\n'
    'fcntl.flock(fd, fcntl.LOCK_EX)\n'
    'os.write(fd, b"held by the test\\n")\n'
    'while not os.path.exists(%r):\n'
    '    time.sleep(0.2)\n' % (LOCK, RELEASE))


def lock_openers(host):
    """How many descriptors of the processes on the host have the lock file open."""
    return int(host.check_output(
        "find /proc/[0-9]*/fd -lname %s 2>/dev/null | wc -l" % LOCK))


def wait_for(condition, tries=180):
    """Ask ``condition()`` once a second until it is true or ``tries`` ran out; its last answer."""
    for _try in range(tries):
        if condition():
            return True
        time.sleep(1)
    return condition()


def test_two_runs_at_once(host):
    """From S, C and T start together; a holder keeps the lock until both wait for it."""
    assert set(SNAPSHOTS) == {'C', 'T', 'S'}
    assert len(changed_files(SNAPSHOTS['C'], SNAPSHOTS['T'])) >= 2
    host.check_output('rm -f %s; systemd-run --collect --unit modwsgi-test-holder python3 -c %s'
                      % (RELEASE, shlex.quote(HOLDER)))
    try:
        assert wait_for(lambda: 'held by the test' in host.file(LOCK).content_string)
        runs = dict((name, start_playbook('concurrency', 'converge.yml', '-v',
                                          *(STATES[name] + NO_VERIFY)))
                    for name in ('C', 'T'))
        # Both config_files calls wait on the lock: the holder's descriptor and theirs.
        waiting = wait_for(lambda: lock_openers(host) >= 3 or any(
            run.process.poll() is not None for run in runs.values())) and lock_openers(host)
    finally:
        host.check_output('touch %s' % RELEASE)
    codes = dict((name, run.wait()) for name, run in runs.items())
    outputs = dict((name, run.output()[-3000:]) for name, run in runs.items())
    assert waiting >= 3, outputs
    assert codes == {'C': 0, 'T': 0}, outputs
    # Both wrote: the second one planned from what the first one left.
    for run in runs.values():
        assert apply_result(run.output())['changed']
    final = snapshot(host)
    assert final in (SNAPSHOTS['C'], SNAPSHOTS['T'])
    assert config_test(host).rc == 0 and temps(host) == []
    # Apache runs what the files say (the last restart may still be starting the daemons).
    processes = 1 if final == SNAPSHOTS['C'] else 2
    answers = []
    wait_for(lambda: answers.append(ansible(host, 'modwsgi.apache.probe', {
        'url': 'http://127.0.0.1/.well-known/modwsgi-probe/alpha', 'host': 'alpha.test',
        'expect_mode': 'daemon', 'expect_group': 'alpha'})) or not answers[-1].get('failed'), 10)
    assert answers[-1].get('processes') == processes, answers[-1]


def test_killed_mpm_switch(host):
    """mpm killed part-way through two switches; see kill_mpm.yml."""
    playbook('concurrency', 'kill_mpm.yml')
    assert temps(host) == []
