from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("会议与考勤")

    def ready(self):
        from attendance import policies  # noqa: F401  (registers this app's policies)
