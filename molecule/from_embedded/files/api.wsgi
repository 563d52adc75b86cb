# The from_embedded scenario's api: on the system Python (no python-home), its code on
# python-path (/srv/api/lib). Says where it runs and on which Python.
import sys

import api_greeting
import mod_wsgi


def application(environ, start_response):
    body = api_greeting.greet(environ['SERVER_NAME'], mod_wsgi.process_group, sys.prefix).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
