"""The bench's hosts: the images, the containers, each configuration's setup, and the playbook runs."""

import json
import os
import re
import shlex
import time

from .shell import BIN, HERE, ROOT, run, sh

IMAGE = 'localhost/modwsgi-test/bench:12'
AUDIT_IMAGE = 'localhost/modwsgi-test/debian:12-apache'
# A fresh host: Debian 12 with neither Apache nor mod_wsgi, where the role's first run installs
# them (the full run only: apt alone takes minutes).
FRESH_IMAGE = 'localhost/modwsgi-test/debian:12'
PREFIX = 'modwsgi-bench-'
HOST = 'bench.test'

# The configurations that each run in a container of their own (the warm trap is a second
# burst in the trap's: measurement.WARM_ROWS).
CONTAINERS = ('trap', 'role', 'express', 'worker')


def vhost(host, directory):
    """An embedded-mode virtual host (no WSGIDaemonProcess) for the app in `directory`."""
    return """<VirtualHost *:80>
    ServerName {host}
    WSGIScriptAlias / {directory}/app.wsgi
    <Directory {directory}>
        <Files app.wsgi>
            Require all granted
        </Files>
    </Directory>
</VirtualHost>
""".format(host=host, directory=directory)


VHOST = vhost(HOST, '/srv/bench')

APP = {'name': 'bench', 'server_name': HOST, 'wsgi_script': '/srv/bench/app.wsgi',
       'python_home': '/srv/bench/venv'}

# The app's log: one line per import of the app (measurement counts them).
LOADS_LOG = '/var/log/bench/loads.log'
_APP_DIRS = ('mkdir -p /srv/bench /var/log/bench && chmod 0777 /var/log/bench '
             '&& touch {log} && chmod 0666 {log}').format(log=LOADS_LOG)


def build_image():
    """benchmarks/build_image.sh: builds IMAGE once, keeps it when present."""
    run([os.path.join(HERE, 'build_image.sh')], timeout=1800)


def start_container(name, image):
    run(['podman', 'rm', '-f', name], check=False)
    run(['podman', 'run', '-d', '--name', name, '--hostname', name, '--systemd=always',
         '--cap-add', 'SYS_PTRACE', image, '/sbin/init'])


def wait_ready(name):
    # Right after the start, systemctl may not reach systemd's bus yet: ask again until it does.
    state = sh(name, 'for i in $(seq 180); do state=$(timeout 90 systemctl is-system-running --wait 2>&1); '
                     'case "$state" in running|degraded) break;; esac; sleep 0.5; done; echo "$state"').strip()
    if state not in ('running', 'degraded'):
        raise RuntimeError('%s: systemd did not come up (%s)' % (name, state))


def start_all(names, image):
    """Start every container first, then wait for each: their boots overlap."""
    for name in names:
        start_container(name, image)
    for name in names:
        wait_ready(name)


def remove(names):
    for name in names:
        run(['podman', 'rm', '-f', '-t', '5', name], check=False)


def copy_files(name):
    """The app, and the scripts that run inside the container (with the collection's _proc.py)."""
    sh(name, _APP_DIRS)
    for src, dest in [(os.path.join(HERE, 'container', 'app.wsgi'), '/srv/bench/app.wsgi'),
                      (os.path.join(HERE, 'container', 'sampler.py'), '/srv/bench/sampler.py'),
                      (os.path.join(HERE, 'container', 'steady.py'), '/srv/bench/steady.py'),
                      (os.path.join(HERE, 'container', 'module_times.py'), '/srv/bench/module_times.py'),
                      (os.path.join(ROOT, 'plugins', 'module_utils', '_proc.py'),
                       '/srv/bench/_proc.py')]:
        run(['podman', 'cp', src, '%s:%s' % (name, dest)])


def prepare_fresh(name):
    """A fresh Debian 12 container with only what the app brings on any host: its script, its
    log, its venv (the fresh image has no python3-venv, hence no pip in it; the app needs no
    packages)."""
    start_container(name, FRESH_IMAGE)
    wait_ready(name)
    sh(name, _APP_DIRS + ' && python3 -m venv --without-pip /srv/bench/venv')
    run(['podman', 'cp', os.path.join(HERE, 'container', 'app.wsgi'), '%s:/srv/bench/app.wsgi' % name])


