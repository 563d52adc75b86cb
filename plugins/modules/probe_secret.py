#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: probe_secret
short_description: Make the host's secret for the modwsgi.apache probe
version_added: 0.1.0
description:
  - The probe (C(roles/daemon_mode/files/probe.wsgi)) answers only requests that carry the
    host's probe secret, so that nobody reaches it through a same-host reverse proxy (nginx,
    HAProxy, Varnish), which makes every request look local. Everyone else gets 404.
  - This module makes that secret, once, in O(secret_file) (random, 64 hexadecimal digits,
    mode 0600, owned by the user that runs the module, normally root). A secret that is
    already there is kept; only its mode and owner are corrected.
  - It writes the SHA-256 digest of the secret to O(digest_file) (mode 0644). The probe runs as
    the application's user and checks the secret against this digest; the digest does not give
    the secret away. Missing directories are made with mode 0755.
  - The secret is never returned, logged or shown in a diff.
  - It holds the host lock (O(lock_timeout)) while it reads and writes, so two runs never
    make two different secrets.
  - M(modwsgi.apache.probe) reads the secret (as root) and sends it. The role
    C(modwsgi.apache.daemon_mode) runs this module when it mounts the probe and its preflight
    says that the secret or the digest is missing or differs.
author:
  - modwsgi.apache maintainers (@modwsgi)
extends_documentation_fragment:
  - modwsgi.apache.attributes
  - modwsgi.apache.host_lock
attributes:
  check_mode:
    support: full
    details:
      - Says what would be made or corrected and changes nothing.
  diff_mode:
    support: full
    details:
      - One diff per file. The secret shows as a placeholder, never its content.
options:
  secret_file:
    description:
      - Where the secret is. M(modwsgi.apache.probe) reads it from the same default.
    type: path
    default: /etc/modwsgi/probe.secret
  digest_file:
    description:
      - Where the digest of the secret goes. The probe script reads it from this path; a
        different path needs C(DIGEST_FILE) changed in the script.
    type: path
    default: /etc/modwsgi/probe.digest
notes:
  - To change the secret, remove O(secret_file) and run the module again. The probe reads the
    digest at every request, so no reload is needed.
seealso:
  - module: modwsgi.apache.probe
'''

EXAMPLES = r'''
- name: Make the probe secret of a host where the probe is mounted by hand
  modwsgi.apache.probe_secret:
  become: true
'''

RETURN = r'''
secret_file:
  description: The path of the secret (never its content).
  type: str
  returned: always
  sample: /etc/modwsgi/probe.secret
digest_file:
  description: The path of the digest.
  type: str
  returned: always
  sample: /etc/modwsgi/probe.digest
created:
  description: Whether a new secret was made (or would be, in check mode).
  type: bool
  returned: success
  sample: false
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.modwsgi.apache.plugins.module_utils import _host_lock
from ansible_collections.modwsgi.apache.plugins.module_utils._probe import (
    DIGEST_FILE, SECRET_FILE, ProbeError)
from ansible_collections.modwsgi.apache.plugins.module_utils._probe_secret import ensure


def main():
    module = AnsibleModule(
        argument_spec=dict(
            secret_file=dict(type='path', default=SECRET_FILE),
            digest_file=dict(type='path', default=DIGEST_FILE),
            **_host_lock.ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    paths = dict(secret_file=module.params['secret_file'], digest_file=module.params['digest_file'])
    try:
        with _host_lock.for_module(module, 'modwsgi.apache.probe_secret'):
            result = ensure(check_mode=module.check_mode, **paths)
    except ProbeError as err:
        module.fail_json(msg=str(err), changed=False, **paths)
    except (IOError, OSError) as err:
        module.fail_json(msg='Error while writing the probe secret or its digest: %s' % err,
                         changed=False, **paths)
    result.update(paths)
    if not module._diff:
        del result['diff']
    module.exit_json(**result)


if __name__ == '__main__':
    main()
