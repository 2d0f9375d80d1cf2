#!/usr/bin/env bash
# The process layout of docker-compose.yml, run natively (no Docker engine needed):
#   migrate + install_schedule (once) -> gunicorn web + one Celery worker (no -B) + exactly one Celery beat (DatabaseScheduler)
# against PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), with DJANGO_DEBUG=false.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/campus_prodcheck REDIS_URL=redis://127.0.0.1:6379/1 \
#   DJANGO_SECRET_KEY=<50+ random characters> DJANGO_ALLOWED_HOSTS=campus.example.edu.cn \
#   scripts/run-production-layout.sh [--smoke]
#
# WEB_BIND (default 127.0.0.1:8010) is where gunicorn listens; WEB_CONCURRENCY its worker count (default 2);
# DB_CONN_MAX_AGE how long a process keeps its database connection (default 60 s, as in docker-compose.yml);
# CELERY_CONCURRENCY the worker's pool size (default 2). Ctrl-C stops everything.
# --smoke: start everything, check that /healthz answers 200 through gunicorn, that a task sent through Redis
#          is executed by the worker and that beat started, print the result, stop everything; exit 0 only if
#          all of that held. Logs go to $DJANGO_VAR_DIR/prodlayout/*.log.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
SMOKE=0
[ "${1:-}" = "--smoke" ] && SMOKE=1

: "${DATABASE_URL:?DATABASE_URL must point at PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/campus_prodcheck}"
: "${REDIS_URL:?REDIS_URL must point at Redis, e.g. redis://127.0.0.1:6379/1}"
: "${DJANGO_SECRET_KEY:?DJANGO_SECRET_KEY must be set (50+ random characters)}"
: "${DJANGO_ALLOWED_HOSTS:?DJANGO_ALLOWED_HOSTS must list the site host names}"
case "$DATABASE_URL" in postgres://* | postgresql://*) ;; *) echo "DATABASE_URL must be a postgres:// URL" >&2; exit 2 ;; esac
# Each worker keeps its database connection for a minute, as docker-compose.yml does (config/settings.py).
DB_CONN_MAX_AGE=${DB_CONN_MAX_AGE:-60}
export DJANGO_DEBUG=false DATABASE_URL REDIS_URL DJANGO_SECRET_KEY DJANGO_ALLOWED_HOSTS DB_CONN_MAX_AGE
export DJANGO_VAR_DIR=${DJANGO_VAR_DIR:-$PWD/var}
WEB_BIND=${WEB_BIND:-127.0.0.1:8010}

# shellcheck source=scripts/_procs.sh
. scripts/_procs.sh

LOG_DIR="$DJANGO_VAR_DIR/prodlayout"
mkdir -p "$LOG_DIR"
# service NAME CMD...: start it; with --smoke its output goes to $LOG_DIR/NAME.log, otherwise to this terminal.
service() {
    local name=$1
    shift
    if [ "$SMOKE" = 1 ]; then start_service "$name" "$@" >"$LOG_DIR/$name.log" 2>&1; else start_service "$name" "$@"; fi
}

# What the compose file's "migrate" service and the image build do.
"$PY" manage.py check --deploy --fail-level WARNING
"$PY" manage.py migrate --noinput
"$PY" manage.py install_schedule
"$PY" manage.py collectstatic --noinput -v 0

service web "$VENV/bin/gunicorn" config.wsgi:application --bind "$WEB_BIND" \
    --workers "${WEB_CONCURRENCY:-2}" --access-logfile - --graceful-timeout 10 --no-control-socket
service worker "$VENV/bin/celery" -A config worker --loglevel INFO \
    --concurrency "${CELERY_CONCURRENCY:-2}" --hostname "worker@%h"
service beat "$VENV/bin/celery" -A config beat --loglevel INFO \
    --scheduler django_celery_beat.schedulers:DatabaseScheduler

if [ "$SMOKE" = 0 ]; then
    echo "web: http://$WEB_BIND/ (behind a TLS proxy: send X-Forwarded-Proto: https and an allowed Host)"
    wait_services
    exit $?
fi

# --smoke
fail() {
    echo "SMOKE FAILED: $*" >&2
    for name in web worker beat; do echo "--- $name.log (last 30 lines)" >&2; tail -n 30 "$LOG_DIR/$name.log" >&2; done
    exit 1
}
wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
    local seconds=$1 what=$2
    shift 2
    for _ in $(seq 1 $((seconds * 2))); do
        "$@" >/dev/null 2>&1 && return 0
        services_alive || fail "a service exited while waiting for $what"
        sleep 0.5
    done
    fail "no $what within $seconds s"
}
wait_for 60 "healthz 200 from gunicorn" "$PY" scripts/healthcheck.py --url "http://$WEB_BIND/healthz" --quiet
"$PY" scripts/healthcheck.py --url "http://$WEB_BIND/healthz"
wait_for 60 "worker ready" grep -q "ready\." "$LOG_DIR/worker.log"
wait_for 60 "beat started" grep -q "beat: Starting" "$LOG_DIR/beat.log"
# A round trip through Redis: celery's built-in accumulate task, executed by the worker.
"$VENV/bin/celery" -A config call celery.accumulate --args '[20, 26]' >/dev/null
wait_for 30 "task executed by the worker" grep -q "Task celery.accumulate\[.*\] succeeded" "$LOG_DIR/worker.log"
echo "SMOKE OK: gunicorn /healthz 200, worker ready and executed a task through Redis, one beat started"
