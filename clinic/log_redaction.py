"""Link tokens out of log lines: `/intake/start/<token>/` instead of the secret itself.

The routes that carry a token are read from the URL conf (every pattern with a parameter
named `token`), so a new kind of link is redacted without being listed here. A path that
only starts like such a route (a missing slash, something appended) still has its token
replaced: those requests reach the logs too, as redirects and 404s.
"""

import functools
import re
from urllib.parse import unquote, urlsplit, urlunsplit

from django.urls import URLPattern, URLResolver, get_resolver, get_urlconf

TOKEN_PARAMETER = "token"  # noqa: S105 - the name of the URL parameter, not a secret
REDACTED = "<token>"


def redact_link_tokens(url: str) -> str:
    """The path, path with query, or absolute URL, with any link token replaced."""
    # A logged path that starts with "//" is a path, not a host (`//intake/start/…`).
    parts = urlsplit("/" + url.lstrip("/") if url.startswith("//") else url)
    # Matched as the app reads it: percent-escapes decoded (`/intake/st%61rt/…` opens the
    # link too) and repeated slashes taken as one (`//intake/start/…`).
    path = re.sub(r"/{2,}", "/", unquote(parts.path))
    for pattern in _token_route_patterns(get_urlconf()):
        match = pattern.match(path)
        if match:
            start, end = match.span(TOKEN_PARAMETER)
            path = path[:start] + REDACTED + path[end:]
            return urlunsplit(parts._replace(path=path))
    return url


@functools.cache
def _token_route_patterns(urlconf):
    """For each route with a token: its whole regex, then its regex up to the token."""
    whole, up_to_token = [], []
    for pieces in _routes_with_token(get_resolver(urlconf).url_patterns, []):
        prefix, endpoint = "".join(pieces[:-1]), pieces[-1]
        whole.append(re.compile("^/" + prefix + endpoint))
        up_to_token.append(re.compile("^/" + prefix + endpoint[: _token_group_end(endpoint)]))
    return whole + up_to_token


def _routes_with_token(patterns, pieces):
    for entry in patterns:
        piece = _unanchored(entry.pattern.regex.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes_with_token(entry.url_patterns, [*pieces, piece])
        elif isinstance(entry, URLPattern) and TOKEN_PARAMETER in entry.pattern.regex.groupindex:
            yield [*pieces, piece]


def _unanchored(regex):
    return regex.removeprefix("^").removesuffix(r"\Z").removesuffix("$")


def _token_group_end(regex):
    """The index just past the `(?P<token>...)` group's closing parenthesis."""
    position = regex.index(f"(?P<{TOKEN_PARAMETER}>")
    depth, escaped, in_class = 0, False, False
    for index in range(position, len(regex)):
        char = regex[index]
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
    raise ValueError(f"Unbalanced token group in {regex!r}")
