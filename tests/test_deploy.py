"""Deployment: docker-compose.yml and the Dockerfile checked statically (no Docker engine runs here), production
settings pass ``check --deploy``, bad settings stop start-up loudly, the README documents every variable, and,
where PostgreSQL and Redis are configured (.ci/run), the compose process layout runs natively and answers."""

import os
import re
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PROJECT_VARS = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "DB_CONN_MAX_AGE", "CELERY_", "DEMO_PASSWORD")
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3y-for-the-deploy-check-only-" + "x7Qp2Lm9Zr4Tn8Wv" * 3,
    "DJANGO_ALLOWED_HOSTS": "campus.example.edu.cn",
}
APP_SERVICES = ("web", "worker", "beat")


def clean_env(**overrides):
    """The environment without any of the project's own variables, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROJECT_VARS)}
    env.update(overrides)
    return env


def manage(*args, env, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


# --- docker-compose.yml and Dockerfile, statically -------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile():
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def command_of(service) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_has_the_production_services(compose):
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")


def test_compose_runs_exactly_one_beat_and_a_worker_without_embedded_beat(compose):
    services = compose["services"]
    beats = [name for name, s in services.items() if re.search(r"\bcelery\b.*\sbeat\b", command_of(s))]
    assert beats == ["beat"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    assert "django_celery_beat.schedulers:DatabaseScheduler" in command_of(services["beat"])
    worker = command_of(services["worker"])
    assert re.search(r"\bcelery\b.*\sworker\b", worker)
    assert not re.search(r"(^|\s)(-B|--beat)(\s|=|$)", worker)
    for name, service in services.items():  # no other service smuggles in an embedded beat
        if name != "beat":
            assert not re.search(r"(^|\s)(-B|--beat)(\s|=|$)", command_of(service)), name


def test_compose_web_is_gunicorn_on_the_wsgi_app(compose):
    web = command_of(compose["services"]["web"])
    assert web.startswith("gunicorn") and "config.wsgi" in web
    assert "runserver" not in web


def test_compose_app_services_get_the_production_environment(compose):
    for name in (*APP_SERVICES, "migrate"):
        env = compose["services"][name]["environment"]
        assert env["DJANGO_DEBUG"] == "false", name
        for var in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
            assert env.get(var), (name, var)
        database_url = r"postgres://campus:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432/campus"
        assert re.fullmatch(database_url, env["DATABASE_URL"])
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        # Secrets come from the operator's environment, never from the file.
        assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")


def test_compose_dependencies_healthchecks_and_volumes(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    assert "migrate" in command_of(services["migrate"])
    for name in ("web", "worker", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "redisdata:/data" in services["redis"]["volumes"]
    assert {"pgdata", "redisdata"} <= set(compose["volumes"])


def test_dockerfile_carries_weasyprint_libraries_and_the_cjk_font(dockerfile):
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", dockerfile, re.M)
    install = re.search(r"apt-get install[^\n&]*", dockerfile.replace("\\\n", " ")).group(0)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-noto-cjk", "gettext"):
        assert re.search(rf"(^|\s){re.escape(package)}(\s|$)", install), package
    assert "scripts/requirements.py" in dockerfile and "pip install" in dockerfile
    assert "collectstatic" in dockerfile
    user = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert user and user[-1] not in {"root", "0"}
    assert re.search(r'^CMD \["gunicorn", "config\.wsgi:application"', dockerfile, re.M)


def test_compose_environment_passes_the_deploy_check(compose):
    """The compose file's own variables, with the operator's ${...} filled in, make valid production settings."""
    filled = {
        "DJANGO_SECRET_KEY": PRODUCTION_ENV["DJANGO_SECRET_KEY"],
        "DJANGO_ALLOWED_HOSTS": "campus.example.edu.cn",
        "POSTGRES_PASSWORD": "pw",
    }

    def substitute(value):
        return re.sub(r"\$\{(\w+)(?::?[-?]([^}]*))?\}", lambda m: filled.get(m.group(1), m.group(2) or ""), str(value))

    env = {k: substitute(v) for k, v in compose["services"]["web"]["environment"].items()}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=clean_env(**env))
    assert result.returncode == 0, result.stderr + result.stdout


# --- settings --------------------------------------------------------------------------------------------------


def test_production_settings_pass_check_deploy():
    """The exact command the README shows."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=clean_env(**PRODUCTION_ENV))
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG='maybe' is not a boolean"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL has scheme 'mysql'"),
        (
            {"DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "campus.example.edu.cn"},
            "Environment variable DJANGO_SECRET_KEY is required",
        ),
        ({**PRODUCTION_ENV, "DJANGO_SECRET_KEY": "too-short"}, "DJANGO_SECRET_KEY must be set to a random value"),
        ({**PRODUCTION_ENV, "DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS must list"),
        ({"REDIS_URL": "http://127.0.0.1:6379/0"}, "REDIS_URL has scheme 'http'"),
        ({"DB_CONN_MAX_AGE": "forever"}, "DB_CONN_MAX_AGE='forever' is not a whole number"),
    ],
    ids=["debug-maybe", "mysql", "no-secret-key", "short-secret-key", "no-hosts", "redis-http", "conn-max-age"],
)
def test_bad_settings_stop_start_up_with_a_clear_message(env, message):
    result = manage("check", env=clean_env(**env))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr, result.stderr[-2000:]


