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
  - Then one call to the host finds its OS family (C(ansible_facts.os_family) when the play
    gathered facts, else C(/etc/os-release)), so that the role needs no fact gathering, and
    reads, for every present application at once, whether its
    C(python_home) holds C(pyvenv.cfg), whether its C(wsgi_script) is a file, and
    whether its C(user) and C(group) exist; which of the packages are installed (dpkg or rpm);
    and whether Apache's control script exists. A host of an OS family that O(os_families) does
    not have, or that contradicts the input, fails the task, naming the OS or the field.
  - The same call reads Apache once, as M(modwsgi.apache.wsgi_facts) with
    O(modwsgi.apache.wsgi_facts#module:apache_facts) does, for the virtual hosts it has now
    (RV(existing)), the MPM the role makes active
    (RV(mpm_target)) and whether M(modwsgi.apache.mpm) would do anything (RV(mpm_pending), asked
    of that module's own code in check mode); and whether the service runs and starts at boot
    (RV(service_ready)). An idempotent run of the role skips the steps that would not change
    anything, and their calls to the host.
  - Then it lists every application of the host that runs in embedded mode and that this run
    does not convert (RV(left_embedded)), that is, not in a site that C(takeover=replace)
    disables, not converted by C(takeover=in_place), not in a file the role writes. With the setting
    C(modwsgi_restrict_embedded) true (its default), the role writes C(WSGIRestrictEmbedded On)
    and each of them would answer 500 from then on, so the task fails, naming each one's
    C(SERVER:PORT/URL), directive, script and C(file:line), unless the setting
    C(modwsgi_restrict_embedded_accept) lists it (as C(SERVER:PORT/URL) or its script). An entry
    of that setting that names none of them fails the task too.
  - The rules and the per-application defaults live in the collection's private
    C(plugins/plugin_utils/_role_input.py); the role's C(meta/argument_specs.yml) documents them.
  - Last it builds the role's whole plan (the collection's private
    C(plugins/plugin_utils/_plan.py)) - every file, rendered on the controller from the role's
    templates as C(lookup('ansible.builtin.template')) would find them in the task's search
    path, every link and removal (RV(files), RV(links), RV(absent)), the sites taken over
    (RV(takeovers)) or converted in place (RV(in_place)), and what to verify (RV(verify)); the
    role's later steps only apply it.
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
      - The role's settings, by name (C(modwsgi_xxx)). Each one given is validated. Without this
        option, each setting of the role that the play defines is read from its variables. A null
        C(modwsgi_service), C(modwsgi_packages) or C(modwsgi_socket_prefix) takes the value of
        the host's OS family in O(os_families).
    type: dict
  probe_url:
    description: Where the role mounts its probe; no application may be mounted under it.
    type: str
    default: /.well-known/modwsgi-probe
  families:
    description:
      - What the role needs of each OS family it supports, by family (as
        C(ansible_facts.os_family) names it), each a dict of C(ctl) (Apache's control script,
        whose presence says whether Apache is installed), C(service), C(packages) (looked up on
        the host) and C(conflicts) (packages that must not stay installed). The action computes
        it from the role's per-family table and the user's settings; it is not an argument of
        the task.
    type: dict
    required: true
  os_family:
    description:
      - C(ansible_facts.os_family), when the play gathered facts. Without it the host's
        C(/etc/os-release) says it (its C(ID), then the words of its C(ID_LIKE)), so the role
        needs no fact gathering. The action sets it; it is not an argument of the task.
    type: str
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
  os_families:
    description:
      - A table of OS families in place of the collection's own, by family; each has C(ctl),
        C(service), C(socket_prefix), C(packages) (a list for each C(modwsgi_install)),
        C(pip_conflicts) (removed for C(modwsgi_install=pip)) and C(tls_packages) (added when a
        present application has C(tls), as RedHat's C(mod_ssl)), and where the role writes its
        files (C(conf_dir), C(site_dir), their C(_enabled_dir), C(log_dir), the C(pip_) paths,
        C(module_links), C(ssl_links), C(listened_ports), C(main_files)), as in the
        collection's own table (its private C(plugins/module_utils/_constants.py),
        C(ROLE_FAMILIES)), which says what each is.
      - The settings C(modwsgi_service), C(modwsgi_packages) and C(modwsgi_socket_prefix) replace
        the family's values when they are given (not null).
      - This option is read on the controller only. Without it, the collection's own table is
        used (the role passes none), Debian and RedHat.
    type: dict
  ours:
    description:
      - A regular expression that matches the files the role writes itself; with it, the host
        also returns the text, mode and owner of the site files that C(takeover=in_place) may
        rewrite. The action sets it; it is not an argument of the task.
    type: str
notes:
  - Without dpkg and rpm on the host, every package is reported missing, and the package
    manager decides.
'''

EXAMPLES = r'''
- name: Validate the role's input, and read the host
  modwsgi.apache.daemon_mode_preflight:
    apps: "{{ modwsgi_apps }}"
    settings:
      modwsgi_install: package
      modwsgi_mpm: auto
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
os_family:
  description: The host's OS family, as C(ansible_facts.os_family) names it.
  returned: success
  type: str
  sample: Debian
pkg_mgr:
  description:
    - The package manager Ansible's P(ansible.builtin.package#module) would pick (C(apt) on the
      Debian family with C(apt-get)), or V(auto) where the rule is not that plain; the role
      passes it as that module's O(ansible.builtin.package#module:use), so that it gathers no
      fact.
  returned: success
  type: str
  sample: apt
