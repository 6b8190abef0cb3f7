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
