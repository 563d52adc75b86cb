#!/usr/bin/env bash
# Run Molecule scenarios.
#
# usage: scripts/molecule.sh SCENARIO:DISTRO [SCENARIO:DISTRO ...]
#        e.g. scripts/molecule.sh mpm_facts:debian12 mpm_facts:debian13
# DISTRO is debian11, debian12 or debian13 and picks localhost/modwsgi-test/debian:NN, and
# debian:NN-apache for hosts that start with Apache installed; el9 picks the EL 9 layout host
# (localhost/modwsgi-test/el9:9 and el9:9-apache, tests/images/el9/README.md). A host of pip mode
# (MOLECULE_PIP_IMAGE, molecule/pip_venv) starts from the plain image on Debian, where the role
# installs what pip needs, and from el9:9-pip on el9, where nothing can be installed. MOLECULE_IMAGE
# (for example a registry's image) replaces all of them, MOLECULE_APACHE_IMAGE the Apache one alone.
#
# MOLECULE_HOST_SUFFIX (default empty) is appended to every container's name, so two checkouts
# can run the same scenario at once without their containers colliding.
#
# MOLECULE_JOBS (default 1) runs at once, taken in the order given (put the longest first).
# Most of a run is waiting (systemd booting, apt, Apache restarting), so lanes use two cores
# better than one. Each run has a Molecule state directory of its own
# (.cache/molecule-state/SCENARIO-DISTRO, through MOLECULE_EPHEMERAL_DIRECTORY) and containers
# named by its distro, so the runs of one scenario on several distros can run at once.
# An argument `make:TARGET` runs `make TARGET` as one more job in the lanes (make test runs
# the demo and benchmark smoke runs that way, beside the last Molecule runs).
# With more than one lane, each job's output goes to .cache/molecule-logs/NAME.log and is
# printed when it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/tests/images/containers.conf}"
# The same environment as `make molecule`, so the script also works on its own.
export PATH="$PWD/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$PWD/.cache/collections}"
# Each task's duration in the logs, and the slowest tasks at the end of each playbook: where a
# run's time goes (ansible.posix ships in the pinned `ansible` package).
export ANSIBLE_CALLBACKS_ENABLED="${ANSIBLE_CALLBACKS_ENABLED:-ansible.posix.profile_tasks}"
[ -x .venv/bin/molecule ] || { echo "$0: run 'make bootstrap' first" >&2; exit 2; }
[ "$#" -gt 0 ] || { echo "usage: $0 SCENARIO:DISTRO ..." >&2; exit 2; }
jobs="${MOLECULE_JOBS:-1}"
user_image="${MOLECULE_IMAGE:-}"
user_apache_image="${MOLECULE_APACHE_IMAGE:-}"
logs="$PWD/.cache/molecule-logs"
mkdir -p "$logs"

# The EL 9 layout image takes minutes to build on a new machine: a run on el9 builds it in its
# own lane (the other el9 run waits on the lock, then finds it built), so the other lanes go on
# meanwhile instead of waiting for it before anything starts. Kept when present.
with_el9_image() {
    flock "$state/el9-image.lock" tests/images/build.sh el9 && "$@"
}

# One job: a Molecule run (SCENARIO DISTRO) or `make TARGET` (make TARGET); its output to
# stdout (one lane) or to its log file (several lanes).
run_one() {
    local scenario="$1" distro="$2" name log image pip_image start=$SECONDS rc=0
    local -a cmd
    if [ "$scenario" = make ]; then
        name="make-$distro"
        cmd=(make --no-print-directory "$distro")
        echo "==> make $distro"
    else
        name="$scenario-$distro"
        cmd=(molecule test -s "$scenario")
        [ "$distro" != el9 ] || [ -n "$user_image" ] || cmd=(with_el9_image "${cmd[@]}")
        export MOLECULE_DISTRO="$distro"
        case "$distro" in
            el9) image=localhost/modwsgi-test/el9:9 pip_image=localhost/modwsgi-test/el9:9-pip ;;
            *) image="localhost/modwsgi-test/debian:${distro#debian}" pip_image="$image" ;;
        esac
        export MOLECULE_IMAGE="${user_image:-$image}"
        export MOLECULE_APACHE_IMAGE="${user_apache_image:-${user_image:-$MOLECULE_IMAGE-apache}}"
        export MOLECULE_PIP_IMAGE="${user_image:-$pip_image}"
        export MOLECULE_EPHEMERAL_DIRECTORY="$state/$name"
        echo "==> molecule test -s $scenario on $distro ($MOLECULE_IMAGE)"
    fi
    log="$logs/$name.log"
    if [ "$jobs" -le 1 ]; then
        "${cmd[@]}" || rc=$?
    else
        "${cmd[@]}" >"$log" 2>&1 || rc=$?
    fi
    if [ "$rc" -eq 0 ]; then
        echo "==> $name: passed in $((SECONDS - start)) s"
        return 0
    fi
    if [ "$jobs" -gt 1 ]; then
        echo "==> $name: output (last 300 lines of $log)"
        tail -n 300 "$log"
    fi
    echo "==> $name: FAILED after $((SECONDS - start)) s"
    echo "$scenario:$distro" >>"$logs/failed"
    return 1
}

state="$PWD/.cache/molecule-state"
mkdir -p "$state"
rm -f "$logs/failed"
running=0
for run in "$@"; do
    scenario="${run%%:*}"
    distro="${run#*:}"
    [ "$distro" != "$run" ] || distro="${MOLECULE_DISTRO:-debian12}"
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    run_one "$scenario" "$distro" &
    running=$((running + 1))
done
wait || true
if [ -s "$logs/failed" ]; then
    echo "==> failures: $(sort "$logs/failed" | tr '\n' ' ')" >&2
    exit 1
fi
echo "==> molecule: every run passed"
