#!/usr/bin/env bash
# Run Molecule scenarios.
#
# usage: scripts/molecule.sh SCENARIO:DISTRO [SCENARIO:DISTRO ...]
#        e.g. scripts/molecule.sh mpm_facts:debian12 mpm_facts:debian13
# DISTRO is debian11, debian12 or debian13 and picks localhost/modwsgi-test/debian:NN, and
# debian:NN-apache for hosts that start with Apache installed; MOLECULE_IMAGE (for example a
# registry's image) replaces both, and MOLECULE_APACHE_IMAGE the second one alone.
#
# MOLECULE_HOST_SUFFIX (default empty) is appended to every container's name, so two checkouts
# can run the same scenario at once without their containers colliding.
#
# MOLECULE_JOBS (default 1) scenarios run at once. Most of a run is waiting (systemd booting,
# apt, Apache restarting), so two lanes use two cores better than one. The runs of one scenario
# always go one after another, in one lane: Molecule keeps one state directory per scenario.
# With more than one lane, each run's output goes to .cache/molecule-logs/SCENARIO-DISTRO.log
# and is printed when the run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/tests/images/containers.conf}"
# The same environment as `make molecule`, so the script also works on its own.
export PATH="$PWD/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$PWD/.cache/collections}"
[ -x .venv/bin/molecule ] || { echo "$0: run 'make bootstrap' first" >&2; exit 2; }
[ "$#" -gt 0 ] || { echo "usage: $0 SCENARIO:DISTRO ..." >&2; exit 2; }
jobs="${MOLECULE_JOBS:-1}"
user_image="${MOLECULE_IMAGE:-}"
user_apache_image="${MOLECULE_APACHE_IMAGE:-}"
logs="$PWD/.cache/molecule-logs"
mkdir -p "$logs"

# One run; its output to stdout (one lane) or to its log file (several lanes).
run_one() {
    local scenario="$1" distro="$2" log="$logs/$1-$2.log" start=$SECONDS rc=0
    export MOLECULE_DISTRO="$distro"
    export MOLECULE_IMAGE="${user_image:-localhost/modwsgi-test/debian:${distro#debian}}"
    export MOLECULE_APACHE_IMAGE="${user_apache_image:-${user_image:-$MOLECULE_IMAGE-apache}}"
    echo "==> molecule test -s $scenario on $distro ($MOLECULE_IMAGE)"
    if [ "$jobs" -le 1 ]; then
        molecule test -s "$scenario" || rc=$?
    else
        molecule test -s "$scenario" >"$log" 2>&1 || rc=$?
    fi
    if [ "$rc" -eq 0 ]; then
        echo "==> molecule $scenario on $distro: passed in $((SECONDS - start)) s"
        return 0
    fi
    if [ "$jobs" -gt 1 ]; then
        echo "==> molecule $scenario on $distro: output (last 300 lines of $log)"
        tail -n 300 "$log"
    fi
    echo "==> molecule $scenario on $distro: FAILED after $((SECONDS - start)) s"
    echo "$scenario:$distro" >>"$logs/failed"
    return 1
}

# Every run of one scenario, in order. Keeps going after a failure, like the other lanes.
run_scenario() {
    local scenario="$1" distro rc=0
    shift
    for distro in "$@"; do
        run_one "$scenario" "$distro" || rc=1
    done
    return "$rc"
}

# Group the runs by scenario, keeping the order of their first appearance.
scenarios=()
declare -A distros=()
for run in "$@"; do
    scenario="${run%%:*}"
    distro="${run#*:}"
    [ "$distro" != "$run" ] || distro="${MOLECULE_DISTRO:-debian12}"
    [ -n "${distros[$scenario]+set}" ] || scenarios+=("$scenario")
    distros[$scenario]="${distros[$scenario]:-} $distro"
done

rm -f "$logs/failed"
running=0
for scenario in "${scenarios[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    # shellcheck disable=SC2086  # the distro list is words
    run_scenario "$scenario" ${distros[$scenario]} &
    running=$((running + 1))
done
wait || true
if [ -s "$logs/failed" ]; then
    echo "==> molecule failures: $(sort "$logs/failed" | tr '\n' ' ')" >&2
    exit 1
fi
echo "==> molecule: every run passed"
