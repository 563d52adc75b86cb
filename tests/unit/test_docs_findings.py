# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/findings.md documents every finding code the collection can report, with its fix.

The codes are collected from the source: every ``finding('code', ...)`` call under plugins/.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / 'docs' / 'findings.md'

FINDING_CALL = re.compile(r"""\bfinding\(\s*['"]([a-z][a-z0-9_]*)['"]""")
HEADING = re.compile(r'^#{2,4} `([a-z][a-z0-9_]*)`\s*$', re.M)


def source_codes(root=ROOT):
    codes = set()
    for path in sorted((root / 'plugins').rglob('*.py')):
        codes.update(FINDING_CALL.findall(path.read_text(encoding='utf-8')))
    return codes


def documented_sections(text):
    """``{code: section text}`` for each ``### `code``` heading of the guide."""
    matches = list(HEADING.finditer(text))
    sections = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        sections[match.group(1)] = text[match.end():end]
    return sections


SECTIONS = documented_sections(GUIDE.read_text(encoding='utf-8'))
CODES = sorted(source_codes())


def test_codes_are_found_in_the_source():
    # The finding() calls of module_utils/_wsgi_*.py: if the pattern stopped matching them, the
    # tests below would check nothing.
    assert {'mount_embedded', 'group_undefined', 'python_mismatch'} <= set(CODES)
    assert len(CODES) >= 16


@pytest.mark.parametrize('code', CODES)
def test_every_code_is_documented_with_severity_and_fix(code):
    assert code in SECTIONS, 'finding %r is reported by plugins/ but has no section in %s' % (code, GUIDE)
    section = SECTIONS[code]
    assert re.search(r'^Severity: (error|warning|info)\b', section, re.M), 'no "Severity:" line for %s' % code
    assert re.search(r'^Fix: \S', section, re.M), 'no "Fix:" paragraph for %s' % code


def test_no_documented_code_is_stale():
    stale = sorted(set(SECTIONS) - set(CODES))
    assert not stale, 'documented in %s but never reported by plugins/: %s' % (GUIDE, stale)


def test_a_missing_code_is_caught(tmp_path):
    # The collector really sees a new finding() call, and the guide then lacks it.
    module_utils = tmp_path / 'plugins' / 'module_utils'
    module_utils.mkdir(parents=True)
    (module_utils / '_new.py').write_text(
        "self.finding('brand_new_code', 'warning',\n    'message')\n", encoding='utf-8')
    assert source_codes(tmp_path) == {'brand_new_code'}
    assert 'brand_new_code' not in SECTIONS
