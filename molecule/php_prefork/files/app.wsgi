# A small WSGI application of the php_prefork scenario: it says where it runs.
import os

import mod_wsgi


def application(environ, start_response):
    body = ('%s: pid=%d uid=%d multithread=%s\n' % (
        mod_wsgi.process_group, os.getpid(), os.getuid(), environ['wsgi.multithread'])).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
