"""The proposal lifecycle: a pure table of moves, and its one writer."""

from __future__ import annotations

import itertools

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from challenge.audit.models import AuditEvent
from challenge.extensions import db
from challenge.proposals import lifecycle
from challenge.proposals.lifecycle import (
    EDITABLE,
    IN_COMPETITION,
    MOVES,
    ON_PITCH_LIST,
    OUTCOMES,
    IllegalMove,
    ProposalStatus,
)
from challenge.proposals.service.status import set_status
from challenge.unit_of_work import unit_of_work
from tests import factories
from tests.campaigns.builders import make_campaign

S = ProposalStatus
STATUSES = [s.value for s in S]


@given(st.sampled_from(STATUSES), st.sampled_from(STATUSES))
def test_a_move_exists_exactly_when_the_table_has_it(current: str, target: str) -> None:
    if (S(current), S(target)) in MOVES:
        assert lifecycle.can_move(current, target)
        assert lifecycle.move(current, target) == MOVES[(S(current), S(target))]
    else:
        assert not lifecycle.can_move(current, target)
        with pytest.raises(IllegalMove):
            lifecycle.move(current, target)


def test_the_sets_every_domain_names() -> None:
    assert set(IN_COMPETITION) == set(STATUSES) - {"draft", "withdrawn"}
    assert set(ON_PITCH_LIST) <= set(IN_COMPETITION)
    assert set(OUTCOMES) <= set(IN_COMPETITION)
    assert set(EDITABLE) & set(OUTCOMES) == set()


def test_nothing_goes_back_to_draft_and_a_draft_is_only_sent() -> None:
    assert not any(target is S.DRAFT for _, target in MOVES)
    assert {target for current, target in MOVES if current is S.DRAFT} == {S.SUBMITTED}
    # An outcome is named only for what was sent and not withdrawn.
    for current, target in MOVES:
        if target.value in OUTCOMES:
            assert current.value in IN_COMPETITION


def test_every_status_can_be_reached_from_a_draft() -> None:
    reached, frontier = {S.DRAFT}, [S.DRAFT]
    while frontier:
        current = frontier.pop()
        for a, b in MOVES:
            if a is current and b not in reached:
                reached.add(b)
                frontier.append(b)
    assert reached == set(S)


def test_illegal_pairs_are_refused_by_name() -> None:
    for current, target in itertools.product(S, S):
        if (current, target) not in MOVES and current is not target:
            with pytest.raises(IllegalMove, match=f"{current.value} -> {target.value}"):
                lifecycle.move(current.value, target.value)


def _proposal(status: str = "draft"):
    campaign = make_campaign(status="open")
    author = factories.make_user(f"auteur-{status}@francetravail.fr")
    proposal = factories.make_proposal(campaign, author, "Un irritant", status=status)
    db.session.commit()
    return author, proposal


def _events(proposal_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == "proposal", AuditEvent.target_id == proposal_id)
            .order_by(AuditEvent.id)
        )
    )


def test_the_writer_moves_stamps_and_audits(app: Flask) -> None:
    author, proposal = _proposal()
    with unit_of_work(actor=author, campaign_id=proposal.campaign_id) as work:
        assert set_status(proposal, S.SUBMITTED, work) == "submitted"
    assert proposal.status == "submitted" and proposal.submitted_at is not None
    with unit_of_work(actor=author, campaign_id=proposal.campaign_id) as work:
        assert set_status(proposal, S.WITHDRAWN, work) == "withdrawn"
        assert set_status(proposal, S.WITHDRAWN, work) is None  # already there: no event
    assert proposal.withdrawn_at is not None
    assert _events(proposal.id) == ["proposal.submitted", "proposal.withdrawn"]


def test_an_illegal_move_changes_nothing(app: Flask) -> None:
    author, proposal = _proposal()
    with (
        pytest.raises(IllegalMove),
        unit_of_work(actor=author, campaign_id=proposal.campaign_id) as work,
    ):
        set_status(proposal, S.LAUREATE, work)
    db.session.expire_all()
    assert db.session.get(type(proposal), proposal.id).status == "draft"
    assert _events(proposal.id) == []
