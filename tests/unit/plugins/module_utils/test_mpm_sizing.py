"""plugins/module_utils/_mpm_sizing.py against the MPM sizing that mod_wsgi-express itself wrote.

Each fixtures/mpm_sizing/express-PxT.conf holds the <IfModule mpm_*_module> blocks of the httpd.conf
that `mod_wsgi-express setup-server --processes P --threads T` generated (mod_wsgi 6.1.1 on
Debian 12; see fixtures/mpm_sizing/capture.sh and captured-with.txt). The rule itself is in
mod_wsgi 6.1.1's src/express/server.py, lines 467-544.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import glob
import os
import re

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _mpm_sizing
from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES

SIZING = os.path.join(FIXTURES, 'mpm_sizing')
CAPTURED = sorted(glob.glob(os.path.join(SIZING, 'express-*x*.conf')))

# mod_wsgi-express writes the Apache 2.2 name; 2.4 calls it MaxRequestWorkers.
RENAMED = {'MaxClients': 'MaxRequestWorkers'}


def express_blocks(path):
    """{mpm: {directive: int}} of the sizing directives mod_wsgi-express wrote in ``path``.

    Only the `<IfDefine !ONE_PROCESS>` part is the sizing; the rest of each block (its
    ONE_PROCESS debugging variant, MaxRequestsPerChild, keep-alive, stack size) is not.
    """
    blocks = {}
    mpm = None
    sizing = False
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            start = re.match(r'^<IfModule mpm_(prefork|worker|event)_module>$', line)
            if start:
                mpm = start.group(1)
                blocks[mpm] = {}
            elif line == '<IfDefine !ONE_PROCESS>':
                sizing = True
            elif line.startswith('</IfDefine>'):
                sizing = False
            elif sizing and mpm:
                name, value = line.split()
                blocks[mpm][RENAMED.get(name, name)] = int(value)
    return blocks


def test_fixtures_were_captured():
    assert len(CAPTURED) >= 8


@pytest.mark.parametrize('path', CAPTURED, ids=[os.path.basename(p) for p in CAPTURED])
def test_matches_mod_wsgi_express(path):
    processes, threads = re.match(r'express-(\d+)x(\d+)\.conf$', os.path.basename(path)).groups()
    expected = express_blocks(path)
    assert sorted(expected) == ['event', 'prefork', 'worker']

    sizing = _mpm_sizing.mpm_sizing([{'processes': int(processes), 'threads': int(threads)}])

    assert sizing['capacity'] == int(processes) * int(threads)
    for mpm in ('prefork', 'worker', 'event'):
        assert sizing[mpm] == expected[mpm], mpm
    assert sorted(sizing['prefork']) == sorted(_mpm_sizing.PREFORK_DIRECTIVES)
    assert sorted(sizing['event']) == sorted(_mpm_sizing.THREADED_DIRECTIVES)


def test_capacity_is_the_sum_over_present_apps():
    apps = [
        {'processes': 2, 'threads': 15},
        {'processes': '1', 'threads': 5.0, 'state': 'present'},
        {'processes': 100, 'threads': 100, 'state': 'absent'},
    ]
    assert _mpm_sizing.daemon_capacity(apps) == 35
    # One process group of 7 x 5 is the same capacity: express-7x5.conf is the reference.
    assert _mpm_sizing.mpm_sizing(apps) == _mpm_sizing.mpm_sizing([{'processes': 7, 'threads': 5}])


def test_no_apps_is_the_smallest_front_end():
    sizing = _mpm_sizing.mpm_sizing([])
    assert sizing['capacity'] == 0
    assert sizing['max_clients'] == 20
    assert sizing['prefork']['MaxRequestWorkers'] == 20
    assert sizing['event']['ThreadsPerChild'] == 10
    assert sizing['event']['ServerLimit'] == 2


@pytest.mark.parametrize('apps, message', [
    ('2x15', 'expected a list'),
    ([['processes', 2]], 'is not a mapping'),
    ([{'processes': 2}], 'threads must be a whole number'),
    ([{'processes': True, 'threads': 2}], 'processes must be a whole number'),
    ([{'processes': 2, 'threads': 1.5}], 'threads must be a whole number'),
    ([{'processes': '2\nMaxRequestWorkers 1', 'threads': 2}], 'processes must be a whole number'),
    ([{'processes': 0, 'threads': 2}], 'processes must be at least 1'),
    ([{'processes': -3, 'threads': 2}], 'processes must be at least 1'),
    ([{'processes': 1000, 'threads': 1000}], 'is above 100000'),
])
def test_refuses_what_is_not_a_capacity(apps, message):
    with pytest.raises(ValueError, match=message):
        _mpm_sizing.mpm_sizing(apps)