# --- README ----------------------------------------------------------------------------------------------------


def test_readme_documents_every_environment_variable_and_the_deploy_check():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    source = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r"env_(?:str|bool|int|list|url)\(\s*\"([A-Z0-9_]+)\"", source))
    assert {"DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= names
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"README.md does not document {missing}"
    assert "python manage.py check --deploy --fail-level WARNING" in readme
    quick_start = readme.split("快速开始", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^make \w+$", quick_start, re.M) == ["make run", "make test"]


# --- the production layout, natively (needs PostgreSQL and Redis, as .ci/run provides) ---------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


ON_POSTGRES_AND_REDIS = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")) and bool(
    os.environ.get("REDIS_URL")
)


@pytest.mark.skipif(
    not ON_POSTGRES_AND_REDIS,
    reason="needs DATABASE_URL=postgres://... and REDIS_URL (as .ci/run sets)",
)
def test_production_layout_runs_natively(tmp_path):
    """scripts/run-production-layout.sh --smoke: gunicorn answers /healthz 200, the worker executes a task sent
    through Redis, one beat starts; then everything stops. It runs on a scratch database and Redis database 15."""
    import psycopg
    from redis import Redis

    base = urlparse(os.environ["DATABASE_URL"])
    scratch = f"campus_prodlayout_{uuid.uuid4().hex[:8]}"
    admin_url = urlunparse(base._replace(scheme="postgresql"))
    redis_url = urlunparse(urlparse(os.environ["REDIS_URL"])._replace(path="/15"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{scratch}"')
    try:
        env = clean_env(
            **PRODUCTION_ENV,
            DATABASE_URL=urlunparse(base._replace(path=f"/{scratch}")),
            REDIS_URL=redis_url,
            DJANGO_VAR_DIR=str(tmp_path),
            WEB_BIND=f"127.0.0.1:{_free_port()}",
            WEB_CONCURRENCY="1",
            CELERY_CONCURRENCY="1",
            VENV=str(Path(sys.executable).parent.parent),
        )
        result = subprocess.run(
            ["bash", "scripts/run-production-layout.sh", "--smoke"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert "SMOKE OK" in result.stdout
        assert '"database": {"status": "ok", "vendor": "postgresql"' in result.stdout
        assert '"transport": "redis"' in result.stdout
        assert "stopped: web worker beat" in result.stdout
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        redis_client = Redis.from_url(redis_url)
        redis_client.flushdb()
        redis_client.close()
