#!/usr/bin/env bash
# The embedded default works (issue 13, "Must hold"): `make run`'s worker with beat inside it, on SQLite and
# kombu's filesystem broker, fires the duty scan within a minute.
#
#   scripts/check-embedded-beat.sh
#
# In a scratch folder (its own SQLite file and DJANGO_VAR_DIR; nothing of var/ or db.sqlite3 is touched):
# migrate, seed_demo, then scripts/run-demo.sh itself — which installs the beat schedule (install_schedule) and
# starts runserver and the worker with -B and the DatabaseScheduler — with DUTIES_SCAN_SECONDS=10. Passes when,
# within 60 s, beat has run "duties-scan" (django-celery-beat's total_run_count), the worker logged
# duties.tasks.scan_all and a per-school duties.tasks.scan as succeeded, and the scan made its reminders and
# notifications (the demo school hut has duties due on its first day). Stops everything it started; exit 0 only
# if all of that held. .ci/run calls it.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
# On a clean clone (.ci/run calls this before `make test`) the venv is made as `make run` makes it.
[ -x "$PY" ] || make --no-print-directory install VENV="$VENV" >/dev/null
work=$(mktemp -d /tmp/campus-embedded-beat-XXXXXX)
log="$work/run-demo.log"
demo_pid=""
cleanup() {
    status=$?
    if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
        # run-demo.sh's trap stops its services (scripts/_procs.sh); then whatever is left of its session
        kill -TERM "$demo_pid" 2>/dev/null || true
        for _ in $(seq 1 60); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL -- "-$demo_pid" 2>/dev/null || true
    fi
    for pgid in $(sed -n 's/^\[[a-z]*\] started, process group \([0-9]*\)$/\1/p' "$log" 2>/dev/null); do
        kill -KILL -- "-$pgid" 2>/dev/null || true
    done
    [ "$status" = 0 ] && rm -rf "$work" || echo "left for a look: $work" >&2
    exit "$status"
}
trap cleanup EXIT

export DATABASE_URL="sqlite:///$work/db.sqlite3" DJANGO_VAR_DIR="$work/var" DUTIES_SCAN_SECONDS=10
unset REDIS_URL DJANGO_SETTINGS_MODULE
port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py seed_demo --quiet >/dev/null

: >"$log"
started=$SECONDS
RUN_ADDR="127.0.0.1:$port" STOP_TIMEOUT=10 setsid bash scripts/run-demo.sh >"$log" 2>&1 &
demo_pid=$!

fail() {
    echo "EMBEDDED BEAT FAILED: $*" >&2
    tail -n 40 "$log" >&2
    exit 1
}
probe() {  # beat's run count of duties-scan, its period, reminders, notifications
    "$PY" manage.py shell -c '
from django_celery_beat.models import PeriodicTask
from django_scopes import scopes_disabled
from duties.models import Notification, Reminder
with scopes_disabled():
    task = PeriodicTask.objects.get(name="duties-scan")
    print(task.total_run_count, task.interval.every, Reminder.objects.count(), Notification.objects.count())
' 2>/dev/null | tail -n 1
}
while :; do
    kill -0 "$demo_pid" 2>/dev/null || fail "scripts/run-demo.sh exited"
    if grep -q "Task duties\.tasks\.scan\[.*\] succeeded" "$log" \
        && grep -q "Task duties\.tasks\.scan_all\[.*\] succeeded" "$log"; then
        read -r _runs _every reminders notifications <<<"$(probe)"
        [ "${reminders:-0}" -ge 1 ] && [ "${notifications:-0}" -ge 1 ] && break
    fi
    [ $((SECONDS - started)) -lt 60 ] || fail "no duty scan within 60 s of make run's start"
    sleep 1
done
took=$((SECONDS - started))
grep -q "Sending due task duties-scan (duties.tasks.scan_all)" "$log" || fail "beat did not send duties-scan"
! grep -qE "CRITICAL|Unrecoverable|Traceback" "$log" || fail "the worker logged an error"
# Stop it as Ctrl-C would; beat writes its run counts to the database when it stops (django-celery-beat syncs
# every 3 minutes and at shutdown), so that is when they can be read.
kill -TERM "$demo_pid"
for _ in $(seq 1 60); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.5; done
! kill -0 "$demo_pid" 2>/dev/null || fail "scripts/run-demo.sh did not stop on SIGTERM within 30 s"
demo_pid=""
grep -q "^stopped: web celery" "$log" || fail "run-demo.sh did not stop its services"
read -r runs every reminders notifications <<<"$(probe)"
[ "${runs:-0}" -ge 1 ] || fail "django-celery-beat recorded no run of duties-scan"
[ "$every" = 10 ] || fail "duties-scan installed every $every s, not DUTIES_SCAN_SECONDS=10"
echo "EMBEDDED BEAT OK: $took s after make run's start the worker had run scan_all and a school's scan" \
    "($reminders reminders, $notifications notifications); beat recorded $runs run(s) of duties-scan every ${every} s"
