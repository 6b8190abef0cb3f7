from django.utils.http import url_has_allowed_host_and_scheme


def lockout_username(request, credentials=None):
    """The account a login attempt is for, as django-axes counts failures.

    Django's login form passes the email under the user model's USERNAME_FIELD
    ("email"); the posted form field is "username". Staff type their email in
    any letter case, and "Maria@" and "maria@" must count as one account.
    """
    candidates = []
    if credentials:
        candidates += [credentials.get("email"), credentials.get("username")]
    post = getattr(request, "POST", None)
    if post is not None:
        candidates.append(post.get("username"))
    for candidate in candidates:
        if candidate:
            return str(candidate).strip().lower()
    return None


def local_next_url(request, url):
    """`url` if it is a path on this site that is safe to redirect to, else None.

    A path only: `redirect()` takes a bare word for a URL name (a server error when there is
    none), and a line break or other control character cannot go in a header.
    """
    if (
        url
        and url.isprintable()
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return None
