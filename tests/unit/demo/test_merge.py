# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Merging audit reports (plugins/plugin_utils/_report.merge) on the reports of a real demo run
(fixtures/demo, see its README: three hosts, audited before and after the role). Here, not in
tests/unit/plugins, because the demo fixtures stay out of the collection tarball."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.modwsgi.apache.plugins.plugin_utils import _report
from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES


@pytest.mark.parametrize('phase', ['before', 'after'])
@pytest.mark.parametrize('fmt', sorted(_report.RENDERERS))
def test_one_host_per_slice_merges_into_the_run_of_all_three(phase, fmt):
    with open(os.path.join(FIXTURES, 'demo', phase, 'report.json')) as handle:
        run = json.load(handle)
    hosts = [record['host'] for record in run['hosts']]
    # Three job slices of one host each, each writing its own report.json.
    reports = [json.loads(_report.render_json([record], generated=run['generated']))
               for record in run['hosts']]
    merged = _report.merge([], list(reversed(reports)), order=hosts)
    assert [record['host'] for record in merged] == hosts
    assert (_report.render(merged, fmt=fmt, generated=run['generated'])
            == _report.render(run['hosts'], fmt=fmt, generated=run['generated']))
    if fmt == 'json':
        # And the same as the report.json that run itself wrote.
        assert json.loads(_report.render(merged, fmt=fmt, generated=run['generated'])) == run
