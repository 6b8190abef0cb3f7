"""The home page's counts, kept in the shared cache until what they count changes.

The home page and the worklist overview show a dozen counts over years of records; counting
them costs more than the rest of the page. Each count is kept under a version that any
save or delete of a counted model replaces (the apps name their models with
`recount_on_change`), so a change shows on the next page whoever made it, and for at most
COUNTS_SECONDS otherwise: time passing (a follow-up becoming overdue at midnight, a session
starting) and bulk `update()`s, which send no signal.
"""

import secrets

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

COUNTS_SECONDS = 60
VERSION_KEY = "counts:version"


def counted(name, compute):
    """`compute()`, or what it returned last for `name` if nothing counted has changed.

    The version and the kept value are read together: one cache read a count.
    """
    key = f"counts:{name}"
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = secrets.token_hex(4)
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    kept = found.get(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    value = compute()
    cache.set(key, (version, value), COUNTS_SECONDS)
    return value


def counts_changed(**kwargs):
    cache.set(VERSION_KEY, secrets.token_hex(4), timeout=None)


def recount_on_change(*models):
    for model in models:
        post_save.connect(counts_changed, sender=model, weak=False)
        post_delete.connect(counts_changed, sender=model, weak=False)
