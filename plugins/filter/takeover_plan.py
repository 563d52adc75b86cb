# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter modwsgi.apache.takeover_plan; documented in takeover_plan.yml next to this file.

The work is done by plugins/plugin_utils/_takeover.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.apache.plugins.plugin_utils._takeover import plan


def takeover_plan(vhosts, apps, ours, main_files=None):
    """The files of existing virtual hosts that the applications claim (see _takeover.plan)."""
    try:
        return plan(vhosts, apps, ours, main_files or ())
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError('takeover_plan: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {'takeover_plan': takeover_plan}
