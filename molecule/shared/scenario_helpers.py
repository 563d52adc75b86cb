"""Helpers shared by the Molecule scenarios' testinfra tests.

`ansible` and `get` are role_default's own (imported from its tests, not copied); `playbook`
runs a playbook of any scenario against the Molecule inventory and keeps its output.
"""

import os
import subprocess
import sys

MOLECULE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(MOLECULE, 'role_default', 'tests'))

from test_role_default import ansible, get  # noqa: E402,F401 pylint: disable=wrong-import-position,unused-import


def playbook(scenario, name, *args):
    """Run ``molecule/SCENARIO/NAME`` with extra ``args``; return its output (it must pass)."""
    ephemeral = os.environ['MOLECULE_EPHEMERAL_DIRECTORY']
    inventory = os.environ.get('MOLECULE_INVENTORY_FILE') or os.path.join(ephemeral, 'inventory')
    run = subprocess.run(
        ['ansible-playbook', '-i', inventory, os.path.join(MOLECULE, scenario, name)] + list(args),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    log = os.path.join(ephemeral, '%s%s.log' % (name.replace('.yml', ''), ''.join(args).replace('-', '_')))
    with open(log, 'w') as handle:
        handle.write(run.stdout)
    assert run.returncode == 0, run.stdout[-6000:]
    return run.stdout


def recap_changed(output):
    """The ``changed=N`` counts of the PLAY RECAP lines of ``output``."""
    return [int(part.split('=', 1)[1]) for line in output.splitlines() if ' : ok=' in line
            for part in line.split() if part.startswith('changed=')]
