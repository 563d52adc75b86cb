#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: probe
short_description: Ask a running mod_wsgi application where it really runs
version_added: 0.1.0
description:
  - Requests the modwsgi.apache probe (C(roles/daemon_mode/files/probe.wsgi)) from the managed
    host itself and reports where it runs. The role C(modwsgi.apache.daemon_mode) mounts it
    local-only at C(/.well-known/modwsgi-probe/<name>), one per application, inside that
    application's own process group, so what the probe says is what the application gets.
  - Returns the mode (V(daemon) or V(embedded)), the mod_wsgi process group and application
    group, C(wsgi.multithread) and C(wsgi.multiprocess), the Apache MPM, the mod_wsgi and
    Python versions, the pid of the process that answered, and the processes and threads of the
    daemon process group.
  - With O(expect_mode) and O(expect_group) it fails, naming what was expected and what runs,
    when the application does not run where it should.
  - A timeout, a refused connection, an HTTP error (500, 404, 403, ...) and an answer that is not
    the probe's each fail with their own message.
  - The request is sent with Python's urllib from the managed host, without a proxy, and without
    following redirects. It works with mod_wsgi 4.7 to 6.x.
  - The request carries the host's probe secret, read from O(secret_file), in the
    C(X-Modwsgi-Probe-Secret) header. The probe answers nobody else (they get 404), so a
    same-host reverse proxy, whose requests all look local to Apache, does not expose it.
author:
  - modwsgi.apache maintainers (@modwsgi)
extends_documentation_fragment:
  - modwsgi.apache.attributes
  - modwsgi.apache.attributes.INFO_MODULE
