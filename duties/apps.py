from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    name = "duties"
    verbose_name = _("待办与提醒")

    def ready(self):
        # Imported here, not at the top: the policies and the registry's discovery need every app loaded.
        from duties import policies  # noqa: F401  (registers this app's policies)
        from duties.registry import discover

        discover()
