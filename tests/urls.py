"""Walk the URL conf, so that access tests cover every page, including new ones."""

from django.urls import URLPattern, URLResolver, get_resolver


def named_url_patterns(patterns=None, namespace=""):
    """Yield (fully qualified name, pattern) for every named URL pattern."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from named_url_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, pattern
