#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: wsgi_facts
short_description: Audit the mod_wsgi configuration of Apache without touching it
version_added: 0.1.0
description:
  - Finds Apache the same way as M(modwsgi.apache.mpm_facts), reads its whole configuration
    the way Apache does (includes, C(Define), C(<IfModule>), C(<IfDefine>), C(<IfVersion>)),
    then applies mod_wsgi's own rules.
  - Returns every daemon process group, every WSGI mount with the process group, application
    group and mode that apply to it and the directive that decided them, and findings such as
    apps left in embedded mode, daemon groups that are undefined, unused or not visible from
    their virtual host, or a front end too small for its daemons.
  - With O(resolve), it also tells, for each URL, which virtual host and mount serve it and in
    which process group. This is the static twin of M(modwsgi.apache.probe).
  - Reads the mod_wsgi shared object to report the C(libpython) it links (from the ELF
    C(DT_NEEDED) entries, or else the file name), and its version from what installed it (dpkg
    or pip). Nothing is run but Apache's own C(-v) (C(-V) for a source build), and C(-S -M) in
    one run (and C(-l) when C(-S -M) fails).
  - On a host without Apache or mod_wsgi it returns RV(ansible_facts.mod_wsgi.installed=false)
    and does not fail.
author:
  - modwsgi.apache maintainers (@modwsgi)
extends_documentation_fragment:
  - modwsgi.apache.apache
  - modwsgi.apache.attributes
  - modwsgi.apache.attributes.INFO_MODULE
  - modwsgi.apache.attributes.FACTS
