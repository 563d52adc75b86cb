# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter wsgi_daemon_options: one rule for the WSGIDaemonProcess options that the role's
own virtual hosts (vhost.conf.j2) and the sites converted in place (_inplace) both write."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.modwsgi.apache.tests.unit.helpers import controller_code

with controller_code():
    from ansible.errors import AnsibleFilterError
    from ansible_collections.modwsgi.apache.plugins.filter.wsgi_daemon_options import wsgi_daemon_options
    from ansible_collections.modwsgi.apache.plugins.plugin_utils._role_input import APP_DEFAULTS

SHOP = dict(APP_DEFAULTS, name='shop', server_name='shop.test', wsgi_script='/srv/shop/app.wsgi',
            python_home='/srv/shop/venv')


def test_the_defaults_in_the_order_the_role_writes_them():
    assert wsgi_daemon_options(SHOP) == [
        'processes=2', 'threads=15', 'display-name=%{GROUP}', 'python-home=/srv/shop/venv',
        'home=/srv/shop', 'server-metrics=On']


def test_server_metrics_is_on_unless_daemon_options_say_otherwise():
    # group_metrics reads Apache's scoreboard through server_metrics(), which needs it.
    assert wsgi_daemon_options(dict(SHOP, daemon_options={'server-metrics': False}))[-1] == 'server-metrics=Off'
    assert 'server-metrics=On' not in wsgi_daemon_options(dict(SHOP, daemon_options={'server-metrics': False}))


def test_accounts_python_path_and_daemon_options_sorted_booleans_as_on_off():
    app = dict(SHOP, user='shop', group='www-data', python_home=None, python_path=['/srv/shop/lib', '/srv/lib'],
               daemon_options={'maximum-requests': 1000, 'lang': 'C.UTF-8', 'startup-timeout': 15,
                               'restart-interval': 0, 'send-buffer-size': 0, 'home': '/srv',
                               'shutdown-timeout': 5, 'graceful-timeout': 15})
    app['daemon_options']['socket-user'] = 'www-data'
    options = wsgi_daemon_options(app)
    # No python-home= without a venv (the Python mod_wsgi is built for); home= from the options.
    assert options[:5] == ['processes=2', 'threads=15', 'display-name=%{GROUP}', 'user=shop', 'group=www-data']
    assert 'python-home' not in ' '.join(options) and options.count('home=/srv') == 1
    assert options[5:7] == ['python-path=/srv/shop/lib:/srv/lib', 'server-metrics=On']
    assert options[7:] == sorted(options[7:])
    assert wsgi_daemon_options(dict(SHOP, daemon_options={'lazy': True}))[-1] == 'lazy=On'


def test_what_is_not_an_application_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match='wsgi_daemon_options'):
        wsgi_daemon_options({'name': 'shop'})
