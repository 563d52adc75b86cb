# The demo application: a WSGI app with the import footprint of a real one.
#
# At import it loads some of the standard library a web app typically pulls in, and builds
# about 40 MB of data it keeps (templates, a routing table, a cache warmed at start...), so
# that every process holding a copy of the application costs about 40 MB. Each request does
# what a page of a real app does: some work in Python, holding the GIL (about 2 ms of CPU:
# lookups in a table, as rendering a template is), and some waiting with the GIL released
# (20 ms: a database query or a call to another service). Then it answers where it ran: the
# mod_wsgi process group ('' when embedded). The answer has the same length every time, so
# that ab counts no length mismatch as a failed request.
import decimal
import email.message
import hashlib
import http.cookies
import json
import sqlite3
import time
import urllib.parse
import uuid
import xml.etree.ElementTree

import mod_wsgi

# About 40 MB that every copy of the application holds (written, so really resident).
WARM_CACHE = bytearray(b'\x5a') * (40 * 1024 * 1024)
MODULES = (decimal, email.message, hashlib, http.cookies, sqlite3, urllib.parse, uuid,
           xml.etree.ElementTree)
# A routing table of 50 000 entries; each request looks up LOOKUPS of them.
TABLE = dict(('key-%06d' % i, i) for i in range(50000))
LOOKUPS = 5000
WAIT_S = 0.020


def work():
    """The request's CPU share: LOOKUPS lookups in TABLE (about 2 ms on this project's test
    machine); returns their sum, so that nothing is optimised away."""
    total = 0
    for i in range(LOOKUPS):
        total += TABLE['key-%06d' % (i * 37 % 50000)]
    return total


def application(environ, start_response):
    work()
    time.sleep(WAIT_S)
    body = json.dumps({
        'app': environ.get('SERVER_NAME'),
        'process_group': mod_wsgi.process_group,
        'mode': 'daemon' if mod_wsgi.process_group else 'embedded',
        'cache_mb': len(WARM_CACHE) // (1024 * 1024),
    }).encode('utf-8') + b'\n'
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(body)))])
    return [body]
