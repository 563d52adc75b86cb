# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter probe_target: one rule for where the role's verify and reload steps ask the probe
(the in_place plan builds its addresses with the same function: test_inplace.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.modwsgi.apache.tests.unit.helpers import controller_code

with controller_code():
    from ansible.errors import AnsibleFilterError
    from ansible_collections.modwsgi.apache.plugins.filter.probe_target import probe_target
    from ansible_collections.modwsgi.apache.plugins.plugin_utils._role_input import APP_DEFAULTS

PROBE = '/.well-known/modwsgi-probe'
SHOP = dict(APP_DEFAULTS, name='shop', server_name='shop.test', wsgi_script='/srv/shop/app.wsgi', port=8080)
TLS = {'certificate': '/etc/ssl/certs/shop.pem', 'key': '/etc/ssl/private/shop.key', 'chain': None}


def test_one_of_the_role_s_virtual_hosts_is_asked_on_the_loopback_at_its_port():
    assert probe_target(SHOP, {}, PROBE) == {
        'url': 'http://127.0.0.1:8080/.well-known/modwsgi-probe/shop', 'validate_certs': True}


@pytest.mark.parametrize('self_signed, validate', [(False, True), (True, False)])
def test_tls_is_asked_over_https_and_checked_unless_self_signed(self_signed, validate):
    app = dict(SHOP, port=443, tls=dict(TLS, self_signed=self_signed))
    assert probe_target(app, {}, PROBE) == {
        'url': 'https://127.0.0.1:443/.well-known/modwsgi-probe/shop', 'validate_certs': validate}


def test_an_application_converted_in_place_is_asked_where_the_plan_found_its_site():
    plan_apps = {'shop': {'url': 'https://127.0.0.1:443/.well-known/modwsgi-probe/shop',
                          'file': '/etc/apache2/sites-enabled/legacy.conf'}}
    # Its own site's certificate, which the role did not write: not checked.
    assert probe_target(dict(SHOP, takeover='in_place'), plan_apps, PROBE) == {
        'url': 'https://127.0.0.1:443/.well-known/modwsgi-probe/shop', 'validate_certs': False}
    # Another application of the same run is still one of the role's.
    assert probe_target(dict(SHOP, name='blog'), plan_apps, PROBE)['url'].startswith('http://127.0.0.1:8080/')


def test_not_an_application_fails_as_a_filter_error():
    with pytest.raises(AnsibleFilterError, match='^probe_target: '):
        probe_target({'server_name': 'shop.test'}, {}, PROBE)
