# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""meta/execution-environment.yml: an ansible-builder 3 definition that pins the ansible-core
the tests run with, and that ansible-builder can read when another execution environment
installs this collection."""

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


def test_readable_by_ansible_builder_introspect():
    # ansible-builder's introspect reads `dependencies.python` and `dependencies.system` of an
    # installed collection's meta/execution-environment.yml as relative file paths (a list
    # there makes it fail with a TypeError). The collection needs neither.
    for entry in ('python', 'system'):
        assert entry not in EE['dependencies'], \
            'dependencies.%s: the collection has no %s dependency' % (entry, entry)
