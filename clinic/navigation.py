"""The main menu, by permission: a page a role may not use is not offered."""

from dataclasses import dataclass

from django.urls import reverse

from clinic.settings_pages import has_settings_pages


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None
    staff_only: bool = False


NAV_ITEMS = [
    NavItem("Home", "home"),
    NavItem("Patients", "clinic:patient_list", permission="clinic.view_patient"),
]
# After the other apps' items, before the clinic settings.
LAST_NAV_ITEMS = [
    NavItem("Access log", "clinic:access_log_export", permission="clinic.view_accesslogentry"),
]
_extra_items = []


def register_nav_item(item):
    _extra_items.append(item)


def navigation_for(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    if getattr(request, "two_factor_pending", False):
        return []  # nothing is open until the code step is done
    items = []
    for item in [*NAV_ITEMS, *_extra_items, *LAST_NAV_ITEMS]:
        if item.permission and not user.has_perm(item.permission):
            continue
        if item.staff_only and not user.is_staff:
            continue
        url = reverse(item.url_name)
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    if user.is_staff or has_settings_pages(user):
        settings_url = reverse("clinic:settings")
        items.append(
            {
                "label": "Clinic settings",
                "url": settings_url,
                "active": request.path.startswith((settings_url, reverse("admin:index"))),
            }
        )
    return items
