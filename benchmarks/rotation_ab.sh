#!/usr/bin/env bash
# A/B check for benchmarks/README.md: requests that fail during 10 graceful reloads under a
# constant load (container/steady.py, 40 req/s), with mod_wsgi's WSGISocketRotation On (the
# default) and Off. The daemon-mode vhost is the one the role writes, by hand. About 3 minutes;
# the container (modwsgi-bench-rotation) is removed at the end.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$root/tests/images/containers.conf}"
c=modwsgi-bench-rotation
podman rm -f "$c" >/dev/null 2>&1 || true
podman run -d --name "$c" --systemd=always localhost/modwsgi-test/bench:12 /sbin/init >/dev/null
trap 'podman rm -f -t 5 "$c" >/dev/null' EXIT
echo "rotation: starting $c"
podman exec "$c" timeout 90 systemctl is-system-running --wait >/dev/null 2>&1 || true
podman exec "$c" sh -c 'mkdir -p /srv/bench /var/log/bench && chmod 0777 /var/log/bench'
podman cp "$here"/container/app.wsgi "$c":/srv/bench/app.wsgi
podman cp "$here"/container/steady.py "$c":/srv/bench/steady.py
podman exec "$c" sh -c 'cat > /etc/apache2/sites-enabled/bench.conf <<"X"
WSGIRestrictEmbedded On
<VirtualHost *:80>
    ServerName bench.test
    WSGIDaemonProcess bench processes=2 threads=15 display-name=%{GROUP} python-home=/srv/bench/venv home=/srv/bench
    WSGIProcessGroup bench
    WSGIApplicationGroup %{GLOBAL}
    WSGIScriptAlias / /srv/bench/app.wsgi process-group=bench application-group=%{GLOBAL}
    <Directory /srv/bench>
        Require all granted
    </Directory>
</VirtualHost>
X
systemctl restart apache2'
for rotation in On Off; do
    echo "rotation: WSGISocketRotation $rotation, 10 graceful reloads under load"
    podman exec "$c" sh -c "echo 'WSGISocketRotation $rotation' > /etc/apache2/conf-enabled/zz-rotation.conf; apache2ctl -t 2>&1 | tail -1; systemctl restart apache2; sleep 3; rm -f /tmp/bench-steady-stop"
    podman exec -d "$c" sh -c 'python3 /srv/bench/steady.py --concurrency 4 --rate 40 --max-seconds 200 > /tmp/steady.json' >/dev/null
    sleep 3
    for _ in $(seq 10); do podman exec "$c" systemctl reload apache2; sleep 4; done
    podman exec "$c" sh -c 'touch /tmp/bench-steady-stop; for i in $(seq 120); do [ -s /tmp/steady.json ] && break; sleep 0.5; done; cat /tmp/steady.json; echo; echo "error log lines about the daemon:"; grep "wsgi:error" /var/log/apache2/error.log | cut -c1-260 | head -4 || true; : > /var/log/apache2/error.log'
done
