# Sourced by run-demo.sh and run-production-layout.sh: start services in their own process groups and stop
# every one of them, children included, on Ctrl-C, SIGTERM, an error, or when one service exits.
#
#   start_service NAME CMD...   run CMD in the background as the leader of a new process group
#   wait_services               block until a service exits (or a signal arrives), then stop all
#   stop_services               stop all: SIGTERM to each leader (Celery's warm shutdown, gunicorn's graceful
#                               stop), SIGTERM to the rest of a group once its leader is gone (runserver's
#                               autoreload child), SIGKILL to whatever is left after STOP_TIMEOUT seconds
#                               (default 20) or at a second Ctrl-C.

SERVICE_PGIDS=()
SERVICE_NAMES=()
_STOPPING=0

start_service() {
    local name=$1
    shift
    # setsid: a background child of a non-interactive shell is no group leader, so setsid execs in place and
    # $! is both the service's pid and its process-group id.
    setsid "$@" &
    SERVICE_PGIDS+=("$!")
    SERVICE_NAMES+=("$name")
    echo "[$name] started, process group $!"
}

_group_alive() { kill -0 -- "-$1" 2>/dev/null; }

services_alive() {
    local pgid
    for pgid in "${SERVICE_PGIDS[@]}"; do kill -0 "$pgid" 2>/dev/null || return 1; done
    return 0
}

stop_services() {
    [ "$_STOPPING" = 1 ] && return 0
    _STOPPING=1
    _FORCE=0
    # A second Ctrl-C (or SIGTERM) while stopping: SIGKILL everything at once.
    trap '_FORCE=1' INT TERM
    [ "${#SERVICE_PGIDS[@]}" = 0 ] && return 0
    echo "stopping: ${SERVICE_NAMES[*]} ..."
    local pgid i deadline=$((SECONDS + ${STOP_TIMEOUT:-20}))
    for pgid in "${SERVICE_PGIDS[@]}"; do kill -TERM "$pgid" 2>/dev/null || true; done
    while [ "$SECONDS" -lt "$deadline" ]; do
        local alive=0
        for pgid in "${SERVICE_PGIDS[@]}"; do
            if _group_alive "$pgid"; then
                alive=1
                # The leader is gone but members remain: signal the whole group.
                kill -0 "$pgid" 2>/dev/null || kill -TERM -- "-$pgid" 2>/dev/null || true
            fi
        done
        [ "$alive" = 0 ] || [ "$_FORCE" = 1 ] && break
        sleep 0.2
    done
    for i in "${!SERVICE_PGIDS[@]}"; do
        pgid=${SERVICE_PGIDS[$i]}
        if _group_alive "$pgid"; then
            echo "[${SERVICE_NAMES[$i]}] still running: SIGKILL to its process group"
            kill -KILL -- "-$pgid" 2>/dev/null || true
        fi
    done
    wait 2>/dev/null || true
    echo "stopped: ${SERVICE_NAMES[*]}"
    return 0
}

# Traps: stop everything, then exit with 130 (Ctrl-C), 143 (SIGTERM) or the failing status.
trap 'stop_services; exit 130' INT
trap 'stop_services; exit 143' TERM
trap 'status=$?; stop_services; exit $status' EXIT

wait_services() {
    local status
    set +e
    wait -n
    status=$?
    set -e
    echo "a service exited with status $status; stopping the others"
    return "$status"
}
