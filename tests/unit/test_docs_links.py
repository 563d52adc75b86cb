# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every relative link of the README and the guides leads to a file that ships.

Galaxy shows the README of the collection tarball, and the guides ship in it: a link to a
file that galaxy.yml's ``build_ignore`` leaves out (benchmarks/, molecule/, ...) is broken
there. In the checkout the test reads build_ignore; from the installed tarball (``make
build-install`` runs the shipped tests), where there is no galaxy.yml, every link must lead to
a file of the installed copy.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / 'README.md'] + sorted((ROOT / 'docs').glob('*.md')) + [ROOT / 'roles' / 'daemon_mode' / 'README.md']
LINK = re.compile(r'\[[^\]]*\]\(([^)\s]+)\)')
EXTERNAL = re.compile(r'^(?:[a-z]+:|#)')


def build_ignore(root=ROOT):
    galaxy = root / 'galaxy.yml'
    if not galaxy.is_file():
        return []
    return yaml.safe_load(galaxy.read_text(encoding='utf-8')).get('build_ignore') or []


def ignored(relative, patterns):
    """Whether ansible-galaxy leaves ``relative`` out: a pattern matches it or a folder above it."""
    parts = relative.split('/')
    return any(fnmatch.fnmatch('/'.join(parts[:end]), pattern)
               for end in range(1, len(parts) + 1) for pattern in patterns)


def relative_links(page):
    for target in LINK.findall(page.read_text(encoding='utf-8')):
        if not EXTERNAL.match(target):
            yield target.split('#', 1)[0]


CASES = [(page.relative_to(ROOT).as_posix(), target)
         for page in PAGES if page.is_file() for target in relative_links(page) if target]


def test_pages_have_links():
    assert len(CASES) >= 10, CASES


@pytest.mark.parametrize('page, target', CASES)
def test_link_ships(page, target):
    path = (ROOT / page).parent / target
    assert path.exists(), '%s links to %s, which does not exist' % (page, target)
    relative = path.resolve().relative_to(ROOT).as_posix()
    assert not ignored(relative, build_ignore()), (
        '%s links to %s, which galaxy.yml build_ignore leaves out of the tarball' % (page, target))


def test_ignored_follows_folders():
    assert ignored('benchmarks/README.md', ['benchmarks'])
    assert ignored('x.tar.gz', ['*.tar.gz'])
    assert not ignored('docs/benchmarks.md', ['benchmarks'])
