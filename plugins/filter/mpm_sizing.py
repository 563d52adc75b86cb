# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter modwsgi.apache.mpm_sizing: Apache's MPM directives for a daemon capacity.

Its documentation is in mpm_sizing.yml next to this file. The work is done by
plugins/module_utils/_mpm_sizing.py (mod_wsgi-express's sizing rule).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.apache.plugins.module_utils._mpm_sizing import mpm_sizing as _sizing


def mpm_sizing(apps):
    """The prefork, worker and event directives sized for the daemon capacity of ``apps``."""
    try:
        return _sizing(apps)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError('mpm_sizing: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {'mpm_sizing': mpm_sizing}
