#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: verify
short_description: Prove that each application answers, from its own daemon process group
version_added: 0.1.0
description:
  - For each application of O(apps), asks the probe mounted in its process group
    (M(modwsgi.apache.probe)) and fails unless it runs in daemon mode, in its own group, with
    its processes and threads, on the MPM O(mpm).
  - Then requests the application's own URLs (the C(checks) of O(apps)) through Apache as a client
    reaches them, with the application's server name as the Host header and the TLS server
    name (SNI), redirects not followed, certificates not checked. Each must answer the status
    its check expects. A green probe next to a 500 from the application is a failure.
  - Right after a reload the daemon processes may still be starting, so each question is asked
    up to O(retries) times, O(delay) seconds apart.
  - A failure names the application, the URL, its status, and the lines Apache's error logs
    (O(error_logs)) gained while it was requested.
  - The role C(modwsgi.apache.daemon_mode) calls it after its reload or restart, and rolls back
    when it fails (M(modwsgi.apache.rollback)).
author:
  - modwsgi.apache maintainers (@modwsgi)
extends_documentation_fragment:
  - modwsgi.apache.attributes
  - modwsgi.apache.attributes.INFO_MODULE
options:
  apps:
    description:
      - The applications to verify, as the role's plan lists them (its C(verify)); other keys
        are ignored.
      - C(name) (the application's, and its daemon process group's), C(url) (its probe's),
        C(server_name) (the Host header and TLS server name of every request),
        C(validate_certs) (whether the probe's certificate is checked), C(processes) and
        C(threads) (what its daemon group must run).
      - C(checks), the application's own URLs, each C(url) (for example
        V(https://127.0.0.1:443/)) and C(status), the statuses it accepts; empty, the status
        class the URL answered before the change (O(before)), else any status below 500.
      - C(error_logs), the error logs to quote (besides O(error_logs)).
    type: list
    elements: dict
    required: true
  mpm:
    description: The MPM every probe must report; V(null) does not check it.
    type: str
  before:
    description: What the URLs answered before the change (the RV(modwsgi.apache.config_files#module:answers_before)).
    type: list
    elements: dict
    default: []
  error_logs:
    description: Apache's error logs to quote when a request fails.
    type: list
    elements: path
    default: []
  retries:
    description: How many times each question is asked before it counts as failed.
    type: int
    default: 5
  delay:
    description: Seconds between two tries.
    type: int
    default: 2
  secret_file:
    description: The probe's secret (see M(modwsgi.apache.probe)).
    type: path
    default: /etc/modwsgi/probe.secret
seealso:
  - module: modwsgi.apache.probe
  - module: modwsgi.apache.rollback
'''

EXAMPLES = r'''
- name: The shop answers from its daemon group, and its home page answers 200
  modwsgi.apache.verify:
    apps:
      - name: shop
        url: http://127.0.0.1:80/.well-known/modwsgi-probe/shop
        server_name: shop.example.com
        processes: 2
        threads: 15
        checks:
          - url: http://127.0.0.1:80/
            status: [200]
    mpm: event
    error_logs: [/var/log/apache2/error.log]
'''

RETURN = r'''
apps:
  description: For each application verified, what its probe said and what each URL answered, and
    all of it in one C(line).
  returned: always
  type: list
  elements: dict
  sample: [{name: shop, line: 'shop (shop.example.com:80/): daemon mode, group shop, 2 processes x 15 threads, MPM event,
              mod_wsgi 4.9.4, Python 3.11.2; http://127.0.0.1:80/ 200', mode: daemon, process_group: shop, processes: 2, threads: 15, mpm: event,
            mod_wsgi_version: 4.9.4, python_version: 3.11.2,
            checks: [{url: 'http://127.0.0.1:80/', status: 200}]}]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.modwsgi.apache.plugins.module_utils import _probe
from ansible_collections.modwsgi.apache.plugins.module_utils import _verify


def main():
    module = AnsibleModule(
        argument_spec=dict(
            apps=dict(type='list', elements='dict', required=True),
            mpm=dict(type='str'),
            before=dict(type='list', elements='dict', default=[]),
            error_logs=dict(type='list', elements='path', default=[]),
            retries=dict(type='int', default=5),
            delay=dict(type='int', default=2),
            secret_file=dict(type='path', default=_probe.SECRET_FILE),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        apps = [_verify.normalize(app, index) for index, app in enumerate(params['apps'])]
    except ValueError as exc:
        module.fail_json(msg=str(exc), changed=False, apps=[])
    try:
        secret = _probe.read_secret(params['secret_file'])
    except _probe.ProbeError as exc:
        module.fail_json(msg=str(exc), changed=False, apps=[])
    reports, failure = _verify.verify(
        apps, mpm=params['mpm'], before=params['before'], secret=secret,
        logs=params['error_logs'], attempts=max(1, params['retries']), delay=params['delay'])
    if failure:
        module.fail_json(msg=failure, changed=False, apps=reports)
    module.exit_json(changed=False, apps=reports)


if __name__ == '__main__':
    main()
