"""Which e-mail addresses may take part (pure functions, no Flask)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from challenge.access.domains import domain_allowed, email_domain, is_domain, normalise_email
from challenge.config import DEFAULT_ALLOWED_DOMAINS

ALLOWED = ("gouv.fr", "francetravail.fr", "caf.fr")


def test_addresses_are_compared_trimmed_and_lower_case() -> None:
    assert normalise_email("  Marie.Curie@FranceTravail.FR \n") == "marie.curie@francetravail.fr"
    assert email_domain(" Agent@DGFiP.Finances.Gouv.Fr ") == "dgfip.finances.gouv.fr"
    assert email_domain("no-at-sign") == "no-at-sign"
    assert email_domain("a@b@caf.fr") == "caf.fr"


@pytest.mark.parametrize(
    "email",
    [
        "marie.curie@francetravail.fr",
        "MARIE.CURIE@FRANCETRAVAIL.FR",
        "agent@dgfip.finances.gouv.fr",  # a subdomain of an allowed domain
        "agent@gouv.fr",
        "agent@lyon.caf.fr",
        " agent@caf.fr ",
    ],
)
def test_professional_addresses_are_allowed(email: str) -> None:
    assert domain_allowed(email, ALLOWED)


@pytest.mark.parametrize(
    "email",
    [
        "someone@gmail.com",
        "someone@evilgouv.fr",  # ends with the allowed name, but is not a subdomain of it
        "someone@gouv.fr.example.com",
        "someone@francetravail.fr.evil.org",
        "someone@notcaf.fr",
        "someone@",
        "",
        "francetravail.fr",  # no address at all
        "@gouv.fr",  # no local part
    ],
)
def test_other_addresses_are_refused(email: str) -> None:
    assert not domain_allowed(email, ALLOWED)


def test_nothing_is_allowed_without_allowed_domains() -> None:
    assert not domain_allowed("agent@gouv.fr", ())


@pytest.mark.parametrize(
    "value", ["gouv.fr", "francetravail.fr", "dgfip.finances.gouv.fr", "ac-paris.fr", " CAF.fr "]
)
def test_valid_domains(value: str) -> None:
    assert is_domain(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "fr",
        "gouv",
        "-gouv.fr",
        "gouv-.fr",
        "gouv..fr",
        "gouv.f",
        "go uv.fr",
        "@gouv.fr",
        "a" * 64 + ".fr",
        "gouv.fr/",
    ],
)
def test_invalid_domains(value: str) -> None:
    assert not is_domain(value)


def test_default_domains_are_valid_domain_names() -> None:
    assert all(is_domain(d) for d in DEFAULT_ALLOWED_DOMAINS)


label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)


@given(
    local=st.from_regex(r"[a-z0-9._%+-]{1,20}", fullmatch=True),
    sub=st.lists(label, max_size=3),
    allowed=st.sampled_from(ALLOWED),
)
def test_any_subdomain_of_an_allowed_domain_is_allowed(
    local: str, sub: list[str], allowed: str
) -> None:
    domain = ".".join([*sub, allowed])
    assert domain_allowed(f"{local}@{domain}", ALLOWED)
    assert domain_allowed(f"{local.upper()}@{domain.upper()}", ALLOWED)


@given(prefix=label, allowed=st.sampled_from(ALLOWED))
def test_a_name_glued_to_an_allowed_domain_is_not_allowed(prefix: str, allowed: str) -> None:
    glued = prefix + allowed  # e.g. "evilgouv.fr": not a subdomain of "gouv.fr"
    if any(glued == d or glued.endswith("." + d) for d in ALLOWED):
        return  # the glued name happens to be an allowed domain (e.g. "caf" + ... never, but safe)
    assert not domain_allowed(f"agent@{glued}", ALLOWED)
