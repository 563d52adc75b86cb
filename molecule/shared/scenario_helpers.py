"""Helpers shared by the Molecule scenarios' testinfra tests.

`ansible` and `get` are role_default's own (imported from its tests, not copied); `playbook`
runs a playbook of any scenario against the Molecule inventory and keeps its output.
"""

import os
import re
import subprocess
import sys

MOLECULE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(MOLECULE, 'role_default', 'tests'))

from test_role_default import ansible, get  # noqa: E402,F401 pylint: disable=wrong-import-position,unused-import


def playbook(scenario, name, *args):
    """Run ``molecule/SCENARIO/NAME`` with extra ``args``; return its output (it must pass)."""
    ephemeral = os.environ['MOLECULE_EPHEMERAL_DIRECTORY']
    inventory = os.environ.get('MOLECULE_INVENTORY_FILE') or os.path.join(ephemeral, 'inventory')
    # One JSON result per line: messages are not wrapped or re-quoted as YAML would.
    env = dict(os.environ, ANSIBLE_CALLBACK_RESULT_FORMAT='json', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_NOCOLOR='1', PY_COLORS='0')
    run = subprocess.run(
        ['ansible-playbook', '-i', inventory, os.path.join(MOLECULE, scenario, name)] + list(args),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False,
        env=env)
    log = os.path.join(ephemeral, '%s%s.log' % (name.replace('.yml', ''), ''.join(args).replace('-', '_')))
    with open(log, 'w') as handle:
        handle.write(run.stdout)
    assert run.returncode == 0, run.stdout[-6000:]
    return run.stdout


def recap_changed(output):
    """The ``changed=N`` counts of the PLAY RECAP lines of ``output`` (colours, if any, dropped)."""
    plain = re.sub(r'\x1b\[[0-9;]*m', '', output)
    return [int(match) for match in re.findall(r'^\S+\s+: ok=\d+\s+changed=(\d+)', plain, re.MULTILINE)]
