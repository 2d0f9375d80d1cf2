"""The Celery app. Tasks open their tenant's scope themselves (orgs.tasks.tenant_task)."""

import os
from pathlib import Path

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# The filesystem broker of the embedded default, with an atomic put (config/broker.py: kombu's own can hand the
# worker a half-written message, which stops it).
TRANSPORT_ALIASES["filesystem"] = "config.broker:Transport"

app = Celery("campusorgs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_filesystem_broker_folders(sender, **kwargs):
    """kombu's filesystem transport (the embedded default) needs its folders; create them on first use."""
    if str(sender.conf.broker_url).startswith("filesystem:"):
        options = sender.conf.broker_transport_options or {}
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)
