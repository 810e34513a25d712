"""Who may read and edit a proposal: the matrix of people x statuses, asked of the predicates
in ``challenge.access.proposals`` that every page, export and e-mail of proposals asks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask_login import AnonymousUserMixin

from challenge.access.proposals import may_edit, may_read, may_send, may_support
from challenge.accounts.models import Role, User
from challenge.extensions import db
from challenge.jury.models import Conflict, ReviewAssignment
from challenge.proposals.models import Proposal
from challenge.timeutils import utcnow
from tests import factories

PEOPLE = (
    "author",
    "coauthor",
    "other_agent",
    "organiser",
    "assigned_juror",
    "conflicted_juror",
    "anonymous",
)
READ = {
    "draft": {"author", "coauthor"},
    "submitted": {"author", "coauthor", "organiser", "assigned_juror"},
    # Out of the competition: the jury no longer reads it, the organisers still may.
    "withdrawn": {"author", "coauthor", "organiser"},
}
EDIT_WHILE_OPEN = {"author", "coauthor"}


def _world(status: str, *, open_: bool = True) -> tuple[Proposal, dict[str, object]]:
    campaign = factories.make_campaign(
        slug="appel",
        title="Appel",
        status="open" if open_ else "review",
        allowed_domains="francetravail.fr",
        opens_at=utcnow() - timedelta(days=5),
        deadline_at=utcnow() + timedelta(days=5) if open_ else utcnow() - timedelta(days=1),
        allow_supports=True,
    )
    people: dict[str, object] = {
        name: factories.make_user(f"{name}@francetravail.fr", administration="Caf")
        for name in PEOPLE
        if name != "anonymous"
    }
    people["anonymous"] = AnonymousUserMixin()
    db.session.flush()
    proposal = factories.make_proposal(
        campaign,
        people["author"],  # type: ignore[arg-type]
        "Un irritant",
        status=status,
        administration="France Travail",
        coauthors=("coauthor@francetravail.fr",),
    )
    factories.add_member(campaign, people["organiser"], Role.ORGANISER)  # type: ignore[arg-type]
    for juror in ("assigned_juror", "conflicted_juror"):
        user: User = people[juror]  # type: ignore[assignment]
        factories.add_member(campaign, user, Role.JUROR)
        db.session.add(
            ReviewAssignment(campaign_id=campaign.id, proposal_id=proposal.id, juror_id=user.id)
        )
    db.session.add(
        Conflict(
            campaign_id=campaign.id,
            juror_id=people["conflicted_juror"].id,  # type: ignore[attr-defined]
            proposal_id=proposal.id,
        )
    )
    db.session.commit()
    return proposal, people


def _who(predicate, proposal: Proposal, people: dict[str, object]) -> set[str]:  # type: ignore[no-untyped-def]
    return {name for name, user in people.items() if predicate(user, proposal)}


@pytest.mark.parametrize("status", ["draft", "submitted", "withdrawn"])
def test_who_may_read(app: Flask, status: str) -> None:
    proposal, people = _world(status)
    assert _who(may_read, proposal, people) == READ[status]
    assert not may_read(None, proposal)


@pytest.mark.parametrize("status", ["draft", "submitted", "withdrawn"])
def test_who_may_edit_while_the_campaign_is_open(app: Flask, status: str) -> None:
    proposal, people = _world(status)
    assert _who(may_edit, proposal, people) == EDIT_WHILE_OPEN
    assert _who(may_send, proposal, people) == {"author"}


@pytest.mark.parametrize(
    ("status", "editors"),
    [("draft", {"author", "coauthor"}), ("submitted", set()), ("withdrawn", set())],
)
def test_after_the_deadline_only_a_draft_stays_editable(
    app: Flask, status: str, editors: set[str]
) -> None:
    proposal, people = _world(status, open_=False)
    assert _who(may_edit, proposal, people) == editors
    assert _who(may_send, proposal, people) == set()
    assert _who(may_read, proposal, people) == READ[status]


@pytest.mark.parametrize(
    ("status", "supporters"),
    [
        ("draft", set()),
        # Every agent of the campaign but its authors (jurors and organisers are agents too).
        ("submitted", {"other_agent", "organiser", "assigned_juror", "conflicted_juror"}),
        ("withdrawn", set()),
    ],
)
def test_who_may_support(app: Flask, status: str, supporters: set[str]) -> None:
    proposal, people = _world(status)
    assert _who(may_support, proposal, people) == supporters
