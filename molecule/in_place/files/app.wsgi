# A legacy application: says who it is and where it runs (embedded, or its daemon group).
import mod_wsgi


def application(environ, start_response):
    group = mod_wsgi.process_group or '(embedded)'
    body = ('%s%s says hello from %s\n' % (environ['SCRIPT_NAME'], environ.get('PATH_INFO', ''), group)).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
