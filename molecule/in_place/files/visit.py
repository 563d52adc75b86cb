"""What a browser gets from the test host's Apache, without following redirects.

Written for Molecule in_place (prepare.yml and tests/test_in_place.py copy and run it on the
host). Argument: a JSON object ``{key: [url, site] or [url, site, "user:password"]}``; the URL's
host is the address dialled (127.0.0.1), ``site`` is sent as the Host header and, over https, as
the TLS server name (SNI), as a browser sends them; the certificate is not checked (the sites are
self-signed). Prints ``{key: [status, Location or null, body]}``.
"""

import base64
import http.client
import json
import ssl
import sys
import urllib.error
import urllib.request


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def _opener(site):
    tls = ssl.create_default_context()
    tls.check_hostname = False
    tls.verify_mode = ssl.CERT_NONE

    class Named(http.client.HTTPSConnection):
        def connect(self):
            http.client.HTTPConnection.connect(self)
            self.sock = tls.wrap_socket(self.sock, server_hostname=site)

    class Handler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(Named, req)

    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _Stay, Handler())


def main():
    answers = {}
    for key, args in json.loads(sys.argv[1]).items():
        url, site = args[0], args[1]
        request = urllib.request.Request(url, headers={'Host': site})
        if len(args) > 2:
            request.add_header('Authorization', 'Basic ' + base64.b64encode(args[2].encode()).decode())
        try:
            answer = _opener(site).open(request, timeout=10)
        except urllib.error.HTTPError as error:
            answer = error
        answers[key] = [answer.getcode(), answer.headers.get('Location'), answer.read().decode('utf-8', 'replace')]
    print(json.dumps(answers))


if __name__ == '__main__':
    main()
