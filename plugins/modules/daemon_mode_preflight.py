#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: daemon_mode_preflight
short_description: Validate the input of the role daemon_mode, then read what the host says about it
version_added: 0.1.0
description:
  - The first step of the role P(modwsgi.apache.daemon_mode#role). It is an action plugin, and the
    input is validated on the controller first, and bad input fails before the host is
    reached. Each error names the setting (C(modwsgi_xxx) and the reason) or the
    application's field (C(modwsgi_apps[i].field) and the reason).
  - Each application gets every field's default; booleans accept Ansible's spellings (V(yes),
    V(no), V(on), V(off), V(true), V(false), V(1), V(0), in any case, as strings too), and
    numbers may be given as strings.
  - Then one call to the host reads, for every present application at once, whether its
    C(python_home) holds C(pyvenv.cfg), whether its C(wsgi_script) is a file, and
    whether its C(user) and C(group) exist; which of the packages are installed (dpkg or rpm);
    and whether Apache's control script O(ctl) exists. A host that contradicts the input fails
    the task, naming the field.
  - The same call reads Apache once, as M(modwsgi.apache.wsgi_facts) with
    O(modwsgi.apache.wsgi_facts#module:apache_facts) does, for the virtual hosts it has now
    (RV(existing)), the MPM the role makes active
    (RV(mpm_target)) and whether M(modwsgi.apache.mpm) would do anything (RV(mpm_pending), asked
    of that module's own code in check mode); and whether the service runs and starts at boot
    (RV(service_ready)). An idempotent run of the role skips the steps that would not change
    anything, and their calls to the host.
  - The rules and the per-application defaults live in the collection's private
    C(plugins/plugin_utils/_role_input.py); the role's C(meta/argument_specs.yml) documents them.
author:
  - modwsgi.apache maintainers (@modwsgi)
extends_documentation_fragment:
  - modwsgi.apache.attributes
  - modwsgi.apache.attributes.INFO_MODULE
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
options:
  apps:
    description:
      - The role's C(modwsgi_apps), as the user wrote them.
    type: list
    elements: dict
    required: true
  settings:
    description:
      - The role's settings, by name (C(modwsgi_xxx)). Each one given is validated; the
        normalized C(modwsgi_packages) are the packages looked up on the host.
    type: dict
    default: {}
  probe_url:
    description: Where the role mounts its probe; no application may be mounted under it.
    type: str
    default: /.well-known/modwsgi-probe
  ctl:
    description: Apache's control script; whether it exists says whether Apache is installed.
    type: str
    required: true
  conflicts:
    description: Packages that must not stay installed; the result says which of them are.
    type: list
    elements: str
    default: []
  probe_secret:
    description:
      - Also tell whether the probe's secret and digest (module M(modwsgi.apache.probe_secret))
        would be made or mended, in RV(probe_secret_pending). The action sets it from the
        setting C(modwsgi_probe); it is not an argument of the task.
    type: bool
    default: false
  mpm:
    description:
      - The setting C(modwsgi_mpm). The action sets it from O(settings); it is not an argument of
        the task.
      - Without it, Apache is not read (RV(existing), RV(mpm_target), RV(mpm_pending) and
        RV(service_ready) are not returned by the module).
    type: str
    choices: [auto, prefork, worker, event]
  service:
    description:
      - The setting C(modwsgi_service), Apache's service. The action sets it from O(settings); it
        is not an argument of the task.
    type: str
  tls_packages:
    description:
      - Packages that an application with C(tls) needs (RedHat's C(mod_ssl)); they are added to
        C(modwsgi_packages) when a present application has C(tls).
      - This option is read on the controller only.
    type: list
    elements: str
    default: []
notes:
  - Without dpkg and rpm on the host, every package is reported missing, and the package
    manager decides.
'''

EXAMPLES = r'''
- name: Validate the role's input, and read the host
  modwsgi.apache.daemon_mode_preflight:
    apps: "{{ modwsgi_apps }}"
    settings:
      modwsgi_install: "{{ modwsgi_install }}"
      modwsgi_packages: [apache2, libapache2-mod-wsgi-py3]
    ctl: /usr/sbin/apache2ctl
  register: preflight
'''

RETURN = r'''
apps:
  description: The applications with every field's default applied, booleans and numbers normalized.
  returned: success
  type: list
  elements: dict
settings:
  description: The settings given, normalized (booleans are booleans, numbers are integers).
  returned: success
  type: dict
vhosts:
  description:
    - The virtual hosts of the present applications, one per C(server_name:port), in the order
      of their first application. Each has the host settings that its applications share
      (C(server_aliases), C(document_root), C(error_log), C(access_log), C(tls),
      C(http_redirect)), C(server_name), C(port), C(file) (the name of its first application;
      the role writes C(modwsgi-<file>.conf)) and C(apps), the longest C(url_path) first.
  returned: success
  type: list
  elements: dict
retired:
  description:
    - The application names whose C(modwsgi-<name>.conf) must not stay (absent applications, and
      applications served from another application's file).
  returned: success
  type: list
  elements: str
check_mode:
  description: Whether this task runs in check mode (C(--check), or the play's or task's C(check_mode)).
  returned: success
  type: bool
apache_installed:
  description: Whether O(ctl) exists on the host.
  returned: success
  type: bool
preview:
  description: Check mode on a host without Apache, where the later steps can only be previewed.
  returned: success
  type: bool
missing_packages:
  description: The packages of C(modwsgi_packages) that are not installed, in their order.
  returned: success
  type: list
  elements: str
present_conflicts:
  description: The packages of O(conflicts) that are installed.
  returned: success
  type: list
  elements: str
probe_secret_pending:
  description:
    - Whether M(modwsgi.apache.probe_secret) would change the host (the secret or its digest is
      missing or differs); false when C(modwsgi_probe) is off. Nothing of the secret is
      returned.
  returned: success
  type: bool
existing:
  description:
    - What Apache serves now, before the role changes anything; C(mod_wsgi) and C(apache) as
      M(modwsgi.apache.wsgi_facts) with O(modwsgi.apache.wsgi_facts#module:apache_facts=true)
      returns them in RV(modwsgi.apache.wsgi_facts#module:ansible_facts) (without the
      processes).
  returned: success
  type: dict
  sample: {"mod_wsgi": {"installed": true, "vhosts": []}, "apache": {"installed": true}}
mpm_target:
  description:
    - The MPM the role makes active, C(modwsgi_mpm) itself; for V(auto), V(prefork) while a
      loaded module is not thread-safe (RV(thread_unsafe)) and V(event) otherwise.
  returned: success
  type: str
  sample: event
thread_unsafe:
  description: The loaded modules that need the prefork MPM (mod_php, mod_ruid2, mpm-itk).
  returned: success
  type: list
  elements: str
mpm_pending:
  description:
    - Whether M(modwsgi.apache.mpm) with RV(mpm_target) would change a file, need a restart (the
      running MPM is another one) or warn; true without Apache and when it would refuse.
  returned: success
  type: bool
service_ready:
  description:
    - Whether systemd says the service C(modwsgi_service) is V(active) and V(enabled); false
      otherwise, and without systemd.
  returned: success
  type: bool
errors:
  description: Every refused setting or field, its name, a colon and the reason.
  returned: failure
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.modwsgi.apache.plugins.module_utils._apachectl import host_access
from ansible_collections.modwsgi.apache.plugins.module_utils._preflight import read_apache, read_host


def main():
    """The host side; the action plugin of the same name has validated the input already."""
    module = AnsibleModule(
        argument_spec=dict(
            apps=dict(type='list', elements='dict', required=True),
            settings=dict(type='dict', default={}),
            probe_url=dict(type='str', default='/.well-known/modwsgi-probe'),
            ctl=dict(type='str', required=True),
            conflicts=dict(type='list', elements='str', default=[]),
            probe_secret=dict(type='bool', default=False),
            mpm=dict(type='str', choices=['auto', 'prefork', 'worker', 'event']),
            service=dict(type='str'),
            tls_packages=dict(type='list', elements='str', default=[]),
        ),
        supports_check_mode=True,
    )
    run, find_bin, _binary = host_access(module)
    packages = list(module.params['settings'].get('modwsgi_packages') or []) + module.params['conflicts']
    host = read_host(module.params['apps'], packages, module.params['ctl'], run, find_bin,
                     module.params['probe_secret'])
    if module.params['mpm']:
        host.update(read_apache(run, find_bin, module.params['mpm'], module.params['service']))
    module.exit_json(changed=False, host=host)


if __name__ == '__main__':
    main()
