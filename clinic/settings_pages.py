"""The clinic settings in the app's own look: the pages for the frequent tasks, each
offered to those whose role may use it; Django's admin keeps the rest.

The core lists its own pages here (chairs, opening hours, closures, staff); other apps add
theirs from their AppConfig.ready(), and add parts to a staff member's page (working
hours, say) with `register_staff_part`.
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class SettingsPage:
    title: str
    url_name: str
    permission: str
    description: str
    order: int = 100


@dataclass(frozen=True)
class StaffPart:
    """A section of a staff member's settings page, saved with the rest of it.

    `form(user, data)` returns a form (or formset) for that person, bound when `data` is
    given; its `save()` writes it. `summary(users)` returns {user pk: short text} for the
    list of staff, in a fixed number of queries."""

    title: str
    template_name: str
    form: object
    summary: object
    applies_to: object = None  # user -> bool; None: everyone


_pages = []
_staff_parts = []


def register_settings_page(page):
    _pages.append(page)
    return page


def register_staff_part(part):
    _staff_parts.append(part)
    return part


def settings_pages_for(user):
    pages = sorted(_pages, key=lambda page: page.order)
    return [
        {"page": page, "url": reverse(page.url_name)}
        for page in pages
        if user.has_perm(page.permission)
    ]


def has_settings_pages(user):
    """Whether the menu offers Clinic settings (asked on every page: no URL is built)."""
    return any(user.has_perm(page.permission) for page in _pages)


def staff_parts_for(user):
    return [part for part in _staff_parts if part.applies_to is None or part.applies_to(user)]


def all_staff_parts():
    return list(_staff_parts)
