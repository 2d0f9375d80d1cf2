from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from orgs import modules


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("学校结构")

    def ready(self):
        # Every installed app's registration.py: its module, menu entries and home links (orgs/modules.py). By
        # now every app's models are loaded, so a registration may import them.
        modules.discover()
