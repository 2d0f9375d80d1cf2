from django import template

from orgs.modules import MODULES

register = template.Library()


@register.filter
def module_label(key):
    """The name of a module (OR-5) from its key; an unknown key is shown as is."""
    module = MODULES.get(key)
    return module.label if module else key
