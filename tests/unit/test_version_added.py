# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""No plugin claims to be added in a release that galaxy.yml has not reached.

Nothing is released yet, so every version_added is galaxy.yml's version; a helper once wrote
0.2.0 into three new plugins, which Galaxy's docs would have shown.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def collection_version():
    """galaxy.yml's version; in the installed tarball, which has no galaxy.yml, MANIFEST.json's."""
    if (ROOT / 'galaxy.yml').is_file():
        return yaml.safe_load((ROOT / 'galaxy.yml').read_text(encoding='utf-8'))['version']
    return json.loads((ROOT / 'MANIFEST.json').read_text(encoding='utf-8'))['collection_info']['version']


def test_every_version_added_is_at_most_galaxy_s_version():
    galaxy = collection_version()
    released = tuple(int(part) for part in galaxy.split('.'))
    found = {}
    for path in sorted((ROOT / 'plugins').rglob('*')):
        if path.suffix in ('.py', '.yml') and path.is_file():
            for version in re.findall(r'version_added: *["\']?([0-9.]+)', path.read_text(encoding='utf-8')):
                found[str(path.relative_to(ROOT))] = version
    assert found
    ahead = dict((path, version) for path, version in found.items()
                 if tuple(int(part) for part in version.split('.')) > released)
    assert not ahead, 'galaxy.yml is at %s: %r' % (galaxy, ahead)
