# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The modules' tests take the host lock in a temp directory, never the machine's /run/lock."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _host_lock


@pytest.fixture(autouse=True)
def host_lock_path(monkeypatch, tmp_path_factory):
    path = str(tmp_path_factory.mktemp('lock') / 'modwsgi-apache.lock')
    monkeypatch.setattr(_host_lock, 'LOCK_PATH', path)
    return path
