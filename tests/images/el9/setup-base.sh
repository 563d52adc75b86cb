#!/bin/sh
# Runs in a container from localhost/modwsgi-test/debian:12 (tests/images/build.sh el9): turns
# it into the base of the EL 9 layout test host, localhost/modwsgi-test/el9:9. No RPM
# repository is reachable, so the userland stays Debian 12's; what changes is what Ansible and
# the collection look at to tell the distribution: os-release, the release files, `rpm -q`
# (a stand-in answering from a manifest), and no dpkg-query/apt on PATH. README.md says what
# is real and what is not.
set -eu

# Runtime libraries of the httpd and mod_wsgi built in build-httpd.sh (Debian's, as EL's
# httpd uses the system APR, APR-util and PCRE2), openssl for mod_ssl's test certificate, and
# /etc/mime.types. Installed here, while apt is still on PATH.
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    libapr1 libaprutil1 libpcre2-8-0 libssl3 libpython3.11 media-types openssl >/dev/null
rm -rf /var/cache/apt/archives/*.deb /var/lib/apt/lists/*

# Rocky Linux 9's os-release and release files (ID_LIKE "rhel centos fedora"): Ansible's
# distribution facts then say Rocky, family RedHat, major version 9.
rm -f /etc/os-release /usr/lib/os-release /etc/debian_version
install -m 0644 /el9/os-release /usr/lib/os-release
ln -s ../usr/lib/os-release /etc/os-release
echo 'Rocky Linux release 9.4 (Blue Onyx)' >/etc/rocky-release
ln -s rocky-release /etc/redhat-release
ln -s rocky-release /etc/system-release

# EL's CA bundle path (vars/RedHat.yml points pip at it): the host's bundle, which the Debian
# image already trusts (build.sh copied it in).
mkdir -p /etc/pki/tls/certs /etc/pki/tls/private
ln -s /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt

# The package database: `rpm` is a stand-in reading /usr/share/modwsgi-test/rpm-manifest,
# and Debian's package tools leave PATH (the collection asks dpkg-query first when it finds
# it). They stay in /usr/lib/modwsgi-test/debian-bin for whoever must repair the image.
mkdir -p /usr/share/modwsgi-test /usr/lib/modwsgi-test/debian-bin
install -m 0644 /el9/rpm-manifest.base /usr/share/modwsgi-test/rpm-manifest
install -m 0755 /el9/rpm /usr/bin/rpm
for tool in dpkg-query apt apt-get apt-cache apt-mark; do
    mv "/usr/bin/$tool" /usr/lib/modwsgi-test/debian-bin/
done
echo "setup-base: done"
