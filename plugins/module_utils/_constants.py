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

# The first line of every file the role daemon_mode writes says this (after '# ').
ROLE_MARKER = 'Managed by modwsgi.apache.daemon_mode'

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

# The OS families the role daemon_mode supports, as Ansible names them (ansible_facts.os_family),
# each with its layout above (whose service and config_file the role uses too) and what the role
# needs besides. ctl: Apache's control script, whose presence says Apache is installed. packages:
# what each modwsgi_install installs (the distribution's mod_wsgi, or what pip needs to build it;
# python3-packaging for ansible.builtin.pip); pip_conflicts: removed with pip (two mod_wsgi
# modules never load); tls_packages: added for an application with tls. pip_*: with pip, the CA
# bundle pip trusts by default, the Python the venv is made with, and the file that loads the
# module. error_log: Apache's own (the verify step quotes it). conf_dir and site_dir: where the role writes its files; *_enabled_dir: where it enables
# them (a2ensite's symlinks), None where the directory is read directly. module_links: the links
# a2enmod wsgi leaves (the package makes them; the role keeps them); ssl_links: for an
# application with tls, the links a2enmod ssl makes (ssl needs socache_shmcb). listened_ports:
# what the distribution's configuration already listens on (ports.conf; 443 once ssl is on).
# The role's settings modwsgi_service, modwsgi_packages and modwsgi_socket_prefix replace those.
# Debian is tested (Molecule, 11 to 13); RedHat runs in Molecule role_el9 (package mode, TLS) and
# pip_venv (pip mode) on an EL 9 layout host, httpd built from source (tests/images/el9/README.md),
# the packages already there.
ROLE_FAMILIES = {
    'Debian': {
        'layout': 'debian',
        'ctl': '/usr/sbin/apache2ctl',
        'socket_prefix': '/var/run/apache2/wsgi',
        'packages': {
            'package': ['apache2', 'libapache2-mod-wsgi-py3'],
            'pip': ['apache2', 'apache2-dev', 'gcc', 'python3-dev', 'python3-venv', 'python3-packaging'],
        },
        'pip_conflicts': ['libapache2-mod-wsgi-py3'],
        'tls_packages': [],
        'pip_cert': '/etc/ssl/certs/ca-certificates.crt',
        'pip_python': '/usr/bin/python3',
        'pip_load_dir': '/etc/apache2/mods-available',
        'pip_load_file': 'modwsgi-pip.load',
        'pip_load_enabled_dir': '/etc/apache2/mods-enabled',
        'log_dir': '/var/log/apache2',
        'error_log': '/var/log/apache2/error.log',
        'conf_dir': '/etc/apache2/conf-available',
        'conf_enabled_dir': '/etc/apache2/conf-enabled',
        'site_dir': '/etc/apache2/sites-available',
        'site_enabled_dir': '/etc/apache2/sites-enabled',
        'module_links': [
            {'path': '/etc/apache2/mods-enabled/wsgi.load', 'src': '../mods-available/wsgi.load'},
            {'path': '/etc/apache2/mods-enabled/wsgi.conf', 'src': '../mods-available/wsgi.conf'},
        ],
        'ssl_links': [
            {'path': '/etc/apache2/mods-enabled/socache_shmcb.load', 'src': '../mods-available/socache_shmcb.load'},
            {'path': '/etc/apache2/mods-enabled/ssl.load', 'src': '../mods-available/ssl.load'},
            {'path': '/etc/apache2/mods-enabled/ssl.conf', 'src': '../mods-available/ssl.conf'},
        ],
        'listened_ports': [80, 443],
    },
    'RedHat': {
        'layout': 'redhat',
        'ctl': '/usr/sbin/apachectl',
        'socket_prefix': '/var/run/wsgi',
        'packages': {
            'package': ['httpd', 'python3-mod_wsgi'],
            'pip': ['httpd', 'httpd-devel', 'gcc', 'python3-devel', 'python3-packaging'],
        },
        'pip_conflicts': ['python3-mod_wsgi'],
        # mod_ssl loads ssl and listens on 443.
        'tls_packages': ['mod_ssl'],
        'pip_cert': '/etc/pki/tls/certs/ca-bundle.crt',
        'pip_python': '/usr/bin/python3',
        'pip_load_dir': '/etc/httpd/conf.modules.d',
        'pip_load_file': '10-modwsgi-pip.conf',
        'pip_load_enabled_dir': None,
        'log_dir': '/var/log/httpd',
        'error_log': '/var/log/httpd/error_log',
        # conf.d is read directly: no "enabled" directory, no links.
        'conf_dir': '/etc/httpd/conf.d',
        'conf_enabled_dir': None,
        'site_dir': '/etc/httpd/conf.d',
        'site_enabled_dir': None,
        'module_links': [],
        'ssl_links': [],
        'listened_ports': [80, 443],
    },
}