options:
  apache_facts:
    description:
      - Also return RV(ansible_facts.apache), exactly as M(modwsgi.apache.mpm_facts) does with
        its defaults (Apache's build, MPM, modules, limits and processes).
      - Both sets of facts then come from one reading of Apache, in one module call instead of
        two. The fleet audit (C(modwsgi.apache.audit)) gathers them this way.
    type: bool
    default: false
  resolve:
    description:
      - URLs to resolve against the configuration, such as V(http://shop.example:8080/api/x).
      - Each needs the V(http) or V(https) scheme and a host. The port defaults to the
        scheme's.
      - The virtual host is chosen by C(ServerName)/C(ServerAlias) among those that listen on
        the URL's port; when none matches, the first one for that port (the default virtual
        host) answers, as in Apache.
    type: list
    elements: str
    default: []
notes:
  - The process group set with C(%{ENV:...}) is only known per request; such mounts have the
    mode V(unknown) and a reason.
  - Without a C(ServerName), Apache uses the host's own name, which the configuration does not
    tell; the default application group (C(%{RESOURCE})) is then V(null).
  - Which address a URL's host resolves to is not known statically, so IP-based virtual hosts
    are matched by port only.
seealso:
  - module: modwsgi.apache.mpm_facts
  - module: modwsgi.apache.probe
  - name: mod_wsgi configuration directives
    description: The rules this module applies.
    link: https://modwsgi.readthedocs.io/en/master/configuration.html
'''

EXAMPLES = r'''
- name: Audit mod_wsgi
  modwsgi.apache.wsgi_facts:

- name: Fail when an app runs in embedded mode
  ansible.builtin.assert:
    that: embedded | length == 0
    fail_msg: "{{ embedded | map(attribute='message') | list }}"
  vars:
    embedded: "{{ ansible_facts.mod_wsgi.findings | selectattr('code', 'equalto', 'mount_embedded') | list }}"

- name: Gather the apache facts of modwsgi.apache.mpm_facts too, in the same call
  modwsgi.apache.wsgi_facts:
    apache_facts: true

- name: Where would these URLs run?
  modwsgi.apache.wsgi_facts:
    resolve:
      - http://shop.example:8080/api/x
      - https://shop.example/

- name: Show the process group of each URL
  ansible.builtin.debug:
    msg: "{{ item.url }} -> {{ item.mode }} {{ item.process_group }}"
  loop: "{{ ansible_facts.mod_wsgi.resolved }}"
'''

RETURN = r'''
ansible_facts:
  description: Facts to add to ansible_facts.
  returned: always
  type: dict
  contains:
    apache:
      description:
        - Apache's facts, as RV(modwsgi.apache.mpm_facts#module:ansible_facts.apache) describes them.
      returned: when O(apache_facts=true)
      type: dict
    mod_wsgi:
      description: What the module found out about mod_wsgi.
      returned: always
      type: dict
      contains:
        installed:
          description: Whether the mod_wsgi shared object exists.
          type: bool
          returned: always
          sample: true
        loaded:
          description: Whether Apache loads mod_wsgi (C(wsgi_module) in C(-M)).
          type: bool
          returned: always
          sample: true
        version:
          description:
            - mod_wsgi's upstream version, from what installed the shared object - dpkg's
              database for a Debian package (C(4.9.4-1+b2) gives V(4.9.4)), or the
              C(mod_wsgi-X.dist-info) (or C(.egg-info)) beside a pip build.
            - V(null) when neither tells, as for an RPM or a build from source.
          type: str
          returned: always
          sample: 4.9.4
        module_path:
          description: The mod_wsgi shared object that was read.
          type: str
          returned: always
          sample: /usr/lib/apache2/modules/mod_wsgi.so
        python:
          description: The Python mod_wsgi is built for, or V(null) when unknown.
          type: dict
          returned: always
          sample: {library: libpython3.11.so.1.0, version: '3.11', from: DT_NEEDED}
          contains:
            library:
              description: The C(libpython) in the ELF C(DT_NEEDED) entries.
              type: str
            version:
              description: Python's C(X.Y).
              type: str
            from:
              description: V(DT_NEEDED) or V(file name).
              type: str
        restrict_embedded:
          description: Whether C(WSGIRestrictEmbedded On) is in force.
          type: bool
          returned: always
        daemon_groups:
          description: Every C(WSGIDaemonProcess), in configuration order.
          type: list
          elements: dict
          returned: always
          sample:
            - {name: shop, server: 'shop.example:80', file: /etc/apache2/sites-enabled/shop.conf, line: 3,
               processes: 2, threads: 15, options: {processes: '2', display-name: '%{GROUP}'}}
          contains:
            name:
              description: The group's name.
              type: str
            server:
              description: The virtual host (C(name:port)) that defines it, or V(main server)
                (such a group is visible from every virtual host).
              type: str
            file:
              description: File of the directive.
              type: str
            line:
              description: Line of the directive.
              type: int
            processes:
              description: Number of daemon processes (1 when C(processes) is unset).
              type: int
            threads:
              description: Threads per process (mod_wsgi's default is 15).
              type: int
            options:
              description: All the options given, as strings.
              type: dict
        mounts:
          description:
            - Every WSGI mount (C(WSGIScriptAlias), C(WSGIScriptAliasMatch), C(SetHandler) or
              C(AddHandler wsgi-script)), per virtual host that serves it, and per port on which
              the main server answers (every C(Listen) port no virtual host takes).
          type: list
          elements: dict
          returned: always
          contains:
            server:
              description: The virtual host, as C(name:port).
              type: str
              sample: 'shop.example:80'
            url:
              description: The URL path (a regular expression for C(WSGIScriptAliasMatch)).
              type: str
              sample: /api
            script:
              description: The WSGI script, or directory of scripts.
              type: str
              sample: /srv/shop/api.wsgi
            process_group:
              description: The process group; V('') for embedded mode, V(null) when unknown.
              type: str
            application_group:
              description: The application group (Python sub-interpreter); V('') is the main
                interpreter; V(null) when it depends on the request.
              type: str
              sample: 'shop.example|/api'
            mode:
              description: V(embedded), V(daemon) or V(unknown).
              type: str
            reason:
              description: Why the mode is V(unknown), or why requests fail; V(null) otherwise.
              type: str
            code:
              description:
                - Why requests cannot run as the mode says, as a stable code; V(null) when they do.
                - V(group_undefined), V(group_not_visible) (requests answer 500) or
                  V(group_from_request) (a C(%{ENV:...}) process group, mode V(unknown)).
              type: str
            decided_by:
              description: The directive that set the process group, with its file and line
                (file and line are V(null) for the default).
              type: dict
              sample: {directive: WSGIProcessGroup shop, file: /etc/apache2/sites-enabled/shop.conf, line: 4}
            preloaded:
              description: Whether the script is loaded when the daemon starts (C(WSGIImportScript),
                or both C(process-group) and C(application-group) on the alias).
              type: bool
            directive:
              description: The directive that makes the mount.
              type: str
            file:
              description: File of that directive.
              type: str
            line:
              description: Line of that directive.
              type: int
        vhosts:
          description:
            - Every C(<VirtualHost>), in configuration order, with the host names it answers to.
            - The daemon_mode role reads it to find the virtual hosts an application would take over.
          type: list
          elements: dict
          returned: always
          sample:
            - {server: 'shop.example:80', names: [shop.example, www.shop.example], ports: ['80'], tls: false,
               file: /etc/apache2/sites-enabled/shop.conf, line: 1}
          contains:
            server:
              description: The virtual host, as C(name:port).
              type: str
            names:
              description: Its C(ServerName) and C(ServerAlias) values, in lower case (aliases may hold wildcards).
              type: list
              elements: str
            ports:
              description: The ports of its addresses; V(*) for any port.
              type: list
              elements: str
            tls:
              description:
                - Whether it serves TLS, that is, whether its last C(SSLEngine) is V(on), wherever that comes
                  from (an C(Include), such as Certbot's C(options-ssl-apache.conf), or an C(<IfModule>) that holds).
              type: bool
              version_added: 0.1.0
            file:
              description: File of the C(<VirtualHost>) line.
              type: str
            line:
              description: Line of the C(<VirtualHost>) line.
              type: int
        findings:
          description:
            - Problems and advice. C(code) is stable; C(severity) is V(info), V(warning) or V(error).
            - Codes are V(config_invalid) (Apache rejects its configuration; file and line
              from Apache's message), V(config_unreadable) (an include or variable the audit
              could not resolve), V(group_unused), V(group_undefined), V(group_not_visible),
              V(duplicate_group), V(group_invalid), V(mount_embedded), V(mount_invalid),
              V(mode_unknown), V(embedded_restricted), V(restrict_embedded_off),
              V(alias_shadowed), V(prefork_with_daemon), V(frontend_capacity) and
              V(python_mismatch).
          type: list
          elements: dict
          returned: always
          sample:
            - {code: mount_embedded, severity: warning, file: /etc/apache2/sites-enabled/shop.conf, line: 5,
               message: '/ on shop.example:80 runs in embedded mode, inside the Apache children'}
        resolved:
          description: One entry per URL of O(resolve), in order.
          type: list
          elements: dict
          returned: when O(resolve) is given
          contains:
            url:
              description: The URL as given.
              type: str
            server:
              description: The virtual host that answers, as C(name:port).
              type: str
            mount:
              description: The mount that serves the URL (C(url), C(script), C(directive),
                C(file), C(line)), or V(null).
              type: dict
            process_group:
              description: As in RV(ansible_facts.mod_wsgi.mounts[].process_group).
              type: str
            application_group:
              description: As in RV(ansible_facts.mod_wsgi.mounts[].application_group), for this URL.
              type: str
            mode:
              description: V(embedded), V(daemon), V(unknown), or V(null) when mod_wsgi does not
                run the URL.
              type: str
            decided_by:
              description: As in RV(ansible_facts.mod_wsgi.mounts[].decided_by).
              type: dict
            reason:
              description: Why the mode is V(unknown) or V(null), or why requests fail.
              type: str
            code:
              description:
                - As in RV(ansible_facts.mod_wsgi.mounts[].code), or, with RV(ansible_facts.mod_wsgi.resolved[].mode=null),
                  V(redirect) (mod_alias redirects), V(not_wsgi) (Apache serves a file, or a
                  CGI script, for example under an C(Alias) inside C(WSGIScriptAlias /)) or
                  V(script_missing) (the path mod_wsgi would run does not exist; Apache
                  answers 404).
                - The order is httpd's - C(Redirect*), then C(Alias*) and C(ScriptAlias*)
                  (mod_alias's translate_name runs before mod_wsgi's), then
                  C(WSGIScriptAlias*), then C(DocumentRoot); a C(Redirect) in a section;
                  then the handler.
              type: str
            served_by:
              description:
                - What answers instead of mod_wsgi when RV(ansible_facts.mod_wsgi.resolved[].mode=null),
                  else V(null). C(kind) is V(file), V(cgi-script), V(redirect) or V(not_found);
                  C(path) the file (or the script path mod_wsgi would stat); for a redirect,
                  C(status) and C(target); C(directive), C(file) and C(line) that decided it.
              type: dict
              sample: {kind: file, path: /srv/site/static/app.css, directive: Alias /static/ /srv/site/static/,
                       file: /etc/apache2/sites-enabled/site.conf, line: 7}
'''

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.modwsgi.apache.plugins.module_utils._host_access import host_access
from ansible_collections.modwsgi.apache.plugins.module_utils._httpd_runs import freeze_gc, start


def main():
    freeze_gc()
    module = AnsibleModule(
        argument_spec=dict(
            apache_facts=dict(type='bool', default=False),
            binary=dict(type='path'),
            resolve=dict(type='list', elements='str', default=[]),
        ),
        supports_check_mode=True,
    )
    run, find_bin, binary = host_access(module)
    if module.params['resolve']:
        from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_url import parse_url
        for url in module.params['resolve']:
            try:
                parse_url(url)
            except ValueError as exc:
                module.fail_json(msg='resolve: %s' % exc)
    with_apache = module.params['apache_facts']
    started = start(run, find_bin, binary=binary)
    # mod_wsgi's rules are imported while httpd reads its configuration: AnsiballZ compiles
    # every module_util from source on each call, and these are the largest.
    from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_facts import gather
    try:
        facts, apache = gather(run, find_bin, binary=binary, resolve=module.params['resolve'],
                               processes=with_apache, started=started)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        # The reader and the analysis turn every problem of a configuration into a finding
        # (the fuzz tests hold them to it); this is the last resort, so that a bug still ends
        # as a failure that says what happened, not as a MODULE FAILURE traceback.
        module.fail_json(msg='Error while analysing the Apache configuration: %s: %s (a bug in '
                             'modwsgi.apache: please report it with the lines involved)'
                             % (exc.__class__.__name__, exc),
                         exception=traceback.format_exc())
    else:
        ansible_facts = {'mod_wsgi': facts}
        if with_apache:
            ansible_facts['apache'] = apache
        module.exit_json(changed=False, ansible_facts=ansible_facts)


if __name__ == '__main__':
    main()
