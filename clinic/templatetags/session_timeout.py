from django import template

from clinic.session_timeout import session_warning_for

register = template.Library()


@register.simple_tag(takes_context=True)
def session_warning(context):
    """The idle warning for this page (templates/partials/session_timeout.html), or None."""
    return session_warning_for(context.get("request"))
