"""What the facts modules compile, and when: AnsiballZ compiles every module_util from source
on each call, so a module_util imported only where it is needed is time saved on the host.

Each case runs in a fresh interpreter (sys.modules of this one already holds everything).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.modwsgi.apache.tests.unit.helpers import DEBIAN

PREFIX = 'ansible_collections.modwsgi.apache.plugins.module_utils.'


def loaded_after(code):
    """The collection's module_utils imported once ``code`` has run, in a fresh interpreter."""
    script = code + '\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith(%r))))' % PREFIX
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.check_output([sys.executable, '-c', script], env=env)
    return [name[len(PREFIX):] for name in json.loads(out.decode().splitlines()[-1])]


@pytest.mark.parametrize('module', ['wsgi_facts', 'mpm_facts'])
def test_a_facts_module_imports_only_the_runner_before_httpd_starts(module):
    # The runner and what binds it to the module (_host_access); the parsers and the rules are
    # imported (compiled) while httpd reads its configuration.
    loaded = loaded_after('import ansible_collections.modwsgi.apache.plugins.modules.%s' % module)
    assert loaded == ['_constants', '_host_access', '_httpd_runs', '_layout']


@pytest.mark.parametrize('resolve', [[], ['http://localhost/']])
def test_the_request_mapping_is_imported_only_to_resolve(tmp_path, resolve):
    code = '''
import os, shutil
from ansible_collections.modwsgi.apache.tests.unit.helpers import Replay, debian_sysroot
from ansible_collections.modwsgi.apache.plugins.module_utils import _wsgi_facts
class Path(str):
    def __truediv__(self, name):
        return Path(os.path.join(self, name))
root = debian_sysroot(Path(%r), '12', 'event')
facts = _wsgi_facts.wsgi_facts(Replay(%r), {'apache2': '/usr/sbin/apache2', 'apache2ctl': '/usr/sbin/apache2ctl'}.get,
                         sysroot=root, resolve=%r)
assert facts['vhosts'] and len(facts.get('resolved', [])) == %d
''' % (str(tmp_path), os.path.join(DEBIAN, '12', 'event'), resolve, len(resolve))
    loaded = loaded_after(code)
    assert '_wsgi_mounts' in loaded
    assert ('_wsgi_resolve' in loaded) == bool(resolve)
