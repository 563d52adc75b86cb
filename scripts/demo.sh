#!/usr/bin/env bash
# The demo: three hosts in a classic bad state are audited, fixed by the role
# modwsgi.apache.daemon_mode, and audited again; then a before/after table.
#
# usage: scripts/demo.sh          the demo (hosts are kept running to look at afterwards)
#        scripts/demo.sh clean    remove the demo hosts and their output
#        DEMO_SHORT=1 scripts/demo.sh   a short run for `make test`: a tiny burst, the hosts
#                                       removed at the end
#        DEMO_HOSTS="prefork php" ...   only some of the hosts
#        DEMO_KEEP=0|1                  remove the hosts at the end, or keep them
#        DEMO_SUFFIX=-x                 appended to each container's name (default: none for
#                                       the demo; for a short run, one of this checkout's own)
#
# The hosts are podman containers modwsgi-demo-{prefork,nogroup,php} from the image
# localhost/modwsgi-test/debian:12-apache (`make images`), described in demo/inventory.yml.
# Each run starts them from scratch. Every step's Ansible output goes to a log under
# demo/output/logs/; the reports to demo/output/{before,after}/report.{html,md,json}.
# Exit code: 0 when the story is told (demo/table.py --check), non-zero otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$root/tests/images/containers.conf}"
export PATH="$root/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$root/.cache/collections}"
export ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=False
export ANSIBLE_CALLBACK_RESULT_FORMAT=yaml
# Each task's time in the logs.
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks
# The Molecule hosts' podman connection (molecule/shared/plugins/connection/podman.py), which
# demo/inventory.yml names `podman`: containers.podman's, with pipelining, so one `podman exec`
# per task instead of three. Without this directory, `podman` is containers.podman.podman.
export ANSIBLE_CONNECTION_PLUGINS="$root/molecule/shared/plugins/connection"
export ANSIBLE_PIPELINING=True

image="${DEMO_IMAGE:-localhost/modwsgi-test/debian:12-apache}"
output="$root/demo/output"
all_hosts=(prefork nogroup php)
# DEMO_HOSTS picks some of the hosts of demo/inventory.yml (default: all three).
read -r -a hosts <<<"${DEMO_HOSTS:-${all_hosts[*]}}"
for host in "${hosts[@]}"; do
    [[ " ${all_hosts[*]} " == *" $host "* ]] || {
        echo "$0: DEMO_HOSTS: unknown host '$host' (the hosts are: ${all_hosts[*]})" >&2; exit 2; }
done
# The audit and burst playbooks end with a play on the controller: keep localhost in the limit.
playbook=(ansible-playbook -i "$root/demo/inventory.yml" --limit "$(IFS=,; echo "${hosts[*]}"),localhost")
short="${DEMO_SHORT:-0}"
if [ "$short" = 1 ]; then
    burst=(-e demo_burst_requests=300 -e demo_burst_concurrency=5 -e demo_burst_seconds=10)
    measure=(-e modwsgi_audit_measure_window=5)
    keep="${DEMO_KEEP:-0}"
else
    burst=(-e demo_burst_requests=5000 -e demo_burst_concurrency=20 -e demo_burst_seconds=20)
    measure=(-e modwsgi_audit_measure_window=15)
    keep="${DEMO_KEEP:-1}"
fi
# A short run (make test) names its containers after this checkout, so that a test run beside
# a demo, or the test runs of two checkouts, never remove each other's hosts.
if [ -z "${DEMO_SUFFIX+set}" ]; then
    DEMO_SUFFIX=""
    [ "$short" != 1 ] || DEMO_SUFFIX="-smoke-$(printf '%s' "$root" | sha1sum | cut -c1-8)"
fi
export DEMO_SUFFIX   # demo/inventory.yml reads it

remove_hosts() {
    local host
    for host in "${all_hosts[@]}"; do
        if podman container exists "modwsgi-demo-$host$DEMO_SUFFIX"; then
            echo "demo: removing container modwsgi-demo-$host$DEMO_SUFFIX"
            podman rm -f -t 5 "modwsgi-demo-$host$DEMO_SUFFIX" >/dev/null
        fi
    done
}

if [ "${1:-}" = clean ]; then
    remove_hosts
    echo "demo: removing $output"
    rm -rf "$output"
    exit 0
fi
[ "$#" -eq 0 ] || { echo "usage: $0 [clean]" >&2; exit 2; }
[ -x .venv/bin/ansible-playbook ] || { echo "$0: run 'make bootstrap' first" >&2; exit 2; }
podman image exists "$image" || { echo "$0: image $image is missing: run 'make images'" >&2; exit 2; }

# Run one step's playbook with its output in a log; on failure, show the end of the log.
run_logged() {
    local log="$output/logs/$1.log"
    shift
    if ! "$@" >"$log" 2>&1; then
        echo "demo: FAILED: $*" >&2
        echo "demo: last lines of $log:" >&2
        tail -n 40 "$log" >&2
        return 1
    fi
}

# After the fix, the audit also measures each daemon group (modwsgi.apache.group_metrics) under
# a steady load (demo/load.yml), and recommends its size; before, no app has a daemon group.
audit() {
    local step="$1" phase="$2"
    run_logged "$step-burst-$phase" "${playbook[@]}" demo/burst.yml "${burst[@]}" \
        -e "demo_burst_output=$output/$phase/burst.json"
    if [ "$phase" = after ]; then
        run_logged "$step-load-start" "${playbook[@]}" demo/load.yml -e demo_load=start
        run_logged "$step-audit-$phase" "${playbook[@]}" modwsgi.apache.audit \
            -e "modwsgi_audit_output_dir=$output/$phase" "${measure[@]}"
        run_logged "$step-load-stop" "${playbook[@]}" demo/load.yml -e demo_load=stop
    else
        run_logged "$step-audit-$phase" "${playbook[@]}" modwsgi.apache.audit \
            -e "modwsgi_audit_output_dir=$output/$phase"
    fi
}

start=$SECONDS
if [ "$keep" != 1 ]; then
    trap remove_hosts EXIT
fi
rm -rf "$output"
mkdir -p "$output/logs" "$output/before" "$output/after"

echo "[1/5] starting ${#hosts[@]} demo hosts (${hosts[*]}) from $image, in their before state"
remove_hosts
for host in "${hosts[@]}"; do
    podman run -d --quiet --systemd=always --cap-add SYS_PTRACE --hostname "$host" \
        --name "modwsgi-demo-$host$DEMO_SUFFIX" "$image" /sbin/init >/dev/null
done
run_logged 1-prepare "${playbook[@]}" demo/prepare.yml

echo "[2/5] before: a burst of load on each application, then the audit ($((SECONDS - start)) s)"
audit 2 before

echo "[3/5] applying the role modwsgi.apache.daemon_mode ($((SECONDS - start)) s)"
run_logged 3-apply "${playbook[@]}" demo/apply.yml

echo "[4/5] after: the same burst, then the audit again, measuring each daemon group under load ($((SECONDS - start)) s)"
audit 4 after

echo "[5/5] before and after ($((SECONDS - start)) s)"
echo
python demo/table.py --check "$output"
echo
echo "demo: done in $((SECONDS - start)) s. Logs: $output/logs/"
if [ "$keep" = 1 ]; then
    echo "demo: the hosts are still running" \
         "(CONTAINERS_CONF=tests/images/containers.conf podman exec -it modwsgi-demo-prefork$DEMO_SUFFIX bash);" \
         "'make demo-clean' removes them"
fi
