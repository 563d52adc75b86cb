#!/bin/sh
# Runs in a container from localhost/modwsgi-test/el9:9-apache (tests/images/build.sh el9), with
# the staged build (/stage, from build-httpd.sh) and this directory (/el9) mounted: makes
# localhost/modwsgi-test/el9:9-pip, the EL 9 layout host as `modwsgi_install: pip` finds it
# once its build dependencies are installed. The role's pip list for RedHat is httpd,
# httpd-devel, gcc, python3-devel and python3-packaging (plugins/module_utils/_constants.py);
# the stand-in's manifest then lists each, and the role's package step has nothing to install.
# python3-mod_wsgi is not installed here: removing it is a package step (dnf), which this host
# cannot run (README.md, "What is not real").
set -eu

# httpd-devel: apxs, the headers and the build tree of the httpd built in build-httpd.sh, at
# the paths EL's package puts them (apxs -q answers with those paths).
while read -r path; do
    mkdir -p "/$(dirname "$path")"
    cp -a "/stage/$path" "/$path"
done </el9/httpd-devel.list

# No python3-mod_wsgi: neither its module nor the file that loads it.
rm -f /usr/lib64/httpd/modules/mod_wsgi_python3.so /etc/httpd/conf.modules.d/10-wsgi-python3.conf
sed -i '/^python3-mod_wsgi /d' /usr/share/modwsgi-test/rpm-manifest

# What EL's httpd-devel pulls in (apr-devel, apr-util-devel), gcc, and python3-devel, as
# Debian's packages. python3-venv: EL's python3 has venv and ensurepip, Debian's splits them.
# Debian's package tools are off PATH on this host (setup-base.sh): they come back for this
# install only (dpkg's maintainer scripts run dpkg-query from /usr/bin), and leave again.
tools="dpkg-query apt apt-get apt-cache apt-mark"
for tool in $tools; do ln -s "/usr/lib/modwsgi-test/debian-bin/$tool" "/usr/bin/$tool"; done
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    gcc libc6-dev libapr1-dev libaprutil1-dev python3-dev python3-venv python3-packaging >/dev/null
rm -rf /var/cache/apt/archives/*.deb /var/lib/apt/lists/*
for tool in $tools; do rm "/usr/bin/$tool"; done

cat /el9/rpm-manifest.pip >>/usr/share/modwsgi-test/rpm-manifest

/usr/sbin/httpd -t
/usr/bin/apxs -q INCLUDEDIR LIBEXECDIR
echo "install-pip: done"
