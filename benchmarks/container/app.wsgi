# The benchmark's WSGI application: a realistic footprint, with no third-party packages.
# - At import it adds about 40 MB resident (38 MB over the bare interpreter, by ru_maxrss):
#   a 24 MiB buffer, written so that its pages are really resident (not lazily mapped zero
#   pages), and a table of 50 000 small records.
# - Each request does a little CPU work in Python (holding the GIL, as real code does).
# - Each import appends one line to /var/log/bench/loads.log: the harness counts app loads.
# - An optional profile.json beside the script adds a known cost per request (sizing_sweep.py
#   gives each of its apps one): {"cpu_ms": N}, Python work until this thread has used N ms of
#   CPU (time.thread_time, so the CPU per request is the same however busy the machine is), and
#   {"sleep_ms": N}, a wait of N ms without the GIL, as a call to a database or a service is.
#   Without the file, a request costs only the work below (daemon_mode.py's app).
import json
import os
import time

LOADS_LOG = '/var/log/bench/loads.log'

BUFFER = bytearray(b'\x5a') * (24 * 1024 * 1024)
TABLE = {'key-%06d' % i: ('value-%06d' % i, i, i * 0.5) for i in range(50000)}

PROFILE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'profile.json')
PROFILE = {}
if os.path.exists(PROFILE_FILE):
    with open(PROFILE_FILE) as handle:
        PROFILE = json.load(handle)
CPU_SECONDS = PROFILE.get('cpu_ms', 0) / 1000.0
SLEEP_SECONDS = PROFILE.get('sleep_ms', 0) / 1000.0

with open(LOADS_LOG, 'a') as log:
    log.write('load pid=%d time=%.3f\n' % (os.getpid(), time.time()))


def application(environ, start_response):
    total = 0
    for i in range(1500):
        total += TABLE['key-%06d' % (i * 37 % 50000)][1]
    if CPU_SECONDS:
        until, i = time.thread_time() + CPU_SECONDS, 0
        while time.thread_time() < until:
            i += 1
            total += TABLE['key-%06d' % (i * 37 % 50000)][1]
    if SLEEP_SECONDS:
        time.sleep(SLEEP_SECONDS)
    total %= 10 ** 12  # the body's length stays constant
    # A body of constant length: ab counts a length that differs from the first answer's as failed.
    body = ('{"pid": %010d, "total": %012d, "byte": %03d}\n' % (
        os.getpid(), total, BUFFER[total % len(BUFFER)])).encode('ascii')
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(body)))])
    return [body]
