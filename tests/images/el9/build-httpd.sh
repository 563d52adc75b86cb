#!/bin/sh
# Runs inside a throwaway builder container (Debian 12, from tests/images/build.sh): builds
# httpd with the EL 9 package's directory layout and mod_wsgi against it, and installs both
# under /out (DESTDIR). Only /out is copied into the test image; the compilers stay behind.
#
# /src holds the unpacked sdists (mod_wsgi_httpd's upstream httpd tarball, mod_wsgi) and
# /el9 this directory. The configure line follows the Fedora/EL httpd.spec (tests/images/el9/
# README.md says which one), minus what EL's default configuration does not load: APR,
# APR-util and PCRE2 are Debian's (the spec also uses the system ones, never the bundled
# ones), and only the modules that 00-base.conf, 00-mpm.conf, 00-ssl.conf and 00-systemd.conf
# load are built, so the compile stays short.
set -eu
jobs="${JOBS:-2}"

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    gcc make libc6-dev perl pkg-config libapr1-dev libaprutil1-dev libpcre2-dev libssl-dev \
    zlib1g-dev libsystemd-dev python3-dev >/dev/null

# The modules EL's conf.modules.d/00-base.conf loads, less mod_suexec (no suexec helper is
# built: EL ships it setuid in a separate path), plus mod_ssl and mod_systemd (httpd.service
# is Type=notify). The MPMs come from --enable-mpms-shared=all.
mods="access_compat actions alias allowmethods auth_basic auth_digest authn_anon authn_core
authn_dbd authn_dbm authn_file authn_socache authz_core authz_dbd authz_dbm authz_groupfile
authz_host authz_owner authz_user autoindex cache cache_disk cache_socache data dbd deflate dir
dumpio echo env expires ext_filter filter headers include info log_config logio macro
mime_magic mime negotiation remoteip reqtimeout request rewrite setenvif slotmem_plain
slotmem_shm socache_dbm socache_memcache socache_redis socache_shmcb status substitute
unique_id unixd userdir version vhost_alias watchdog ssl systemd"
mods="$(printf '%s' "$mods" | tr '\n' ' ')"

# /out is kept by build.sh when a later step fails: httpd is then not compiled again.
if [ ! -e /out/.httpd-installed ]; then
    rm -rf /build && mkdir -p /build && cd /build
    tar xzf /src/httpd.tar.gz
    cd httpd-*
    cp /el9/conf/config.layout .
    # As the spec does: apxs must point at the installed build directory.
    sed -i 's:@exp_installbuilddir@:/usr/lib64/httpd/build:g' support/apxs.in
    ./configure --quiet \
        --prefix=/etc/httpd \
        --exec-prefix=/usr \
        --bindir=/usr/bin \
        --sbindir=/usr/sbin \
        --mandir=/usr/share/man \
        --libdir=/usr/lib64 \
        --sysconfdir=/etc/httpd/conf \
        --includedir=/usr/include/httpd \
        --libexecdir=/usr/lib64/httpd/modules \
        --datadir=/usr/share/httpd \
        --enable-layout=Fedora \
        --with-installbuilddir=/usr/lib64/httpd/build \
        --enable-mpms-shared=all \
        --with-apr=/usr/bin/apr-1-config --with-apr-util=/usr/bin/apu-1-config \
        --with-pcre=/usr/bin/pcre2-config \
        --enable-pie \
        --enable-modules=none \
        --enable-mods-shared="$mods" \
        --enable-ssl --with-ssl \
        --enable-systemd >/dev/null
    make -s -j"$jobs" >/dev/null
    rm -rf /out/* /out/.[!.]* 2>/dev/null || true
    make -s install DESTDIR=/out >/dev/null 2>&1
    touch /out/.httpd-installed
fi

# mod_wsgi against the httpd just installed, with the image's python3 (3.11 on Debian 12).
# apxs takes the directory above its own bindir as a DESTDIR, so it runs from /usr/bin here,
# with the build tree and headers it names linked from /out.
install -m 0755 /out/usr/bin/apxs /usr/bin/apxs
mkdir -p /usr/lib64/httpd /usr/include
ln -sfn /out/usr/lib64/httpd/build /usr/lib64/httpd/build
ln -sfn /out/usr/include/httpd /usr/include/httpd
rm -rf /build/mod_wsgi-* && mkdir -p /build && cd /build
tar xzf /src/mod_wsgi.tar.gz
cd mod_wsgi-*
./configure --quiet --with-apxs=/usr/bin/apxs --with-python=/usr/bin/python3 >/dev/null
# apxs echoes every compile command: keep them in a log, shown only when the build fails.
make -s -j"$jobs" >/build/mod_wsgi-make.log 2>&1 || { tail -n 40 /build/mod_wsgi-make.log; exit 1; }
install -m 0755 src/server/.libs/mod_wsgi.so /out/usr/lib64/httpd/modules/mod_wsgi_python3.so

# apxs, the headers and the build tree (httpd-devel.list) are EL's httpd-devel, which a default
# install lacks: they stay in /out, and only el9:9-pip gets them (install-httpd.sh leaves them
# out, install-pip.sh copies them). What no image needs: manuals, the stock configuration (EL's
# own files replace it; the spec removes conf/*.conf too).
rm -rf /out/usr/share/man /out/usr/share/httpd/manual
rm -f /out/etc/httpd/conf/*.conf
rm -rf /out/etc/httpd/conf/extra /out/etc/httpd/conf/original
echo "build-httpd: done"
