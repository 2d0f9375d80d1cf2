#!/usr/bin/env bash
# A production install has only the runtime dependencies: check that such an install really works.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \
#   scripts/check-runtime-install.sh
#
# Clones the committed tree (HEAD) into a scratch folder, makes a venv there with `make install` (runtime
# dependencies only, as the Docker image does: no pytest, so nothing the tests happen to bring in, such as
# `packaging` for kombu's Redis transport, can hide a missing requirement), creates a scratch PostgreSQL database
# and runs scripts/run-production-layout.sh --smoke with that venv: /healthz must answer 200 through gunicorn with
# the Redis broker, and a task must make the round trip through Redis to a real worker. Cleans up after itself.
# .ci/run calls it; exit 0 only if the smoke check passed.
set -euo pipefail

cd "$(dirname "$0")/.."
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL server (any database on it)}"
: "${REDIS_URL:?REDIS_URL must point at Redis}"
PYTHON=${PYTHON:-python3}

work=$(mktemp -d /tmp/campus-runtime-XXXXXX)
scratch="campus_runtime_$(basename "$work" | tr -dc 'a-zA-Z0-9' | tr 'A-Z' 'a-z')"
base=${DATABASE_URL%/*}
redis_url="${REDIS_URL%/*}/14"
cleanup() {
    psql "$base/postgres" -qc "DROP DATABASE IF EXISTS \"$scratch\" WITH (FORCE)" >/dev/null 2>&1 || true
    "$PYTHON" - "$redis_url" <<'PY' >/dev/null 2>&1 || true
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
s = socket.create_connection((u.hostname, u.port or 6379), timeout=2)
s.sendall(b"SELECT 14\r\nFLUSHDB\r\n"); s.recv(100); s.close()
PY
    rm -rf "$work"
}
trap cleanup EXIT

git clone --quiet --no-local "$PWD" "$work/src"
echo "runtime-only install of $(git -C "$work/src" rev-parse --short HEAD) into $work/venv"
make -C "$work/src" --no-print-directory install VENV="$work/venv" PYTHON="$PYTHON" >"$work/install.log" 2>&1 \
    || { tail -n 30 "$work/install.log"; exit 1; }
if "$work/venv/bin/python" -c 'import pytest' 2>/dev/null; then
    echo "the runtime venv has pytest: it is not runtime-only" >&2
    exit 1
fi
psql "$base/postgres" -qc "CREATE DATABASE \"$scratch\"" >/dev/null

cd "$work/src"
DATABASE_URL="$base/$scratch" REDIS_URL="$redis_url" VENV="$work/venv" DJANGO_VAR_DIR="$work/var" \
DJANGO_SECRET_KEY="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(60))')" \
DJANGO_ALLOWED_HOSTS=campus.example.edu.cn WEB_BIND="127.0.0.1:${RUNTIME_CHECK_PORT:-8019}" \
WEB_CONCURRENCY=1 CELERY_CONCURRENCY=1 \
    bash scripts/run-production-layout.sh --smoke
