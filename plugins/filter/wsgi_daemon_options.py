# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter modwsgi.apache.wsgi_daemon_options: an application's WSGIDaemonProcess options.

Its documentation is in wsgi_daemon_options.yml next to this file. The rule is
plugins/plugin_utils/_inplace.py's daemon_options, the one place for it: the role's own
virtual hosts (templates/vhost.conf.j2) and the sites converted in place both use it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.apache.plugins.plugin_utils._inplace import daemon_options


def wsgi_daemon_options(app):
    """The ``key=value`` words of ``WSGIDaemonProcess <name> ...`` for one normalized app."""
    try:
        return daemon_options(app)
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError('wsgi_daemon_options: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {'wsgi_daemon_options': wsgi_daemon_options}
