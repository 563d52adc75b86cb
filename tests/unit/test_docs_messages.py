# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every message docs/troubleshooting.md quotes is one the collection prints.

A quoted message is text in double quotes in the guide's prose (code blocks left out). Its
variable parts are written as placeholders: ``...``, a word in capitals (``FILE:LINE``,
``NAME``), a number or version, an absolute path, ``<...>`` or a value in single quotes; the text is also cut
at ``": "``, where the code often puts a prefix made elsewhere. Each run of at least two
words between them must stand in the text the collection prints: the string literals of
its Python code (adjacent literals joined, as Python joins them) and the text of the role's,
playbooks' and probe's files, with white space folded. A guide may also quote Apache itself:
what Apache printed in the captured runs under tests/unit/fixtures (``*.stderr``) counts too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDES = [ROOT / 'docs' / 'troubleshooting.md']

FENCE = re.compile(r'^```.*?^```', re.M | re.S)
INLINE_CODE = re.compile(r'`[^`]*`')
QUOTE = re.compile(r'"([^"]+)"')
# A placeholder, or ": ", where the code often joins a prefix built elsewhere.
PLACEHOLDER = re.compile(r"\.\.\.|…|<[^>]*>|'[^']*'|\b[A-Z][A-Z_]+(?::[A-Z_]+)*\b|\d+(?:\.\d+)*|:\s|(?<!\w)/[^\s:]+")


def fold(text):
    return ' '.join(text.split())


def quoted_messages(text):
    """The double-quoted runs of the guide's prose, white space folded."""
    prose = INLINE_CODE.sub(lambda match: match.group(0).strip('`'), FENCE.sub('', text))
    return [fold(match.group(1)) for match in QUOTE.finditer(prose)]


def pieces(message):
    """The literal runs of at least two words of a quoted message."""
    return [piece for piece in (fold(part).strip(' ,.;:()') for part in PLACEHOLDER.split(message))
            if len(piece.split()) >= 2]


def printed_text(root=ROOT):
    """What the collection can print: Python string literals and the text of its YAML files;
    and what Apache printed in the captured runs."""
    texts = []
    for path in sorted((root / 'plugins').rglob('*.py')):
        tree = ast.parse(path.read_text(encoding='utf-8'))
        texts.extend(node.value for node in ast.walk(tree)
                     if isinstance(node, ast.Constant) and isinstance(node.value, str))
    for folder in ('roles', 'playbooks'):
        for path in sorted((root / folder).rglob('*')):
            if path.suffix in ('.yml', '.j2', '.wsgi') and path.is_file():
                texts.append(path.read_text(encoding='utf-8'))
    texts.extend(path.read_text(encoding='utf-8', errors='replace')
                 for path in sorted((root / 'tests' / 'unit' / 'fixtures').rglob('*.stderr')))
    return '\n'.join(fold(text) for text in texts)


PRINTED = printed_text()
CASES = [(guide.name, message) for guide in GUIDES
         for message in quoted_messages(guide.read_text(encoding='utf-8')) if pieces(message)]


def test_guides_quote_messages():
    """The guide does quote messages: the test below has something to check."""
    assert len(CASES) >= 5, CASES


@pytest.mark.parametrize('guide, message', CASES)
def test_quoted_message_is_printed(guide, message):
    missing = [piece for piece in pieces(message) if piece not in PRINTED]
    assert not missing, '%s quotes "%s", but the code prints no %r' % (guide, message, missing)


def test_pieces_split_on_placeholders():
    assert pieces("is a Python 3.9 virtual environment, but mod_wsgi runs Python 3.11") == [
        'is a Python', 'virtual environment, but mod_wsgi runs Python']
    assert pieces("would be served by FILE:LINE (NAME), a virtual host this role did not write") == [
        'would be served by', 'a virtual host this role did not write']


def test_paths_are_placeholders():
    assert pieces('another run holds the host lock /run/lock/x.lock: pid') == ['another run holds the host lock']


def test_a_message_the_code_does_not_print_is_caught():
    assert 'is already served by a virtual host this role did not write' not in PRINTED
