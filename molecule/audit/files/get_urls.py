"""GET each URL of a JSON list read on stdin, from the host itself; print the answers (JSON).

Test helper of the audit scenario's corpus_in_place.yml (runs on the host, Python 3, standard
library). Input: [{"host": Host header, "port": N, "path": "/..."}]. Every request goes to
127.0.0.1 over plain HTTP with that Host header and the host's probe secret (the probe is every
corpus app's script, and it answers only a request that carries the secret); no redirect is
followed. Output, in the same order: [{"status": N, "location": header or null, "body": text}].
"""
import http.client
import json
import sys

with open('/etc/modwsgi/probe.secret') as handle:
    SECRET = handle.read().strip()

answers = []
for url in json.load(sys.stdin):
    conn = http.client.HTTPConnection('127.0.0.1', url['port'], timeout=30)
    conn.request('GET', url['path'], headers={'Host': url['host'], 'X-Modwsgi-Probe-Secret': SECRET})
    answer = conn.getresponse()
    answers.append({'status': answer.status, 'location': answer.getheader('Location'),
                    'body': answer.read().decode('utf-8', 'replace')})
    conn.close()
print(json.dumps(answers))
