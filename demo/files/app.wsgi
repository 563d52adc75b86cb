# The demo application: a WSGI app with the import footprint of a real one.
#
# At import it loads some of the standard library a web app typically pulls in, and builds
# about 40 MB of data it keeps (templates, a routing table, a cache warmed at start...), so
# that every process holding a copy of the application costs about 40 MB. Each request then
# answers where it ran: the mod_wsgi process group ('' when embedded). The answer has the
# same length every time, so that ab counts no length mismatch as a failed request.
import decimal
import email.message
import hashlib
import http.cookies
import json
import sqlite3
import urllib.parse
import uuid
import xml.etree.ElementTree

import mod_wsgi

# About 40 MB that every copy of the application holds (written, so really resident).
WARM_CACHE = bytearray(b'\x5a') * (40 * 1024 * 1024)
MODULES = (decimal, email.message, hashlib, http.cookies, sqlite3, urllib.parse, uuid,
           xml.etree.ElementTree)


def application(environ, start_response):
    body = json.dumps({
        'app': environ.get('SERVER_NAME'),
        'process_group': mod_wsgi.process_group,
        'mode': 'daemon' if mod_wsgi.process_group else 'embedded',
        'cache_mb': len(WARM_CACHE) // (1024 * 1024),
    }).encode('utf-8') + b'\n'
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(body)))])
    return [body]
