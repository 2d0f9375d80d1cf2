"""System checks of the project's own settings."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def demo_mode_is_not_production(app_configs, **kwargs):
    """DJANGO_DEMO keeps a local demo's shortcuts (the built-in key, plain HTTP, local host names): never in
    production."""
    if getattr(settings, "DEMO", False):
        return [Warning(
            "DJANGO_DEMO is on: the site runs as a local demo (built-in secret key unless one is set, plain HTTP, "
            "no secure cookies). Unset it in production.",
            id="config.W001",
        )]
    return []
