"""URL kwargs are named ``<model._meta.model_name>_id``: tests/test_tenant_isolation.py fills them by name.
The duty engine belongs to no module: every school has its notification centre and its duties page."""

from django.urls import path  # noqa: F401 - the paths below

from duties.views import duties, notifications

app_name = "duties"
urlpatterns = [
    # the notification centre (duties/views/notifications.py)
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/settings/", notifications.notification_settings, name="notification_settings"),
    path("notifications/read-all/", notifications.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/open/", notifications.notification_open, name="notification_open"),
    path("notifications/<int:notification_id>/read/", notifications.notification_read, name="notification_read"),
    # the school's duties page (duties/views/duties.py)
    path("", duties.duty_list, name="duty_list"),
]
