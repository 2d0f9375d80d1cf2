"""The embedded default's filesystem broker never hands a consumer a half-written message (config/broker.py)."""

import queue
from pathlib import Path

import pytest
from kombu import Connection

from config import broker


@pytest.fixture
def channel(tmp_path):
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}
    with Connection("filesystem://", transport_options=options) as conn:
        yield conn.default_channel


def test_the_filesystem_alias_is_the_atomic_transport(channel):
    assert isinstance(channel, broker.Channel)


def test_a_message_is_invisible_until_it_is_whole(channel, tmp_path, monkeypatch):
    seen = []
    real_replace = broker.os.replace

    def replace(src, dst):
        # the consumer polls between the write and the rename: it finds nothing, not an empty message
        with pytest.raises(queue.Empty):
            channel._get("celery")
        seen.append(len(Path(src).read_bytes()))
        real_replace(src, dst)

    monkeypatch.setattr(broker.os, "replace", replace)
    channel._put("celery", {"body": "x" * 1000})
    assert seen and seen[0] > 1000
    assert channel._get("celery") == {"body": "x" * 1000}
    assert list(tmp_path.iterdir()) == []
