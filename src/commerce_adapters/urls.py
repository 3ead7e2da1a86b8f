"""URLs fit to show (settings, doctor, error messages): passwords hidden.

SQLAlchemy's own rendering hides the password of the authority part; a ``?password=``
(which libpq and several drivers accept) is hidden here too.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

HIDDEN = "***"
# query parameters that carry a secret in the URLs our parts accept
SECRET_PARAMETERS = frozenset({"password", "passwd", "pwd", "secret", "token", "api_key"})


def _secret(name: str) -> bool:
    return name.lower() in SECRET_PARAMETERS


def shown(url: str) -> str:
    """``url`` with its password, and any password-like query parameter, replaced by ***."""
    try:
        parsed = make_url(url)
    except ArgumentError:  # not URL-shaped: hide what looks like a password anyway
        return _shown_loosely(url)
    query = {k: (HIDDEN if _secret(k) else v) for k, v in parsed.query.items()}
    rendered = parsed.set(query=query).render_as_string(hide_password=True)
    return rendered.replace(f"={quote(HIDDEN, safe='')}", f"={HIDDEN}")  # legible, not %2A


def _shown_loosely(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        name, colon, _password = user.partition(":")
        netloc = f"{name}{colon}{HIDDEN if colon else ''}@{host}"
    query = urlencode([(k, HIDDEN if _secret(k) else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return parts._replace(netloc=netloc, query=query).geturl()
