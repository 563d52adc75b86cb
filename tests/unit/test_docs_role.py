# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/role_daemon_mode.md lists every variable and application field of the role
daemon_mode with its default and a sentence.

The names and defaults are read from the role itself: defaults/main.yml, the options of
meta/argument_specs.yml (and the fields of modwsgi_apps there), and APP_DEFAULTS in
plugins/plugin_utils/_role_input.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.modwsgi.apache.plugins.plugin_utils._role_input import APP_DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
ROLE = ROOT / 'roles' / 'daemon_mode'
DOC = ROOT / 'docs' / 'role_daemon_mode.md'

ROW = re.compile(r'^\| `([a-z_]+)` \| ([^|]*) \| ([^|]*) \|\s*$', re.M)


def load(path):
    return yaml.safe_load(path.read_text(encoding='utf-8')) or {}


def rows(text):
    """``{name: (default cell, description cell)}`` of the doc's tables; a name twice fails."""
    found = {}
    for name, default, description in ROW.findall(text):
        assert name not in found, '%s has two rows in %s' % (name, DOC)
        found[name] = (default.strip(), description.strip())
    return found


def shown(value):
    """How a default is written in a table cell: as YAML, in backquotes."""
    if isinstance(value, bool):
        return '`%s`' % str(value).lower()
    if isinstance(value, (list, dict)):
        return '`%s`' % json.dumps(value)
    return '`%s`' % value


def expected():
    """``{name: default or None}`` for every role variable and application field."""
    defaults = load(ROLE / 'defaults' / 'main.yml')
    spec = load(ROLE / 'meta' / 'argument_specs.yml')['argument_specs']['main']['options']
    app_spec = spec['modwsgi_apps']['options']
    app_defaults = APP_DEFAULTS
    names = {}
    for name in set(defaults) | set(spec):
        names[name] = defaults.get(name, spec.get(name, {}).get('default'))
    for name in set(app_spec) | set(app_defaults):
        assert name not in names, '%s is both a role variable and an application field' % name
        names[name] = app_defaults.get(name, app_spec.get(name, {}).get('default'))
    return names


EXPECTED = expected()
ROWS = rows(DOC.read_text(encoding='utf-8'))


def test_the_role_is_read():
    # If the role's files moved, the checks below would run on nothing.
    assert {'modwsgi_apps', 'modwsgi_mpm', 'modwsgi_socket_prefix', 'takeover', 'daemon_options'} <= set(EXPECTED)


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_every_variable_has_a_row_with_default_and_sentence(name):
    assert name in ROWS, '%s (from the role) has no "| `%s` | default | what |" row in %s' % (name, name, DOC)
    default, description = ROWS[name]
    if EXPECTED[name] is not None:
        assert shown(EXPECTED[name]) == default, \
            '%s: the role\'s default is %s, the doc says %s' % (name, shown(EXPECTED[name]), default)
    else:
        assert default, '%s: no default written' % name
    assert len(description.split()) >= 4 and description.endswith('.'), '%s: no sentence' % name


def test_no_row_for_a_variable_the_role_lacks():
    assert not sorted(set(ROWS) - set(EXPECTED))
