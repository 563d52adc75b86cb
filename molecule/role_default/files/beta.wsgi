# A small WSGI application for the role_default scenario; greeting comes from python_path.
import os

import greeting


def application(environ, start_response):
    body = ('%s as uid %d\n' % (greeting.TEXT, os.getuid())).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
