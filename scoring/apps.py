from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("考核积分")

    def ready(self):
        from scoring import policies, receivers  # noqa: F401  (policies: registers this app's policies)

        receivers.connect()
