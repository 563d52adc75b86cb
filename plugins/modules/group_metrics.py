#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: group_metrics
short_description: Measure the load of mod_wsgi daemon process groups and recommend their size
version_added: 0.1.0
description:
  - Reads mod_wsgi's own metrics of a daemon process group through the modwsgi.apache probe
    (C(roles/daemon_mode/files/probe.wsgi), asked with C(?metrics=1)), twice, O(window) seconds
    apart, and reports the difference. That is requests per second, service time (mean, and p99
    from mod_wsgi's time buckets), queue time, thread utilisation (busy thread-time over
    available thread-time), CPU per request, and memory per process.
  - Each process of a group keeps its own counters, so each round reads the probe until every
    process of the group has answered (a bounded number of reads). The probe's own requests are
    left out of the counts.
  - From the measurement it recommends processes x threads for each group (Little's law, the
    CPU share of a request and the GIL, the host's cores, memory per process), with the front-end
    MPM size to match and the reasoning in one line. See the collection's C(docs/sizing.md).
  - 'What each mod_wsgi version gives: 4.7 (Debian 11) has no C(request_metrics()), so the
    service time p99, the application time and the queue time are V(null), named in RV(groups[].missing);
    4.9 (Debian 12) and 5.0 (Debian 13) give every figure (time buckets of 5 ms x 2^n); 6.x
    (PyPI) gives every figure (finer buckets) once recording is started, which the probe does.'
  - The probe needs C(server-metrics=On) on the C(WSGIDaemonProcess) for the front end's figures
    (Apache's scoreboard); the role C(modwsgi.apache.daemon_mode) writes it.
  - The module changes nothing on the host. Reading the metrics starts mod_wsgi's per-request
    recording in each daemon process it reaches (a locked counter update per request from then
    on), and C(request_metrics()) hands each reader the requests since the previous read in that
    process; an application that runs its own metrics reporter sees one shorter interval.
author:
  - modwsgi.apache maintainers (@modwsgi)
extends_documentation_fragment:
  - modwsgi.apache.attributes
  - modwsgi.apache.attributes.INFO_MODULE
options:
  url:
    description:
      - The probe's URL of one group, as for M(modwsgi.apache.probe), for example
        C(http://127.0.0.1/.well-known/modwsgi-probe/shop).
      - Give O(url) or O(targets).
    type: str
  host:
    description:
      - The C(Host) header (and TLS server name) for O(url).
    type: str
  validate_certs:
    description:
      - Whether to validate the TLS certificate of an C(https://) O(url).
    type: bool
    default: true
  targets:
    description:
      - Several groups at once, measured over the same window.
    type: list
    elements: dict
    suboptions:
      url:
        description: The probe's URL of the group.
        type: str
        required: true
      host:
        description: The C(Host) header (and TLS server name).
        type: str
      validate_certs:
        description: Whether to validate the TLS certificate.
        type: bool
        default: true
  window:
    description:
      - Seconds between the two rounds of reads. The load that runs in these seconds is what is
        measured. Run it while the application serves its usual traffic, or a load test.
    type: int
    default: 10
  timeout:
    description:
      - Seconds to wait for each probe request.
    type: int
    default: 10
  secret_file:
    description:
      - The file that holds the host's probe secret (root only; run the module with C(become)).
    type: path
    default: /etc/modwsgi/probe.secret
notes:
  - The module only reads. It runs in check mode too and never reports a change.
  - Requests that start and end inside the window are all counted; busy time includes the part
    of a request that falls inside the window. The p99 is the upper bound of the time bucket that
    holds it, so it is a bound, not an exact value.
seealso:
  - module: modwsgi.apache.probe
'''

EXAMPLES = r'''
- name: Measure the shop's group for 30 seconds of its usual traffic
  modwsgi.apache.group_metrics:
    url: http://127.0.0.1/.well-known/modwsgi-probe/shop
    host: shop.example.com
    window: 30
  become: true
  register: shop_load

- name: Show the recommendation
  ansible.builtin.debug:
    msg: "{{ shop_load.groups[0].recommendation.reason }}"

- name: Measure two groups over the same window
  modwsgi.apache.group_metrics:
    targets:
      - url: http://127.0.0.1/.well-known/modwsgi-probe/shop
        host: shop.example.com
      - url: https://127.0.0.1/.well-known/modwsgi-probe/admin
        host: admin.example.com
        validate_certs: false
  become: true
'''

RETURN = r'''
groups:
  description: One entry per target, in order.
  type: list
  elements: dict
  returned: success
  contains:
    process_group:
      description: The daemon process group that answered.
      type: str
      sample: shop
    mod_wsgi_version:
      description: The mod_wsgi version of the group.
      type: str
      sample: 4.9.4
    processes:
      description: The group's processes, as configured.
      type: int
      sample: 2
    threads:
      description: The threads of each process, as configured.
      type: int
      sample: 15
    processes_measured:
      description: The processes that answered in both rounds (the figures cover these).
      type: int
      sample: 2
    window:
      description: The window in seconds, as mod_wsgi's clock measured it.
      type: float
      sample: 10.02
    requests:
      description: The requests the group completed in the window, the probe's own left out.
      type: int
      sample: 400
    requests_per_second:
      description: Requests per second, summed over the measured processes.
      type: float
      sample: 251.14
    utilization:
      description: Busy thread-time over available thread-time (window x threads), 0 to 1.
      type: float
      sample: 0.9036
    busy_threads:
      description: The mean number of busy threads over the window.
      type: float
      sample: 7.21
    service_time:
      description: >-
        Seconds a request holds a thread: C(mean) (busy thread-time per request, every
        version) and C(p99) (from the application time buckets; V(null) on mod_wsgi 4.7).
      type: dict
      sample: {mean: 0.0286, p99: 0.08}
    application_time:
      description: Time inside the WSGI application (C(request_metrics())), C(mean) and C(p99).
      type: dict
      sample: {mean: 0.0285, p99: 0.08}
    queue_time:
      description: Time from Apache handing the request over to the daemon picking it up, C(mean) and C(p99).
      type: dict
      sample: {mean: 0.0002, p99: 0.005}
    cpu_per_request:
      description: CPU seconds (user and system) of the group's processes per request.
      type: float
      sample: 0.0053
    cpu_cores:
      description: CPU used by the group over the window, in cores.
      type: float
      sample: 1.328
    rss_mb:
      description: The resident memory of the group's processes, C(mean) and C(max), in MB.
      type: dict
      sample: {mean: 17.9, max: 18.0}
    members:
      description: >-
        Every process of the group (those that answered, and their siblings in C(/proc)): pid,
        requests, utilisation, CPU seconds, RSS; C(measured) false with C(why) when it did not
        answer in both rounds.
      type: list
      elements: dict
    frontend:
      description: >-
        Apache's front end from its scoreboard (C(server_metrics())): live processes, open and
        busy worker slots at the last read, the requests it served in the window. V(null)
        without C(server-metrics=On).
      type: dict
    missing:
      description: Each figure that is V(null), with why (for example the mod_wsgi version lacks the API).
      type: dict
      sample: {p99: mod_wsgi 4.7.1 has no request_metrics()}
    recommendation:
      description: >-
        C(processes) and C(threads) for the group, C(basis) (V(measured), or V(kept) when the
        window held too little load), C(change) (V(grow), V(shrink), V(keep)), C(reason) (one
        line), and C(mpm), the front end sized for this group alone (as the filter
        C(modwsgi.apache.mpm_sizing) gives it).
      type: dict
    url:
      description: The probe URL.
      type: str
    host:
      description: The Host header sent.
      type: str
frontend:
  description: The MPM directives sized for all the recommended groups together (C(mpm_sizing)).
  type: dict
  returned: success
window:
  description: The window asked for (O(window)), in seconds.
  type: int
  returned: success
  sample: 10
cores:
  description: The CPUs the host gives the module (its affinity).
  type: int
  returned: success
  sample: 2
memory_available_mb:
  description: C(MemAvailable) of C(/proc/meminfo), in MB.
  type: float
  returned: success
error:
  description: On failure to read a probe, why, in one word (as M(modwsgi.apache.probe)).
  type: str
  returned: failure
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.modwsgi.apache.plugins.module_utils._group_metrics import measure
from ansible_collections.modwsgi.apache.plugins.module_utils._probe import (
    SECRET_FILE, ProbeError, read_secret)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type='str'),
            host=dict(type='str'),
            validate_certs=dict(type='bool', default=True),
            targets=dict(type='list', elements='dict', options=dict(
                url=dict(type='str', required=True),
                host=dict(type='str'),
                validate_certs=dict(type='bool', default=True),
            )),
            window=dict(type='int', default=10),
            timeout=dict(type='int', default=10),
            secret_file=dict(type='path', default=SECRET_FILE),
        ),
        mutually_exclusive=[('url', 'targets')],
        required_one_of=[('url', 'targets')],
        supports_check_mode=True,
    )
    params = module.params
    targets = params['targets'] or [dict(url=params['url'], host=params['host'],
                                         validate_certs=params['validate_certs'])]
    try:
        result = measure(targets, params['window'], read_secret(params['secret_file']),
                         timeout=params['timeout'])
    except ProbeError as err:
        module.fail_json(msg=str(err), error=err.kind, changed=False)
    except ValueError as err:
        module.fail_json(msg=str(err), changed=False)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
