"""Sign-in by e-mail link, accounts and roles: every write of this domain."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from challenge.access.domains import domain_allowed, normalise_email
from challenge.accounts.models import LoginToken, Membership, User
from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.errors import Gone, Refused
from challenge.extensions import db
from challenge.notifications.rendering import external_url
from challenge.timeutils import utcnow
from challenge.unit_of_work import unit_of_work


class SignInLinkGone(Gone):
    """A sign-in link that was altered, already used or expired. ``reason`` says which; ``email``
    (when the link was a real one) lets the page offer a new link to the same address."""

    def __init__(self, reason: str, email: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.email = email


@dataclass(frozen=True)
class SignIn:
    user: User
    created: bool
    next_url: str


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def allowed_domains() -> list[str]:
    """The global list from configuration, plus the domains of campaigns open to submissions."""
    domains = list(current_app.config["ALLOWED_EMAIL_DOMAINS"])
    for value in db.session.scalars(
        select(Campaign.allowed_domains).where(Campaign.status == CampaignStatus.OPEN.value)
    ):
        domains.extend(d.strip() for d in value.split(",") if d.strip())
    return domains


def may_sign_in(email: str) -> bool:
    """Allowed domain, or already known (an invited juror, an admin, an existing account)."""
    email = normalise_email(email)
    if domain_allowed(email, allowed_domains()):
        return True
    known_user = db.session.scalar(select(User.id).where(User.email == email))
    invited = db.session.scalar(select(Membership.id).where(Membership.email == email).limit(1))
    return known_user is not None or invited is not None


def request_link(email: str, next_url: str = "", locale: str = "fr") -> None:
    """Send a single-use sign-in link. Says nothing about whether the account exists."""
    email = normalise_email(email)
    if not may_sign_in(email):
        raise Refused(
            _l(
                "Cette adresse n’appartient pas à une administration participante. "
                "Utilisez votre adresse professionnelle (par exemple se terminant par "
                "« .gouv.fr » ou « francetravail.fr »). Si votre administration devrait "
                "participer, écrivez-nous à %(contact)s.",
                contact=current_app.config["CONTACT_EMAIL"],
            ),
            field="email",
        )
    raw = secrets.token_urlsafe(32)
    minutes = int(current_app.config["LOGIN_LINK_MINUTES"])
    with unit_of_work() as work:
        db.session.add(
            LoginToken(
                email=email,
                token_hash=hash_token(raw),
                next_url=safe_next(next_url),
                expires_at=utcnow() + timedelta(minutes=minutes),
            )
        )
        work.mail(
            "sign_in_link",
            to=email,
            context={"link": external_url("accounts.confirm_link", token=raw), "minutes": minutes},
            locale=locale,
        )


def safe_next(next_url: str | None) -> str:
    """Only local paths: never send someone to another site after sign-in."""
    if not next_url or not next_url.startswith("/") or next_url.startswith("//"):
        return ""
    if "\\" in next_url or "\n" in next_url or "\r" in next_url:
        return ""
    return next_url[:500]


def check_link(raw: str) -> LoginToken:
    """Return the valid token behind ``raw`` without using it, or raise SignInLinkGone."""
    token = db.session.scalar(select(LoginToken).where(LoginToken.token_hash == hash_token(raw)))
    if token is None or not hmac.compare_digest(token.token_hash, hash_token(raw)):
        raise SignInLinkGone("unknown")
    if token.used_at is not None:
        raise SignInLinkGone("used", token.email)
    if token.expires_at <= utcnow():
        raise SignInLinkGone("expired", token.email)
    return token


def consume_link(raw: str) -> SignIn:
    """Use a sign-in link once: mark it used, create the account at first sign-in."""
    token = check_link(raw)
    with unit_of_work() as work:
        # A conditional update: of two concurrent uses of one link, only one wins.
        won = db.session.execute(
            update(LoginToken)
            .where(LoginToken.id == token.id, LoginToken.used_at.is_(None))
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if won != 1:
            raise SignInLinkGone("used", token.email)
        user = db.session.scalar(select(User).where(User.email == token.email))
        created = user is None
        if user is None:
            user = User(email=token.email)
            db.session.add(user)
            db.session.flush()
        work.actor = user
        if created:
            work.audit("account.created", target=user)
        user.last_sign_in_at = utcnow()
        _bind_memberships(user)
        work.audit("account.signed_in", target=user)
    return SignIn(user=user, created=created, next_url=token.next_url)


def _bind_memberships(user: User) -> None:
    """Invitations sent to this address become the user's roles at their first sign-in."""
    db.session.execute(
        update(Membership)
        .where(Membership.email == user.email, Membership.user_id.is_(None))
        .values(user_id=user.id, joined_at=utcnow())
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class Profile:
    first_name: str
    last_name: str
    administration: str
    service: str
    region: str


def update_profile(user: User, profile: Profile) -> User:
    with unit_of_work(actor=user) as work:
        user.first_name = profile.first_name.strip()
        user.last_name = profile.last_name.strip()
        user.administration = profile.administration.strip()
        user.service = profile.service.strip()
        user.region = profile.region.strip()
        work.audit("account.profile_updated", target=user)
    return user


def set_locale(user: User, locale: str) -> None:
    if locale in current_app.config["LANGUAGES"] and user.locale != locale:
        with unit_of_work(actor=user):
            user.locale = locale


def create_admin(email: str) -> tuple[User, bool]:
    """Create (or promote) a global admin. Returns the user and whether it was created."""
    email = normalise_email(email)
    with unit_of_work() as work:
        user = db.session.scalar(select(User).where(User.email == email))
        created = user is None
        if user is None:
            user = User(email=email)
            db.session.add(user)
            db.session.flush()
        user.is_admin = True
        work.audit("account.made_admin", target=user, details={"email": email})
    return user, created


def purge_expired_tokens() -> int:
    """Delete links used or expired for more than a day (they are useless and personal)."""
    cutoff = utcnow() - timedelta(days=1)
    with unit_of_work():
        deleted = db.session.execute(
            delete(LoginToken).where(LoginToken.expires_at < cutoff)
        ).rowcount
    return deleted