service_mgr:
  description:
    - V(systemd) when C(systemctl) exists and systemd runs (C(/run/systemd/system)), else
      V(auto); the role passes it as O(ansible.builtin.service#module:use).
  returned: success
  type: str
  sample: systemd
apache_installed:
  description: Whether the family's Apache control script exists on the host.
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
  description: The packages of the family's C(pip_conflicts) that are installed (with C(modwsgi_install=pip)).
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
carried:
  description:
    - What embedded mode gave an application that the role converts (C(takeover=in_place), or
      C(replace) of a site that ran it embedded) and its daemon group would not have otherwise,
      namely the server-level C(WSGIPythonPath), C(WSGIPythonHome) and C(WSGIPythonEggs), carried
      into its RV(apps) as C(python_path), C(python_home) and C(daemon_options.python-eggs)
      unless the application sets that field. One entry per value carried, with the file and
      line of the directive. A value that cannot be carried as it is (inside C(<IfDefine>) or
      C(<IfVersion>), set to different values, a relative path or one with a space) fails the
      task, naming the field to set. C(message) is the line the role prints for it.
  returned: success
  type: list
  elements: dict
  sample:
    - app: mysite
      index: 0
      directive: WSGIPythonPath
      option: python-path
      value: /srv/mysite
      file: /etc/apache2/sites-enabled/mysite.conf
      line: 3
      message: >-
        mysite: python-path=/srv/mysite, from WSGIPythonPath at /etc/apache2/sites-enabled/mysite.conf:3
        (embedded mode applied it; daemon processes take it from their group only)
left_embedded:
  description:
    - Every application mount of the host that runs in embedded mode after this run, as
      M(modwsgi.apache.wsgi_facts) reports it before the run (C(server), C(url), C(script),
      C(directive), C(file), C(line)), with C(keys) (the entries of
      C(modwsgi_restrict_embedded_accept) that name it), C(accepted) (one of them is listed) and
      C(why) (V(embedded), or V(restored) for the site of an absent application converted in
      place, whose original line comes back). Empty when the run leaves nothing embedded.
  returned: success
  type: list
  elements: dict
  sample:
    - server: "other.test:80"
      url: /
      script: /srv/other/app.wsgi
      directive: WSGIScriptAlias
      file: /etc/apache2/sites-enabled/other.conf
      line: 3
      keys: ["other.test:80/", /srv/other/app.wsgi]
      accepted: true
      why: embedded
takeovers:
  description:
    - One entry per file holding a virtual host that a present application claims with
      C(takeover=replace) (C(file), C(apps), C(claimed), C(others), C(main_file)); the role
      disables each file in its transaction.
  returned: success
  type: list
  elements: dict
in_place:
  description:
    - For each present application converted in place, its probe's C(url), the C(file) of its own
      virtual host (the one that defines its daemon group), and C(files), every file the conversion
      changes for it, that one first, then those of its other virtual hosts (in Certbot's pair, the
      port-80 site that still mounts the application), which only select the group.
  returned: success
  type: dict
files:
  description:
    - Every file the role's transaction writes (M(modwsgi.apache.config_files) O(modwsgi.apache.config_files#module:files)),
      in the order the role writes them; the sites converted in place are whole new texts.
  returned: success
  type: list
  elements: dict
links:
  description: Every link of the transaction (O(modwsgi.apache.config_files#module:links)).
  returned: success
  type: list
  elements: dict
absent:
  description:
    - Every path the transaction removes (O(modwsgi.apache.config_files#module:absent)), the
      sites taken over, the files of absent applications, the MPM sizing when it is off.
  returned: success
  type: list
  elements: dict
sizing:
  description: The MPM sizing with C(modwsgi_mpm_tuning=auto) (as P(modwsgi.apache.mpm_sizing#filter) gives it), else null.
  returned: success
  type: dict
verify:
  description:
    - What the role asks of each present application after the change, C(name), C(url) and
      C(validate_certs) of its probe, C(server_name), C(port), C(url_path), C(wsgi_script),
      C(processes) and C(threads).
  returned: success
  type: list
  elements: dict
notes:
  description:
    - What the role says before it changes anything, one line each, what is carried into a
      daemon group, why the MPM stays prefork, how it is sized, and in check mode what a real
      run would install, remove, or do on a host without Apache.
  returned: success
  type: list
  elements: str
layout:
  description: The host's OS family's entry of O(os_families) (where the role writes its files).
  returned: success
  type: dict
errors:
  description: Every refused setting or field, its name, a colon and the reason.
  returned: failure
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.modwsgi.apache.plugins.module_utils._host_access import host_access
from ansible_collections.modwsgi.apache.plugins.module_utils._preflight import preflight


def main():
    """The host side; the action plugin of the same name has validated the input already."""
    module = AnsibleModule(
        argument_spec=dict(
            apps=dict(type='list', elements='dict', required=True),
            settings=dict(type='dict'),
            probe_url=dict(type='str', default='/.well-known/modwsgi-probe'),
            families=dict(type='dict', required=True),
            os_family=dict(type='str'),
            probe_secret=dict(type='bool', default=False),
            mpm=dict(type='str', choices=['auto', 'prefork', 'worker', 'event']),
            os_families=dict(type='dict'),
            ours=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    run, find_bin, _binary = host_access(module)
    host = preflight(module.params['apps'], module.params['families'], run, find_bin,
                     family=module.params['os_family'], mpm=module.params['mpm'],
                     probe_secret=module.params['probe_secret'], ours=module.params['ours'])
    module.exit_json(changed=False, host=host)


if __name__ == '__main__':
    main()
