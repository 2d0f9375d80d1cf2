"""URL kwargs are named ``<model._meta.model_name>_id``: tests/test_tenant_isolation.py fills them by name.
The duty engine belongs to no module: every school has its notification centre and its duties page."""

from django.urls import path  # noqa: F401 - the paths below

app_name = "duties"
urlpatterns = [
    # the notification centre (duties/views/notifications.py)
    # the school's duties page (duties/views/duties.py)
]
