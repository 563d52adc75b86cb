# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter modwsgi.apache.probe_target: where the daemon_mode role asks an application's probe.

Its documentation is in probe_target.yml next to this file. The rule is
plugins/plugin_utils/_inplace.py's probe_target, the one place for it: the role's verify and
reload steps both use it, and the in_place plan builds its addresses with the same function.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.apache.plugins.plugin_utils._inplace import probe_target as _probe_target


def probe_target(app, in_place_apps, probe_url):
    """``{'url': ..., 'validate_certs': bool}`` for one normalized, present application."""
    try:
        return _probe_target(app, in_place_apps or {}, probe_url)
    except (AttributeError, KeyError, TypeError) as exc:
        raise AnsibleFilterError('probe_target: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {'probe_target': probe_target}
