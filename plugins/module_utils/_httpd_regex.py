# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compile the regular expressions a configuration gives (PCRE as httpd reads them): pure, no I/O.

PRIVATE to the collection: this is not a public API and may change at any time.

Apart from :mod:`_config`, which reads the files, so that the routing rules
(:mod:`_httpd_routing`), which the controller imports too, load nothing that reads the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import warnings

_REGEXES = {}  # pattern -> (compiled or None, why it does not compile or None)


def _python_syntax(pattern):
    """``pattern`` with PCRE's named group ``(?<name>...)``, which httpd's documentation uses
    in ``<LocationMatch>``, written as Python's ``(?P<name>...)``."""
    if '(?<' not in pattern:
        return pattern
    out, i, in_class = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == '\\':
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != ']'
        elif char == '[':
            # "[]...]" and "[^]...]": the first "]" is a member, not the end.
            in_class, end = True, i + 1
            end += pattern[end:end + 1] == '^'
            end += pattern[end:end + 1] == ']'
            out.append(pattern[i:end])
            i = end
            continue
        elif pattern.startswith('(?<', i) and pattern[i + 3:i + 4] not in ('=', '!', ''):
            out.append('(?P<')
            i += 3
            continue
        out.append(char)
        i += 1
    return ''.join(out)


def regex(pattern):
    """``(compiled, None)`` for a regular expression of the configuration, or ``(None, why)``
    when it does not compile. Every pattern the configuration gives (sections, ``*Match``
    directives, ``<IfVersion ~>``) is compiled here and nowhere else, once."""
    try:
        return _REGEXES[pattern]
    except KeyError:
        pass
    try:
        with warnings.catch_warnings():
            # "Possible nested set" and the like: notes for programmers, not for this audit.
            warnings.simplefilter('ignore')
            found = (re.compile(_python_syntax(pattern)), None)
    except (re.error, OverflowError, RecursionError, ValueError) as exc:
        found = (None, str(exc) or exc.__class__.__name__)
    _REGEXES[pattern] = found
    return found


def search(pattern, text):
    """``re.search`` with a pattern of the configuration; None when it does not compile (the
    analysis reports it as ``config_invalid``; httpd would not start with it)."""
    compiled = regex(pattern)[0]
    return compiled.search(text) if compiled is not None else None
