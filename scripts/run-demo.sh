#!/usr/bin/env bash
# The demo's processes, started by `make run` after install, migrate and seed_demo (this script installs the beat
# schedule first: manage.py install_schedule):
#   * the web app (Django's runserver) at http://$RUN_ADDR (default 127.0.0.1:8000)
#   * one Celery worker with beat embedded (-B, django-celery-beat's DatabaseScheduler)
# on the embedded default: SQLite and kombu's filesystem broker under var/celery-broker (no server needed).
# Ctrl-C (or SIGTERM) stops everything this script started, children included (scripts/_procs.sh).
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
RUN_ADDR=${RUN_ADDR:-127.0.0.1:8000}
VAR_DIR=${DJANGO_VAR_DIR:-var}

# shellcheck source=scripts/_procs.sh
. scripts/_procs.sh

# DEBUG off, so a missing page or an error shows the product's own Chinese pages, not Django's technical ones;
# DJANGO_DEMO keeps the local demo's shortcuts (built-in key, local hosts, plain HTTP, static files from the
# source folders: config/settings.py). DJANGO_DEBUG=true make run brings the technical pages back.
export DJANGO_DEBUG=${DJANGO_DEBUG:-false} DJANGO_DEMO=true

if [ -z "${REDIS_URL:-}" ]; then
    mkdir -p "$VAR_DIR/celery-broker/queue" "$VAR_DIR/celery-broker/processed" "$VAR_DIR/celery-broker/control"
fi

# The beat schedule of config/settings.py into the database scheduler's tables (idempotent: unchanged entries stay,
# changed ones are updated, removed ones disabled; docs/duties.md "The schedule").
"$PY" manage.py install_schedule

start_service web "$PY" manage.py runserver "$RUN_ADDR"
start_service celery "$VENV/bin/celery" -A config worker -B \
    --scheduler django_celery_beat.schedulers:DatabaseScheduler \
    --pool prefork --concurrency "${CELERY_CONCURRENCY:-2}" \
    --without-gossip --without-mingle --without-heartbeat \
    --hostname "demo@%h" --loglevel INFO

# Say where to go once the site answers (healthcheck.py: 0 = healthy, 1 = answered but unhealthy, 2 = no answer).
for _ in $(seq 1 90); do
    services_alive || break
    health=0
    "$PY" scripts/healthcheck.py --url "http://$RUN_ADDR/healthz" --quiet || health=$?
    if [ "$health" != 2 ]; then
        cat <<EOF

==============================================================================
  演示已启动 / Demo running:  http://$RUN_ADDR/
  健康检查 / Health:          http://$RUN_ADDR/healthz
  演示账号 / Demo accounts:   README.md「演示账号」, password ${DEMO_PASSWORD:-demo-2026}
  Ctrl-C 停止全部进程 / Ctrl-C stops the web app and the Celery worker + beat.
==============================================================================

EOF
        break
    fi
    sleep 1
done

wait_services
