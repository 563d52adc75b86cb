# shellcheck shell=bash
# Sourced by tests/images/build.sh and benchmarks/build_image.sh: derive a local image from
# another by running a shell script in a builder container, then committing it.
#
# derive_image BASE IMAGE BUILDER SCRIPT
#   Runs SCRIPT (sh, `set -e`) in a container named BUILDER from BASE, with a policy-rc.d that
#   keeps packages from starting services while the image is built, and commits the result as
#   IMAGE booting /sbin/init. The builder container is removed either way; returns 1 when SCRIPT
#   fails. Extra `podman run` arguments (volumes) come from the array DERIVE_RUN_ARGS, when set.
derive_image() {
    local base="$1" image="$2" builder="$3" script="$4"
    podman rm -f "$builder" >/dev/null 2>&1 || true
    if ! podman run --name "$builder" ${DERIVE_RUN_ARGS[@]+"${DERIVE_RUN_ARGS[@]}"} "$base" \
        /bin/sh -c "set -e
printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
$script
rm -f /usr/sbin/policy-rc.d"; then
        podman rm -f "$builder" >/dev/null 2>&1 || true
        return 1
    fi
    podman commit --quiet --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' \
        "$builder" "$image" >/dev/null
    podman rm -f "$builder" >/dev/null
}
