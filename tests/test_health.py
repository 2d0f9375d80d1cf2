"""/healthz reports the database and the broker: 200 when both answer, 503 otherwise, nothing secret."""

import json

import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://:s3cret-password@127.0.0.1:1/0"


@pytest.fixture
def filesystem_broker(settings, tmp_path):
    """The embedded default broker, with its folders in a temporary directory."""
    options = {
        "data_folder_in": str(tmp_path / "queue"),
        "data_folder_out": str(tmp_path / "queue"),
        "processed_folder": str(tmp_path / "processed"),
        "control_folder": str(tmp_path / "control"),
    }
    (tmp_path / "queue").mkdir()
    (tmp_path / "processed").mkdir()
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    return tmp_path


def get_health(client):
    response = client.get(reverse("healthz"))
    assert response["Content-Type"] == "application/json"
    return response, json.loads(response.content)


def test_ok_with_the_configured_broker(client, settings, tmp_path):
    """Whatever this run is configured with (filesystem in the default run, Redis under .ci/run)."""
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder"):
            folder = tmp_path / key
            folder.mkdir()
            settings.CELERY_BROKER_TRANSPORT_OPTIONS = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, key: str(folder)}
    response, body = get_health(client)
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}
    assert body["broker"]["status"] == "ok"
    assert body["broker"]["transport"] in {"filesystem", "redis"}


def test_ok_on_the_filesystem_broker_anonymously_and_without_a_tenant_scope(
    client, filesystem_broker, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response, body = get_health(client)
    assert response.status_code == 200, body
    assert body == {
        "status": "ok",
        "database": {"status": "ok", "vendor": body["database"]["vendor"], "ms": body["database"]["ms"]},
        "broker": {"status": "ok", "transport": "filesystem", "ms": body["broker"]["ms"]},
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_broker_down_answers_503_and_shows_no_secret(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["database"]["status"] == "ok"
    assert body["broker"]["status"] == "error"
    assert body["broker"]["error"]  # the exception's class, e.g. OperationalError
    assert body["broker"]["ms"] < 5000
    text = response.content.decode()
    assert "s3cret" not in text and "127.0.0.1" not in text and "redis://" not in text


def test_missing_filesystem_broker_folder_answers_503(client, filesystem_broker, settings):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "processed_folder": str(filesystem_broker / "nowhere"),
    }
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["broker"] == {
        "status": "error",
        "error": "broker folder processed_folder is missing or not writable",
        "ms": body["broker"]["ms"],
    }
    assert str(filesystem_broker) not in response.content.decode()


def test_database_down_answers_503(client, filesystem_broker, monkeypatch):
    from config import health

    def refuse():
        raise OperationalError('connection to server at "db.internal" failed: password authentication failed')

    monkeypatch.setattr(health, "check_database", refuse)
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["database"]["status"] == "error"
    assert body["database"]["error"] == "OperationalError"
    assert body["broker"]["status"] == "ok"
    assert "db.internal" not in response.content.decode()


def test_only_get(client, filesystem_broker):
    assert client.post(reverse("healthz")).status_code == 405
