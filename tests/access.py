"""Access rules for the URL-conf-driven access test (tests/clinic/test_access.py).

Each app lists its pages in tests/<app>/access.py as ACCESS = {url name: Rule}.
A rule gives the status a GET answers with for an anonymous visitor (LOGIN
means a redirect to the login page) and for each role. `kwargs` is a function
called inside the test (with database access) that creates whatever the URL
needs and returns the URL's kwargs.
"""

from dataclasses import dataclass, field

LOGIN = "login"
ROLES = ["front_desk", "nurse", "provider", "clinic_admin"]


def everyone(status=200):
    return dict.fromkeys(ROLES, status)


def only(*allowed, status=200):
    return {role: (status if role in allowed else 403) for role in ROLES}


@dataclass(frozen=True)
class Rule:
    anonymous: object = LOGIN
    roles: dict = field(default_factory=everyone)
    kwargs: object = None
