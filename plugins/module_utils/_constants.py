# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's constants, each spelled once: Apache's OS layouts, the MPM names, the probe URL.

PRIVATE to the collection: this is not a public API and may change at any time.

Pure data, no I/O and no imports: the modules on the host and the plugins on the controller
both read it. The role's YAML (``roles/daemon_mode``: vars, defaults, argument specs,
templates) still spells some of these values again, until the role takes them from here.

Four layouts are known:

``debian``
    ``/etc/apache2/apache2.conf``, ``apache2ctl`` (which sources ``/etc/apache2/envvars``
    before it runs ``/usr/sbin/apache2``); the MPM is the ``mpm_*.load`` symlink in
    ``mods-enabled``.
``redhat``
    ``/etc/httpd/conf/httpd.conf``, ``httpd``/``apachectl``; the MPM is the one uncommented
    ``LoadModule mpm_*`` line in ``conf.modules.d/00-mpm.conf``.
``suse``
    ``/etc/apache2/httpd.conf`` with ``/etc/sysconfig/apache2``; the MPM is ``APACHE_MPM``
    there, which picks the ``httpd-prefork``/``httpd-worker``/``httpd-event`` binary.
``source``
    A build from source (``./configure && make install``), usually in
    ``/usr/local/apache2``; paths come from ``httpd -V``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# The MPMs this collection reads, sizes and switches between (httpd 2.4's mpm_*_module).
MPMS = ('prefork', 'worker', 'event')

# Where the role mounts the probe application: one per application, at PROBE_PATH/<name>,
# local-only: the probe's own checks and the role's preflight action read it from here.
PROBE_PATH = '/.well-known/modwsgi-probe'

# How each family of systems lays Apache out: paths, commands, service, MPM selection.
LAYOUTS = {
    'debian': {
        'binary': ['apache2'],
        'ctl': ['apache2ctl', 'apachectl'],
        'service': 'apache2',
        'server_root': '/etc/apache2',
        'config_file': '/etc/apache2/apache2.conf',
        'envvars': '/etc/apache2/envvars',
        'sysconfig': None,
        'mpm_selected_in': '/etc/apache2/mods-enabled',
        'marker': '/etc/apache2/apache2.conf',
    },
    'redhat': {
        'binary': ['httpd'],
        'ctl': ['apachectl'],
        'service': 'httpd',
        'server_root': '/etc/httpd',
        'config_file': '/etc/httpd/conf/httpd.conf',
        'envvars': None,
        'sysconfig': None,
        'mpm_selected_in': '/etc/httpd/conf.modules.d/00-mpm.conf',
        'marker': '/etc/httpd/conf/httpd.conf',
    },
    'suse': {
        'binary': ['httpd', 'httpd-prefork', 'httpd-event', 'httpd-worker', 'httpd2'],
        'ctl': ['apache2ctl', 'apachectl'],
        'service': 'apache2',
        'server_root': '/srv/www',
        'config_file': '/etc/apache2/httpd.conf',
        'envvars': None,
        'sysconfig': '/etc/sysconfig/apache2',
        'mpm_selected_in': '/etc/sysconfig/apache2',
        'marker': '/etc/sysconfig/apache2',
    },
    'source': {
        'binary': ['httpd'],
        'ctl': ['apachectl'],
        'service': None,
        'server_root': '/usr/local/apache2',
        'config_file': '/usr/local/apache2/conf/httpd.conf',
        'envvars': None,
        'sysconfig': None,
        'mpm_selected_in': None,
        'marker': '/usr/local/apache2/bin/httpd',
    },
}

# Where binaries live beyond PATH (sbin is often missing from a non-login PATH).
BIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/local/apache2/bin',
            '/opt/apache2/bin', '/opt/httpd/bin']

# Checked in order: SUSE also has /etc/apache2, so it must come before Debian.
DETECT_ORDER = ('suse', 'debian', 'redhat', 'source')
