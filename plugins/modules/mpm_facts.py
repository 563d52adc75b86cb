#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: mpm_facts
short_description: Report Apache's build, active MPM, modules, limits and memory
version_added: 0.1.0
description:
  - Finds Apache for the host's layout (Debian, RedHat, SUSE or a source build), runs its
    C(-v) (C(-V) for a source build, whose paths it tells), and C(-S -M) in one run, under
    C(LANG=C) (and C(-l) only when C(-S -M) fails), and reads its configuration the way Apache
    does.
  - Returns the version, the active MPM and the file and line that select it, the loaded
    modules, the modules that are not thread-safe, the MPM limits in force, and the memory of
    Apache's processes.
  - On a host without Apache it returns RV(ansible_facts.apache.installed=false) and does not
    fail. When the configuration is broken it returns what it can, with
    RV(ansible_facts.apache.config_ok=false) and Apache's own error message.
author:
  - modwsgi.apache maintainers (@modwsgi)
extends_documentation_fragment:
  - modwsgi.apache.apache
  - modwsgi.apache.attributes
  - modwsgi.apache.attributes.INFO_MODULE
  - modwsgi.apache.attributes.FACTS
options:
  processes:
    description:
      - Whether to measure Apache's processes (count, RSS and PSS) from C(/proc).
    type: bool
    default: true
notes:
  - PSS needs the right to read C(/proc/PID/smaps_rollup) of Apache's children. Without it
    (for example in a container without C(CAP_SYS_PTRACE)), RV(ansible_facts.apache.processes.pss_mb)
    is V(null).
seealso:
  - module: modwsgi.apache.wsgi_facts
'''

EXAMPLES = r'''
- name: Gather Apache facts
  modwsgi.apache.mpm_facts:

- name: Warn about prefork
  ansible.builtin.debug:
    msg: "{{ inventory_hostname }} runs prefork, selected in {{ ansible_facts.apache.mpm.selected_by.file }}"
  when:
    - ansible_facts.apache.installed
    - ansible_facts.apache.mpm.name == 'prefork'

- name: Facts of a source build
  modwsgi.apache.mpm_facts:
    binary: /opt/httpd-2.4/bin/httpd
'''

RETURN = r'''
ansible_facts:
  description: Facts to add to ansible_facts.
  returned: always
  type: dict
  contains:
    apache:
      description: What the module found out about Apache.
      returned: always
      type: dict
      contains:
        installed:
          description: Whether an Apache binary was found.
          type: bool
          returned: always
          sample: true
        layout:
          description: The layout detected from the files on the host.
          type: str
          returned: always
          sample: debian
        version:
          description: Apache's version.
          type: str
          returned: when installed
          sample: 2.4.62
        server_version:
          description: The whole C(Server version) line.
          type: str
          returned: when installed
          sample: Apache/2.4.62 (Debian)
        binary:
          description: Path of the Apache binary.
          type: str
          returned: when installed
          sample: /usr/sbin/apache2
        ctl:
          description: Path of the control script (C(apache2ctl) or C(apachectl)).
          type: str
          returned: when installed
          sample: /usr/sbin/apache2ctl
        service:
          description: The service name, or V(null) for a source build.
          type: str
          returned: when installed
          sample: apache2
        server_root:
          description: The ServerRoot in force.
          type: str
          returned: when installed
          sample: /etc/apache2
        config_file:
          description: The main configuration file.
          type: str
          returned: when installed
          sample: /etc/apache2/apache2.conf
        config_ok:
          description: Whether Apache accepts its configuration (C(-S) succeeds).
          type: bool
          returned: when installed
        config_error:
          description: Apache's own error message when RV(ansible_facts.apache.config_ok) is false.
          type: str
          returned: when installed
        parse_errors:
          description: Problems met while reading the configuration (missing includes, cycles).
          type: list
          elements: dict
          returned: when installed
        defines:
          description: The names Apache has defined (C(-D) and C(Define)).
          type: list
          elements: str
          returned: when installed
        pid_file:
          description: Apache's pid file.
          type: str
          returned: when installed
        mpm:
          description: The active MPM.
          type: dict
          returned: when installed
          contains:
            name:
              description: V(prefork), V(worker) or V(event).
              type: str
              sample: event
            threaded:
              description: Whether the MPM serves requests with threads.
              type: bool
            forked:
              description: Whether the MPM forks child processes.
              type: bool
            static:
              description: Whether the MPM is compiled into the binary (cannot be switched by config).
              type: bool
            selected_by:
              description: The file and line that select the MPM (the binary itself for a static MPM).
              type: dict
              sample: {file: /etc/apache2/mods-enabled/mpm_event.load, line: 1}
        modules:
          description: Loaded modules, each V(static) or V(shared).
          type: dict
          returned: when installed
          sample: {core_module: static, wsgi_module: shared}
        thread_unsafe_modules:
          description: Loaded modules that need the prefork MPM, with the reason.
          type: list
          elements: dict
          returned: when installed
          sample: [{name: php_module, reason: mod_php is not thread-safe as distributions build it; it needs the prefork MPM}]
        limits:
          description: The limits of the active MPM in force, after Apache's own adjustments.
          type: dict
          returned: when installed
          sample: {MaxRequestWorkers: 150, ServerLimit: 16, StartServers: 2, ThreadsPerChild: 25}
        limits_from:
          description: For each limit, the C(file:line) that set it, or C(compiled default).
          type: dict
          returned: when installed
        processes:
          description: Apache's running processes (parent, children and mod_wsgi daemons).
          type: dict
          returned: when installed and O(processes=true)
          contains:
            count:
              description: Number of processes; V(0) when Apache is not running.
              type: int
            rss_mb:
              description: Sum of their resident memory, in MiB.
              type: float
            pss_mb:
              description: Sum of their proportional memory, in MiB; V(null) when it cannot be read.
              type: float
            pids:
              description: Their process ids.
              type: list
              elements: int
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.modwsgi.apache.plugins.module_utils._host_access import host_access
from ansible_collections.modwsgi.apache.plugins.module_utils._httpd_runs import freeze_gc, start


def main():
    freeze_gc()
    module = AnsibleModule(
        argument_spec=dict(
            binary=dict(type='path'),
            processes=dict(type='bool', default=True),
        ),
        supports_check_mode=True,
    )
    run, find_bin, binary = host_access(module)
    started = start(run, find_bin, binary=binary)
    # The parsers are imported while httpd reads its configuration: AnsiballZ compiles every
    # module_util from source on each call.
    from ansible_collections.modwsgi.apache.plugins.module_utils._mpm_facts import apache_facts
    facts = apache_facts(run, find_bin, binary=binary, processes=module.params['processes'],
                         started=started)
    module.exit_json(changed=False, ansible_facts={'apache': facts})


if __name__ == '__main__':
    main()
