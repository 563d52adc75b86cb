"""A bounded, constant load for the reconfiguration test (runs inside a benchmark container).

N threads share a constant rate (--rate requests per second in all, a new connection each
time) to 127.0.0.1 with a Host header, until the stop file appears, or --max-seconds pass, or
--max-requests are sent.
Prints one JSON object: requests, ok (2xx), non_2xx, failed (no HTTP answer), and the first
few distinct errors.
"""
import argparse
import http.client
import json
import os
import threading
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--host', default='bench.test')
    parser.add_argument('--port', type=int, default=80)
    parser.add_argument('--path', default='/')
    parser.add_argument('--concurrency', type=int, default=4)
    parser.add_argument('--rate', type=float, default=40.0)
    parser.add_argument('--stop', default='/tmp/bench-steady-stop')
    parser.add_argument('--max-seconds', type=float, default=180.0)
    parser.add_argument('--max-requests', type=int, default=500000)
    args = parser.parse_args()
    lock = threading.Lock()
    counts = {'requests': 0, 'ok': 0, 'non_2xx': 0, 'failed': 0}
    errors = {}
    deadline = time.time() + args.max_seconds

    interval = args.concurrency / args.rate

    def worker():
        due = time.time()
        while time.time() < deadline and not os.path.exists(args.stop):
            due += interval
            time.sleep(max(0.0, due - time.time()))
            with lock:
                if counts['requests'] >= args.max_requests:
                    return
                counts['requests'] += 1
            key = None
            try:
                conn = http.client.HTTPConnection('127.0.0.1', args.port, timeout=30)
                conn.request('GET', args.path, headers={'Host': args.host})
                response = conn.getresponse()
                response.read()
                conn.close()
                if not 200 <= response.status < 300:
                    key = 'non_2xx'
                    error = 'HTTP %d' % response.status
            except Exception as exc:  # any failure to get an answer counts
                key = 'failed'
                error = '%s: %s' % (type(exc).__name__, exc)
            with lock:
                if key is None:
                    counts['ok'] += 1
                else:
                    counts[key] += 1
                    errors[error] = errors.get(error, 0) + 1

    started = time.time()
    threads = [threading.Thread(target=worker) for dummy in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts['seconds'] = round(time.time() - started, 1)
    counts['errors'] = dict(sorted(errors.items(), key=lambda kv: -kv[1])[:5])
    print(json.dumps(counts))


if __name__ == '__main__':
    main()
