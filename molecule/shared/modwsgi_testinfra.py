"""Helpers shared by the Molecule scenarios' testinfra tests (imported through sys.path).

Each test file adds this directory to sys.path; see molecule/from_embedded/tests for an example.
"""

import json
import os
import re
import subprocess
import tempfile

MOLECULE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ansible(host, module, args):
    """Run a module on the host; return its result whether it failed or not."""
    try:
        # An empty JSON object would not reach the module as arguments: pass none instead.
        return host.ansible(module, json.dumps(args) if args else None, check=False)
    except Exception as exc:  # testinfra raises AnsibleException with the result on failure
        result = getattr(exc, 'result', None)
        if result is None:
            raise
        return result


# Runs on the host (python3, standard library): one GET with a Host header, no proxy, no
# redirect followed; over https with the server name as SNI and the certificate not checked (the
# test hosts' are self-signed); prints {"status": ..., "location": ..., "content": ...}.
_GET = r"""
import http.client, json, socket, ssl, sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
https = url.scheme == 'https'
conn = http.client.HTTPConnection(url.hostname, url.port or (443 if https else 80), timeout=30)
if https:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn.sock = context.wrap_socket(socket.create_connection((conn.host, conn.port), 30), server_hostname=sys.argv[2])
conn.request('GET', (url.path or '/') + ('?' + url.query if url.query else ''), headers={'Host': sys.argv[2]})
answer = conn.getresponse()
print(json.dumps({'status': answer.status, 'location': answer.getheader('Location'),
                  'content': answer.read().decode('utf-8', 'replace')}))
"""


def get(host, url, server_name):
    """An HTTP or HTTPS request from the host itself, as a visitor of server_name makes it (Host
    header; SNI over https): its status, Location header and content (text).

    Through ``podman exec`` (molecule/conftest.py), not ansible.builtin.uri: each module call
    starts Ansible again (seconds), and the tests need only the status and the body.
    Like uri with status_code [200, 403, 404, 500]: any other status is ``failed``.
    """
    answer = json.loads(host.check_output('python3 -c %s %s %s', _GET, url, server_name))
    answer['failed'] = answer['status'] not in (200, 403, 404, 500)
    return answer


def probe(host, server_name, name, port=80, scheme='http', **expect):
    """The live probe of application ``name`` of server_name:port (the role mounts one per
    application at /.well-known/modwsgi-probe/<name>)."""
    args = {'url': '%s://127.0.0.1:%d/.well-known/modwsgi-probe/%s' % (scheme, port, name), 'host': server_name}
    args.update(expect)
    return ansible(host, 'modwsgi.apache.probe', args)


def ansible_each(host, module, args_list):
    """Run a module on the host once per dict of ``args_list``; the results, in that order.

    One ansible-playbook with a loop instead of one ``ansible`` process per call: each of those
    starts Ansible again (seconds of controller CPU), which made the audit scenario's 70 probes
    its longest part. A failed call is a result with ``failed`` set, as from ``ansible()``.
    """
    keys = sorted(set(key for args in args_list for key in args))
    with tempfile.TemporaryDirectory() as tmp:
        results = os.path.join(tmp, 'results.json')
        items = os.path.join(tmp, 'items.json')
        with open(items, 'w') as handle:
            json.dump({'modwsgi_each': args_list}, handle)
        tasks = [
            {module: dict((key, '{{ item.%s | default(omit) }}' % key) for key in keys),
             'loop': '{{ modwsgi_each }}', 'register': 'modwsgi_each_results',
             'ignore_errors': True},
            {'ansible.builtin.copy': {'content': '{{ modwsgi_each_results.results | to_json }}',
                                      'dest': results, 'mode': '0600'},
             'delegate_to': 'localhost'},
        ]
        path = os.path.join(tmp, 'each.yml')
        with open(path, 'w') as handle:
            json.dump([{'hosts': host.backend.host, 'gather_facts': False, 'tasks': tasks}],
                      handle)
        _run_playbook(path, ['-e', '@' + items], os.path.join(
            os.environ['MOLECULE_EPHEMERAL_DIRECTORY'], 'each-%s.log' % module.split('.')[-1]))
        with open(results) as handle:
            return json.load(handle)


def playbook(scenario, name, *args):
    """Run ``molecule/SCENARIO/NAME`` with extra ``args``; return its output (it must pass)."""
    returncode, output = playbook_result(scenario, name, *args)
    assert returncode == 0, output[-6000:]
    return output


def playbook_result(scenario, name, *args):
    """Run ``molecule/SCENARIO/NAME`` with extra ``args``; ``(returncode, output)``."""
    run = start_playbook(scenario, name, *args)
    return run.wait(), run.output()


class _Playbook(object):
    """An ansible-playbook started in the background; its output goes to ``log``."""

    def __init__(self, argv, env, log):
        self.log = log
        with open(log, 'w') as handle:
            self.process = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT,
                                            universal_newlines=True, env=env)

    def wait(self, timeout=1800):
        """Its return code; a run that hangs fails the test (subprocess.TimeoutExpired)."""
        return self.process.wait(timeout)

    def output(self):
        with open(self.log) as handle:
            return handle.read()


def start_playbook(scenario, name, *args):
    """Start ``molecule/SCENARIO/NAME`` with extra ``args`` (two at once run side by side)."""
    ephemeral = os.environ['MOLECULE_EPHEMERAL_DIRECTORY']
    tail = ''.join(args).replace('-', '_').replace('/', '_')
    log = os.path.join(ephemeral, '%s%s.log' % (name.replace('.yml', ''), tail))
    return _Playbook(*_playbook_command(os.path.join(MOLECULE, scenario, name), list(args)), log=log)


def _run_playbook(path, args, log):
    """ansible-playbook PATH ARGS on the scenario's inventory; its output, also in LOG."""
    argv, env = _playbook_command(path, args)
    run = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         universal_newlines=True, check=False, env=env)
    with open(log, 'w') as handle:
        handle.write(run.stdout)
    assert run.returncode == 0, run.stdout[-6000:]
    return run.stdout


def _playbook_command(path, args):
    """The command line and environment of ansible-playbook PATH ARGS on the scenario's
    inventory."""
    ephemeral = os.environ['MOLECULE_EPHEMERAL_DIRECTORY']
    inventory = os.environ.get('MOLECULE_INVENTORY_FILE') or os.path.join(ephemeral, 'inventory')
    # One JSON result per line: messages are not wrapped or re-quoted as YAML would.
    env = dict(os.environ, ANSIBLE_CALLBACK_RESULT_FORMAT='json', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_NOCOLOR='1', PY_COLORS='0')
    return ['ansible-playbook', '-i', inventory, path] + args, env


def recap_changed(output):
    """The ``changed=N`` counts of the PLAY RECAP lines of ``output`` (colours, if any, dropped)."""
    plain = re.sub(r'\x1b\[[0-9;]*m', '', output)
    return [int(match) for match in re.findall(r'^\S+\s+: ok=\d+\s+changed=(\d+)', plain, re.MULTILINE)]
