# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role daemon_mode never sets a user's variable as a fact.

A fact outranks play and inventory variables, so a ``set_fact`` of ``modwsgi_service`` (say)
in one run of the role would override what a later play sets for the same host. The role once
did that for modwsgi_packages, modwsgi_service and modwsgi_socket_prefix; now every fact it
sets is internal (``__modwsgi_...``) and the distribution's values are defaults passed to
preflight.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from pathlib import Path

import yaml

ROLE = Path(__file__).resolve().parents[2] / 'roles' / 'daemon_mode'
SET_FACT = ('ansible.builtin.set_fact', 'set_fact')


def tasks(items):
    """Every task of a task list, blocks included."""
    for task in items or []:
        yield task
        for key in ('block', 'rescue', 'always'):
            yield from tasks(task.get(key))


def test_every_fact_the_role_sets_is_internal():
    files = sorted((ROLE / 'tasks').glob('*.yml')) + [ROLE / 'handlers' / 'main.yml']
    public = []
    for path in files:
        for task in tasks(yaml.safe_load(path.read_text(encoding='utf-8'))):
            for module in SET_FACT:
                for name in (task.get(module) or {}):
                    if not name.startswith('__modwsgi_') and name != 'cacheable':
                        public.append('%s: %s (%s)' % (path.name, name, task.get('name')))
    assert files and not public, public
