# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared pytest settings: the ``fuzz`` marker and the Hypothesis profiles.

``make unit`` (and so ``make test``) runs the fuzz tests under the profile ``ci``: a fixed
number of examples, derived from the test's name, so every run tries the same inputs and a
CI run cannot fail on luck. ``make fuzz`` runs them under ``fuzz``: many more examples, new
ones each run, and a database under ``.cache/hypothesis`` so that a failure found once is
tried first next time. Whatever a fuzz run finds becomes a plain unit test.

Hypothesis is a test requirement of ``requirements-dev.txt`` only; where it is not installed
(ansible-test's units on Python 3.6), the fuzz test modules skip themselves.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

try:
    from hypothesis import HealthCheck, settings
    from hypothesis.database import DirectoryBasedExampleDatabase
except ImportError:  # pragma: no cover - only where Hypothesis is not installed
    settings = None

PROFILE_ENV = 'HYPOTHESIS_PROFILE'

if settings is not None:
    _quiet = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
    settings.register_profile(
        'ci', max_examples=150, deadline=None, derandomize=True, database=None,
        suppress_health_check=_quiet, print_blob=True)
    settings.register_profile(
        'fuzz', max_examples=5000, deadline=None, suppress_health_check=_quiet,
        print_blob=True,
        database=DirectoryBasedExampleDatabase(
            os.path.join(os.environ.get('MODWSGI_CACHE', '.cache'), 'hypothesis')))
    settings.load_profile(os.environ.get(PROFILE_ENV, 'ci'))


@pytest.hookimpl(trylast=True)  # after pytest's tmpdir plugin has made the factory
def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'fuzz: property-based tests over mutated inputs (make fuzz runs them long)')
    # ansible-test units runs every test in a fork of its own (its ansible_forked plugin). The
    # base directory of tmp_path is made on first use: in each forked test that asks for one,
    # each making a new numbered directory under /tmp/pytest-of-USER and scanning the others
    # to clean them up, and since the child leaves by os._exit, its lock stays and the
    # directories pile up, making each next scan longer. Made here, before any fork, every
    # test's tmp_path is a directory of its own under one base, as without forks.
    factory = getattr(config, '_tmp_path_factory', None)
    if factory is not None:
        factory.getbasetemp()