options:
  url:
    description:
      - The probe's URL, as seen from the managed host. On a host the role C(modwsgi.apache.daemon_mode)
        manages, the application named C(shop) is asked at
        C(http://127.0.0.1/.well-known/modwsgi-probe/shop) (C(https://) and the port of its
        virtual host when it serves TLS; the probe answers loopback clients only).
    type: str
    required: true
  host:
    description:
      - The C(Host) header to send, to reach the application's name-based virtual host.
      - Without it, the host of O(url) is sent, which usually selects Apache's default virtual host.
      - For C(https://) URLs, O(host) is also the TLS server name (SNI) and the name the certificate is checked against.
    type: str
  timeout:
    description:
      - Seconds to wait for the connection and for the answer.
    type: int
    default: 10
  validate_certs:
    description:
      - Whether to validate the TLS certificate of an C(https://) O(url).
      - Set V(false) for a self-signed certificate probed through C(127.0.0.1).
    type: bool
    default: true
  secret_file:
    description:
      - The file that holds the host's probe secret. The module must be able to read it. It is
        root's only, so run the module as root (C(become)).
      - The role C(modwsgi.apache.daemon_mode) makes it, and M(modwsgi.apache.probe_secret)
        makes it for a probe mounted by hand. The module fails, saying so, when the file is
        missing or unreadable.
    type: path
    default: /etc/modwsgi/probe.secret
  expect_mode:
    description:
      - Fail unless the application runs in this mode.
    type: str
    choices: [daemon, embedded]
  expect_group:
    description:
      - Fail unless the application runs in this mod_wsgi process group (the name given to
        C(WSGIDaemonProcess)). V('') means embedded mode.
    type: str
notes:
  - The probe script must be mounted first (the role C(modwsgi.apache.daemon_mode) does it).
    Its header comment shows the Apache configuration, and how to make the secret by hand.
  - The module only reads. It runs in check mode too and never reports a change.
seealso:
  - module: modwsgi.apache.mpm_facts
  - module: modwsgi.apache.probe_secret
'''

EXAMPLES = r'''
- name: Where does the shop run? (the role mounts one probe per application, at /<name>)
  modwsgi.apache.probe:
    url: http://127.0.0.1/.well-known/modwsgi-probe/shop
    host: shop.example.com
  register: shop_probe

- name: Fail unless the shop runs in its own daemon process group
  modwsgi.apache.probe:
    url: http://127.0.0.1/.well-known/modwsgi-probe/shop
    host: shop.example.com
    expect_mode: daemon
    expect_group: shop

- name: Probe an HTTPS-only virtual host with a self-signed certificate
  modwsgi.apache.probe:
    url: https://127.0.0.1/.well-known/modwsgi-probe/admin
    host: admin.example.com
    validate_certs: false
    timeout: 5
'''

RETURN = r'''
url:
  description: The URL that was requested.
  type: str
  returned: always
  sample: http://127.0.0.1/.well-known/modwsgi-probe/shop
host:
  description: The C(Host) header that was sent, or V(null).
  type: str
  returned: always
  sample: shop.example.com
mode:
  description: V(daemon) when the probe runs in a daemon process group, V(embedded) when it runs inside Apache's own children.
  type: str
  returned: success
  sample: daemon
process_group:
  description: The mod_wsgi process group (C(mod_wsgi.process_group)); V('') in embedded mode.
  type: str
  returned: success
  sample: shop
application_group:
  description: >-
    The mod_wsgi application group (Python sub-interpreter); V('') for C(%{GLOBAL}), the main
    interpreter. By default it is C(SERVER|SCRIPT_PATH).
  type: str
  returned: success
  sample: ''
multithread:
  description: C(wsgi.multithread) as the application sees it.
  type: bool
  returned: success
  sample: true
multiprocess:
  description: C(wsgi.multiprocess) as the application sees it.
  type: bool
  returned: success
  sample: true
mpm:
  description: The Apache MPM in use (C(apache.mpm_name)), in lower case.
  type: str
  returned: success
  sample: event
mod_wsgi_version:
  description: The version of mod_wsgi (C(mod_wsgi.version)).
  type: str
  returned: success
  sample: 4.9.4
python_version:
  description: The version of the Python interpreter that runs the application.
  type: str
  returned: success
  sample: 3.11.2
pid:
  description: The id of the process that answered.
  type: int
  returned: success
  sample: 1032
processes:
  description: >-
    C(mod_wsgi.maximum_processes): the processes of the daemon process group in daemon mode;
    in embedded mode, mod_wsgi's view of Apache's children.
  type: int
  returned: success
  sample: 2
threads:
  description: >-
    C(mod_wsgi.threads_per_process): the threads of each daemon process in daemon mode; in
    embedded mode, Apache's C(ThreadsPerChild).
  type: int
  returned: success
  sample: 15
server_software:
  description: C(SERVER_SOFTWARE) as Apache passes it (its detail depends on C(ServerTokens)).
  type: str
  returned: success
  sample: Apache/2.4.62 (Debian)
error:
  description: >-
    On failure to read the probe, why, in one word: V(invalid_url), V(timeout), V(refused),
    V(unreachable), V(tls), V(redirect), V(http), V(not_json), V(not_probe), V(format) or
    V(secret) (O(secret_file) is missing, unreadable or holds no secret).
  type: str
  returned: failure
  sample: refused
status:
  description: The HTTP status of an error answer.
  type: int
  returned: failure, when the server answered with an HTTP error
  sample: 500
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.modwsgi.apache.plugins.module_utils._probe import (
    MODES, SECRET_FILE, ProbeError, check_expectations, probe, read_secret)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type='str', required=True),
            host=dict(type='str'),
            timeout=dict(type='int', default=10),
            validate_certs=dict(type='bool', default=True),
            expect_mode=dict(type='str', choices=list(MODES)),
            expect_group=dict(type='str'),
            secret_file=dict(type='path', default=SECRET_FILE),
        ),
        supports_check_mode=True,
    )
    params = module.params
    where = dict(url=params['url'], host=params['host'])
    try:
        result = probe(params['url'], host=params['host'], timeout=params['timeout'],
                       validate_certs=params['validate_certs'],
                       secret=read_secret(params['secret_file']))
    except ProbeError as err:
        extra = {'status': err.status} if err.status is not None else {}
        module.fail_json(msg=str(err), error=err.kind, changed=False, **dict(where, **extra))
    result.update(where)
    msg = check_expectations(result, expect_mode=params['expect_mode'],
                             expect_group=params['expect_group'])
    if msg:
        module.fail_json(msg=msg, changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