def setup_embedded(name, mpm, site=VHOST):
    """Debian's stock MPM config for `mpm`, the app embedded (no WSGIDaemonProcess): the virtual
    host `site` (the bench app's by default)."""
    sh(name, 'systemctl stop apache2; a2dismod -q -f mpm_event mpm_worker mpm_prefork >/dev/null; '
             'a2enmod -q mpm_%s wsgi >/dev/null; cat > /etc/apache2/sites-available/bench.conf <<"EOF"\n'
             '%sEOF\na2ensite -q bench >/dev/null; apache2ctl -t' % (mpm, site))


def copy_profiled(name, apps):
    """The bench app (copied in by copy_files) into each app's directory, with its profile:
    apps is {directory: profile}, as container/app.wsgi reads profile.json."""
    sh(name, '; '.join('mkdir -p {d} && cp /srv/bench/app.wsgi {d}/app.wsgi && echo {p} > {d}/profile.json'.format(
        d=shlex.quote(directory), p=shlex.quote(json.dumps(profile))) for directory, profile in sorted(apps.items())))


def setup_express(name, processes, threads):
    """mod_wsgi-express from PyPI (/opt/express) at the role's processes x threads, on port 80."""
    sh(name, 'systemctl disable --now apache2 >/dev/null 2>&1; '
             '/opt/express/bin/mod_wsgi-express setup-server /srv/bench/app.wsgi --port 80 '
             '--user www-data --group www-data --processes %d --threads %d '
             '--server-root /srv/express --log-directory /var/log/bench/express >/dev/null'
             % (processes, threads))


def role_daemon(name):
    """The WSGIDaemonProcess line the role wrote, and its processes and threads."""
    conf = sh(name, 'grep -h "WSGIDaemonProcess" /etc/apache2/sites-enabled/*.conf')
    match = re.search(r'processes=(\d+) threads=(\d+)', conf)
    return conf.strip(), int(match.group(1)), int(match.group(2))


def versions(names, role_conf):
    """What ran: Apache, both mod_wsgi builds, express's MPM, the role's daemon line."""
    return {
        'apache': sh(names['trap'], 'apache2 -v | head -1').strip(),
        'mod_wsgi (Debian)': sh(names['trap'], "dpkg-query -W -f '${Version}' libapache2-mod-wsgi-py3"),
        'mod_wsgi (PyPI, express)': sh(names['express'],
                                       '/opt/express/bin/pip show mod_wsgi | sed -n "s/^Version: //p"').strip(),
        'express MPM': sh(names['express'], 'grep -o "MPM_ENABLE_[A-Z]*" /srv/express/apachectl '
                                            '| head -1 | cut -d_ -f3 | tr A-Z a-z', check=False).strip(),
        'role daemon': role_conf,
    }


def service(config, name, action):
    """Start or stop Apache in a configuration's container (express has its own apachectl)."""
    if config == 'express':
        sh(name, '/srv/express/apachectl %s' % action)
        if action == 'stop':
            sh(name, 'for i in $(seq 60); do pgrep -x apache2 >/dev/null || exit 0; sleep 0.5; done; '
                     'echo still running; exit 1')
    elif action == 'stop':
        # Debian's unit stops with `apachectl graceful-stop`, which can wait for minutes on
        # the connections of a loaded prefork server: SIGTERM is Apache's immediate stop.
        sh(name, 'systemctl kill -s TERM apache2; for i in $(seq 120); do '
                 'systemctl is-active -q apache2 || break; sleep 0.5; done; '
                 'systemctl stop apache2; systemctl reset-failed apache2 2>/dev/null; true')
    else:
        sh(name, 'systemctl %s apache2' % action)


def write_inventory(directory, names, group='bench'):
    path = os.path.join(directory, 'inventory-%s.ini' % group)
    with open(path, 'w') as handle:
        handle.write('[%s]\n' % group)
        for name in names:
            handle.write('%s ansible_connection=containers.podman.podman '
                         'ansible_python_interpreter=/usr/bin/python3\n' % name)
    return path


def ansible_playbook(inventory, playbook, extra=None, forks=None, env=None):
    """Run ansible-playbook; return (seconds, output)."""
    cmd = [os.path.join(BIN, 'ansible-playbook'), '-i', inventory, playbook]
    if extra is not None:
        cmd += ['-e', json.dumps(extra)]
    if forks:
        cmd += ['-f', str(forks)]
    started = time.monotonic()
    out = run(cmd, timeout=900, extra_env=env).stdout
    return time.monotonic() - started, out


def role(inventory, extra, env=None):
    """benchmarks/role.yml (the role daemon_mode) with `extra`; return (seconds, output)."""
    return ansible_playbook(inventory, os.path.join(HERE, 'role.yml'), extra, env=env)
