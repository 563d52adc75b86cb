# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""meta/execution-environment.yml: an ansible-builder 3 definition that pins the ansible-core
the tests run with, and that ansible-builder can read when another execution environment
installs this collection; and the controller requirements it names (requirements.txt)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
EE = yaml.safe_load((ROOT / 'meta' / 'execution-environment.yml').read_text(encoding='utf-8'))


def pinned(name):
    text = (ROOT / 'requirements-dev.txt').read_text(encoding='utf-8')
    match = re.search(r'^%s==(\S+)$' % re.escape(name), text, re.M | re.I)
    assert match, '%s is not pinned in requirements-dev.txt' % name
    return match.group(1)


def test_version_3_with_a_base_image():
    assert EE['version'] == 3
    assert EE['images']['base_image']['name']


def test_ansible_core_is_the_tested_one():
    assert EE['dependencies']['ansible_core']['package_pip'] == 'ansible-core==%s' % pinned('ansible-core')


def test_the_collection_is_installed():
    names = [c['name'] for c in EE['dependencies']['galaxy']['collections']]
    assert any('ansible-collection-apache' in name or name == 'modwsgi.apache' for name in names)


def requirements(path):
    """``{name: specifier}`` of a pip requirements file (its comments and markers dropped)."""
    found = {}
    for line in path.read_text(encoding='utf-8').splitlines():
        line = line.split('#', 1)[0].split(';', 1)[0].strip()
        if line:
            name, spec = re.match(r'^([A-Za-z0-9_.-]+)\s*(.*)$', line).groups()
            found[name.lower()] = spec.replace(' ', '')
    return found


def test_readable_by_ansible_builder_introspect():
    # ansible-builder's introspect reads `dependencies.python` and `dependencies.system` of an
    # installed collection's meta/execution-environment.yml as file paths relative to the
    # collection root (a list there makes it fail with a TypeError); building this definition
    # reads the same entry relative to meta/. Both must be the one file.
    python = EE['dependencies']['python']
    assert isinstance(python, str) and not Path(python).is_absolute()
    from_root, from_meta = ROOT / python, ROOT / 'meta' / python
    assert from_meta.is_file() and not from_meta.is_symlink(), \
        'ansible-builder copies a link as a link: meta/%s must be the file itself' % python
    assert from_root.resolve() == from_meta.resolve()
    assert 'system' not in EE['dependencies'], 'dependencies.system: the collection has no system dependency'


def test_the_controller_requirements_are_the_tested_ones():
    # requirements.txt (what ansible-builder and users install), tests/unit/requirements.txt
    # (what ansible-test units installs) and the version the tests run with
    # (requirements-dev.txt) agree.
    wanted = requirements(ROOT / 'requirements.txt')
    assert sorted(wanted) == ['jsonschema']
    assert requirements(ROOT / 'tests' / 'unit' / 'requirements.txt') == wanted
    floor = re.match(r'^>=([0-9.]+)$', wanted['jsonschema']).group(1)
    version = pinned('jsonschema')
    assert tuple(int(part) for part in version.split('.')) >= tuple(int(part) for part in floor.split('.'))
