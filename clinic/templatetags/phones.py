"""`{{ number|phone }}`: a stored phone number written as people read it (a builtin)."""

from django import template

from clinic.validators import format_phone

register = template.Library()
register.filter("phone", format_phone)
