# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report.json files of two real demo runs (fixtures/demo and demo_measured, see their READMEs) match
docs/report.schema.json as they were written. Here, not in tests/unit/plugins, because the demo
fixtures stay out of the collection tarball."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.modwsgi.apache.plugins.plugin_utils import _report
from ansible_collections.modwsgi.apache.tests.unit.helpers import FIXTURES


@pytest.mark.parametrize('run', ['demo', 'demo_measured'])
@pytest.mark.parametrize('phase', ['before', 'after'])
def test_the_demos_reports_validate(run, phase):
    with open(os.path.join(FIXTURES, run, phase, 'report.json')) as handle:
        report = json.load(handle)
    _report.check_report(report, '%s/%s/report.json' % (run, phase))
    _report.check_records(report['hosts'])
