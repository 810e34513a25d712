"""Which e-mail addresses may take part: pure functions, no Flask."""

from __future__ import annotations

import re

_DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def is_domain(value: str) -> bool:
    """True for a syntactically valid domain name such as ``francetravail.fr``."""
    return bool(_DOMAIN.match(value.strip().lower()))


def email_domain(email: str) -> str:
    return normalise_email(email).rpartition("@")[2]


def domain_allowed(email: str, allowed: tuple[str, ...] | list[str]) -> bool:
    """An address is allowed when its domain is an allowed one or a subdomain of one."""
    local, at, domain = normalise_email(email).rpartition("@")
    if not (local and at and domain):  # "francetravail.fr" or "@gouv.fr" is no address
        return False
    return any(domain == d or domain.endswith("." + d) for d in allowed)
