#!/bin/sh
# Runs in a container from localhost/modwsgi-test/el9:9 (tests/images/build.sh el9), with the
# staged build (/stage, from build-httpd.sh) and this directory (/el9) mounted: installs httpd
# and mod_wsgi as EL 9's httpd, mod_ssl and python3-mod_wsgi packages do (the %install and
# %post steps of their specs that matter here), with EL's configuration files from conf/.
set -eu
conf=/el9/conf

# Everything the build installed but httpd-devel (httpd-devel.list: install-pip.sh adds it to
# el9:9-pip) and build-httpd.sh's marker.
set -- --exclude=./.httpd-installed
while read -r path; do set -- "$@" "--exclude=./$path"; done </el9/httpd-devel.list
tar -C /stage "$@" -cf - . | tar -C / -xf -
# make install's envvars for apachectl (LD_LIBRARY_PATH): EL has none, its httpd needs none.
rm -f /usr/sbin/envvars /usr/sbin/envvars-std

# The apache user and group (httpd-filesystem's %pre: uid and gid 48).
groupadd -r -g 48 apache
useradd -r -u 48 -g apache -d /usr/share/httpd -s /sbin/nologin -c 'Apache' apache

# /etc/httpd as the spec lays it out: conf, conf.d, conf.modules.d and four links.
install -d -m 0755 /etc/httpd/conf.d /etc/httpd/conf.modules.d
install -m 0644 "$conf/httpd.conf" /etc/httpd/conf/httpd.conf
for f in 00-base.conf 00-mpm.conf 00-ssl.conf 00-systemd.conf 10-wsgi-python3.conf; do
    install -m 0644 "$conf/$f" "/etc/httpd/conf.modules.d/$f"
done
# The spec's %install uncomments the default MPM (event on EL 9) in 00-mpm.conf.
sed -i '/^#LoadModule mpm_event_module /s/^#//' /etc/httpd/conf.modules.d/00-mpm.conf
for f in ssl.conf welcome.conf userdir.conf; do
    install -m 0644 "$conf/$f" "/etc/httpd/conf.d/$f"
done
install -d -m 0700 /var/log/httpd
install -d -m 0700 -o apache -g apache /var/lib/httpd
install -d -m 0755 /var/www/html /var/www/cgi-bin
ln -s ../../var/log/httpd /etc/httpd/logs
ln -s ../../var/lib/httpd /etc/httpd/state
rm -rf /etc/httpd/run  # make install's runtime directory: EL links it to /run/httpd
ln -s /run/httpd /etc/httpd/run
ln -s ../../usr/lib64/httpd/modules /etc/httpd/modules
install -m 0644 "$conf/httpd.tmpfiles" /usr/lib/tmpfiles.d/httpd.conf
install -d -m 0710 -g apache /run/httpd

# The unit, not enabled: EL's package does not enable or start httpd.
install -m 0644 "$conf/httpd.service" /usr/lib/systemd/system/httpd.service
install -d /usr/lib/systemd/system/httpd.service.d
install -D -m 0755 "$conf/httpd-ssl-pass-dialog" /usr/libexec/httpd-ssl-pass-dialog

# mod_ssl's certificate: EL's httpd-init.service makes it with sscg on first start; here it is
# made once, at image build, with openssl.
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
    -keyout /etc/pki/tls/private/localhost.key -out /etc/pki/tls/certs/localhost.crt 2>/dev/null
chmod 0600 /etc/pki/tls/private/localhost.key

cat /el9/rpm-manifest.apache >>/usr/share/modwsgi-test/rpm-manifest

/usr/sbin/httpd -t
/usr/sbin/httpd -V | grep -E 'Server version|HTTPD_ROOT|SERVER_CONFIG_FILE'
echo "install-httpd: done"
