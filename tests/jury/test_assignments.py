"""Automatic assignment from the database: conflicts, pins, removals, reruns, one e-mail each."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import delete, select

from challenge.accounts.models import Membership
from challenge.audit.models import AuditEvent
from challenge.errors import Refused
from challenge.extensions import db
from challenge.jury.models import ReviewAssignment
from challenge.jury.queries.assignments_overview import assignment_overview
from challenge.jury.service.assignments import (
    notify_assignments,
    pin_assignment,
    remove_assignment,
    restore_assignment,
    run_assignment,
)
from challenge.jury.service.conflicts import declare_proposal_conflict
from challenge.notifications.models import OutboxMessage
from tests.jury.builders import (
    add_role,
    assign,
    count_queries,
    csrf_token,
    declare,
    make_campaign,
    make_proposal,
    make_user,
    sign_in,
)


def build(n_proposals: int = 6, n_jurors: int = 3, reviews: int = 2, status: str = "review"):
    campaign = make_campaign(reviews_per_proposal=reviews, status=status)
    organiser = make_user("orga@francetravail.fr", "Olivia", "Orga")
    add_role(campaign, organiser, "organiser")
    agent = make_user("agent@francetravail.fr")
    jurors = [
        make_user(f"j{i}@francetravail.fr", f"Juré{i}", "X", f"Admin J{i}") for i in range(n_jurors)
    ]
    for juror in jurors:
        add_role(campaign, juror)
    proposals = [
        make_proposal(campaign, agent, f"P{i}", administration=f"Admin P{i}")
        for i in range(n_proposals)
    ]
    db.session.commit()
    return campaign, organiser, jurors, proposals


def pairs(campaign) -> set[tuple[int, int]]:
    return {
        (r.juror_id, r.proposal_id)
        for r in db.session.scalars(
            select(ReviewAssignment).where(
                ReviewAssignment.campaign_id == campaign.id, ReviewAssignment.state == "active"
            )
        )
    }


def assignment_mails() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "jury_assignment")
            .order_by(OutboxMessage.id)
        )
    )


def test_run_covers_balances_and_sends_one_summary_per_juror(app):
    campaign, organiser, jurors, proposals = build()
    run = run_assignment(organiser, campaign.id)
    assert (run.added, run.dropped, run.shortfalls, run.notified_jurors) == (12, 0, 0, 3)
    assigned = pairs(campaign)
    assert len(assigned) == 12
    assert Counter(p for _j, p in assigned) == dict.fromkeys((p.id for p in proposals), 2)
    assert sorted(Counter(j for j, _p in assigned).values()) == [4, 4, 4]
    mails = assignment_mails()
    assert sorted(m.to_address for m in mails) == sorted(j.email for j in jurors)
    for mail in mails:
        juror = next(j for j in jurors if j.email == mail.to_address)
        titles = {p.title for p in proposals if (juror.id, p.id) in assigned}
        assert "4 propositions à évaluer" in mail.subject
        for title in titles:
            assert f"- {title}" in mail.body_text
        assert "http://localhost/jury" in mail.body_text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "jury.assignment_run"))
    assert event.details["added"] == 12 and event.actor_id == organiser.id

    # A rerun that changes nothing sends nothing.
    again = run_assignment(organiser, campaign.id)
    assert (again.added, again.dropped, again.notified_jurors) == (0, 0, 0)
    assert pairs(campaign) == assigned
    assert len(assignment_mails()) == 3


def test_conflicts_declared_and_automatic_are_never_assigned(app):
    campaign, organiser, jurors, proposals = build(n_proposals=6, n_jurors=4, reviews=2)
    j0, j1, j2, j3 = jurors
    # j0 co-wrote P0 (invited by e-mail, never signed in as author).
    author = make_user("author@francetravail.fr")
    coauthored = make_proposal(campaign, author, "Co-écrite", coauthors=[j0.email.upper()])
    # j1 submitted one.
    own = make_proposal(campaign, j1, "La sienne")
    # j2 is of the same administration as P2 (after normalisation).
    j2.administration = "  admin   p2 "
    # j3 declared a conflict on the administration of P3, and one on P4.
    declare(campaign, j3, administration="ADMIN P3")
    declare(campaign, j3, proposal=proposals[4])
    db.session.commit()
    run_assignment(organiser, campaign.id)
    assigned = pairs(campaign)
    forbidden = {
        (j0.id, coauthored.id),
        (j1.id, own.id),
        (j2.id, proposals[2].id),
        (j3.id, proposals[3].id),
        (j3.id, proposals[4].id),
    }
    assert not assigned & forbidden
    assert len(assigned) == 2 * 8


def test_same_administration_rule_can_be_switched_off(app):
    campaign, organiser, jurors, proposals = build(n_proposals=2, n_jurors=2, reviews=2)
    jurors[0].administration = "Admin P0"
    db.session.commit()
    run = run_assignment(organiser, campaign.id)
    assert run.shortfalls == 1  # P0 only has one possible reviewer
    campaign.same_administration_conflict = False
    db.session.commit()
    run = run_assignment(organiser, campaign.id)
    assert run.shortfalls == 0 and (jurors[0].id, proposals[0].id) in pairs(campaign)


def test_rerun_after_a_juror_leaves_moves_only_their_proposals(app):
    campaign, organiser, jurors, proposals = build(n_proposals=9, n_jurors=4, reviews=2)
    run_assignment(organiser, campaign.id)
    before = pairs(campaign)
    leaving = jurors[0]
    db.session.execute(delete(Membership).where(Membership.user_id == leaving.id))
    db.session.commit()
    mails_before = len(assignment_mails())
    run = run_assignment(organiser, campaign.id)
    after = pairs(campaign)
    moved_away = before - after
    assert all(j == leaving.id for j, _p in moved_away)
    assert run.dropped == len(moved_away) == sum(1 for j, _p in before if j == leaving.id)
    assert all(j != leaving.id for j, _p in after)
    assert before - moved_away <= after  # everything else stayed
    new_mails = assignment_mails()[mails_before:]
    receivers = {j for j, _p in after - before}
    assert {m.user_id for m in new_mails} == receivers
    for mail in new_mails:
        gained = [p for j, p in after - before if j == mail.user_id]
        assert len(gained) == mail.body_text.count("\n- ")  # only the new ones are listed


def test_rerun_after_a_conflict_appears_moves_only_that_pair(app):
    campaign, organiser, jurors, proposals = build(n_proposals=6, n_jurors=4, reviews=2)
    run_assignment(organiser, campaign.id)
    before = pairs(campaign)
    juror_id, proposal_id = sorted(before)[0]
    juror = next(j for j in jurors if j.id == juror_id)
    declare_proposal_conflict(juror, campaign.id, proposal_id, "Mon ancien service")
    overview = assignment_overview(organiser, campaign.id)
    assert overview.invalid_rows == 1
    run = run_assignment(organiser, campaign.id)
    after = pairs(campaign)
    assert before - after == {(juror_id, proposal_id)}
    assert len(after - before) == 1 and run.dropped == 1 and run.added == 1


def test_pins_and_removals_are_kept_across_reruns(app):
    campaign, organiser, jurors, proposals = build(n_proposals=4, n_jurors=3, reviews=1)
    run_assignment(organiser, campaign.id)
    target = proposals[0]
    current = [j for j, p in pairs(campaign) if p == target.id][0]
    other = next(j for j in jurors if j.id != current)
    remove_assignment(organiser, campaign.id, target.id, current)
    pin_assignment(organiser, campaign.id, target.id, other.id)
    for rebalance in (False, True, False):
        run_assignment(organiser, campaign.id, rebalance=rebalance)
        assigned = pairs(campaign)
        assert (other.id, target.id) in assigned
        assert (current, target.id) not in assigned
    # The pin counts toward the reviews wanted: no extra reviewer added.
    assert sum(1 for _j, p in pairs(campaign) if p == target.id) == 1
    # Undo the removal: the pair may come back (but the pin stays).
    restore_assignment(organiser, campaign.id, target.id, current)
    assert (
        db.session.scalar(
            select(ReviewAssignment).where(
                ReviewAssignment.juror_id == current, ReviewAssignment.proposal_id == target.id
            )
        )
        is None
    )
    with pytest.raises(Refused):
        restore_assignment(organiser, campaign.id, target.id, current)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {
        "jury.assignment_pinned",
        "jury.assignment_removed",
        "jury.assignment_restored",
    } <= actions


def test_pins_on_conflicts_unknown_jurors_or_withdrawn_proposals_are_refused(app):
    campaign, organiser, jurors, proposals = build(n_proposals=2, n_jurors=2)
    declare(campaign, jurors[0], proposal=proposals[0])
    withdrawn = make_proposal(
        campaign, make_user("w@francetravail.fr"), "Retirée", status="withdrawn"
    )
    stranger = make_user("stranger@francetravail.fr")
    db.session.commit()
    with app.test_request_context():  # messages are translated for the person who asks
        with pytest.raises(Refused, match="conflit"):
            pin_assignment(organiser, campaign.id, proposals[0].id, jurors[0].id)
        with pytest.raises(Refused, match="compétition"):
            pin_assignment(organiser, campaign.id, withdrawn.id, jurors[0].id)
        with pytest.raises(Refused, match="jury"):
            pin_assignment(organiser, campaign.id, proposals[1].id, stranger.id)
    assert pairs(campaign) == set()


def test_pins_are_announced_by_the_notify_button_once(app):
    campaign, organiser, jurors, proposals = build(n_proposals=2, n_jurors=2, reviews=1)
    pin_assignment(organiser, campaign.id, proposals[0].id, jurors[0].id)
    pin_assignment(organiser, campaign.id, proposals[1].id, jurors[0].id)
    assert assignment_mails() == []
    assert notify_assignments(organiser, campaign.id) == 1
    assert notify_assignments(organiser, campaign.id) == 0
    mails = assignment_mails()
    assert len(mails) == 1 and "2 propositions" in mails[0].subject


def test_assignment_is_refused_outside_open_and_review(app):
    campaign, organiser, jurors, proposals = build(status="draft")
    with pytest.raises(Refused):
        run_assignment(organiser, campaign.id)
    campaign.status = "pitch"
    db.session.commit()
    with app.test_request_context(), pytest.raises(Refused, match="terminée"):
        run_assignment(organiser, campaign.id)
    campaign.status = "open"
    db.session.commit()
    assert run_assignment(organiser, campaign.id).added == 12


def test_withdrawn_proposals_lose_their_reviewers_on_rerun(app):
    campaign, organiser, jurors, proposals = build(n_proposals=3, n_jurors=3)
    run_assignment(organiser, campaign.id)
    proposals[0].status = "withdrawn"
    db.session.commit()
    run = run_assignment(organiser, campaign.id)
    assert run.dropped == 2
    assert all(p != proposals[0].id for _j, p in pairs(campaign))


# ---------------------------------------------------------------- pages ----------------------


def test_organiser_runs_the_assignment_from_the_page(client):
    campaign, organiser, jurors, proposals = build()
    sign_in(client, organiser)
    url = f"/organisation/campagnes/{campaign.id}/affectations"
    page = client.get(url)
    assert page.status_code == 200
    assert "Lancer l’affectation automatique" in page.text
    response = client.post(url + "/lancer", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    page = client.get(url).text
    assert "Affectation faite : 12 ajout(s)" in page
    for juror in jurors:
        assert juror.email in page
    # Remove one reviewer from the page, then pin another.
    juror_id, proposal_id = sorted(pairs(campaign))[0]
    response = client.post(
        url + "/retirer",
        data={
            "csrf_token": csrf_token(client, url),
            "proposal_id": proposal_id,
            "juror_id": juror_id,
        },
    )
    assert response.status_code == 302
    assert (juror_id, proposal_id) not in pairs(campaign)
    assert "Annuler le retrait" in client.get(url).text
    response = client.post(
        url + "/epingler",
        data={"csrf_token": csrf_token(client, url), "proposal_id": "abc", "juror_id": juror_id},
    )
    assert response.status_code == 302  # bad input: a message, nothing changes
    assert "Choisissez une proposition et un juré." in client.get(url).text


def test_assignment_pages_permissions(client):
    campaign, organiser, jurors, proposals = build()
    other_campaign = make_campaign("autre")
    other_organiser = make_user("autre-orga@francetravail.fr")
    add_role(other_campaign, other_organiser, "organiser")
    admin = make_user("admin@francetravail.fr", is_admin=True)
    agent = make_user("simple@francetravail.fr")
    db.session.commit()
    url = f"/organisation/campagnes/{campaign.id}/affectations"
    for user, expected in ((jurors[0], 403), (other_organiser, 403), (agent, 403), (admin, 200)):
        sign_in(client, user)
        assert client.get(url).status_code == expected, user.email
    sign_in(client, jurors[0])
    token = csrf_token(client, "/jury")
    assert client.post(url + "/lancer", data={"csrf_token": token}).status_code == 403
    assert pairs(campaign) == set()
    sign_in(client, organiser)
    assert client.get("/organisation/campagnes/424242/affectations").status_code == 404


def test_assignment_page_query_count_does_not_grow_with_proposals(app, client):
    campaign, organiser, jurors, proposals = build(n_proposals=10, n_jurors=4)
    run_assignment(organiser, campaign.id)
    sign_in(client, organiser)
    url = f"/organisation/campagnes/{campaign.id}/affectations"
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    agent = make_user("many@francetravail.fr")
    for i in range(300):
        make_proposal(campaign, agent, f"Q{i}", administration=f"Admin Q{i % 7}")
    db.session.commit()
    run_assignment(organiser, campaign.id)
    with count_queries() as large:
        assert client.get(url + "?page=3").status_code == 200
    assert len(large) == len(small), "\n".join(large[:3] + ["----"] + small[:3])


@pytest.mark.postgres
def test_assignment_on_postgresql(pg_app):
    campaign, organiser, jurors, proposals = build(n_proposals=5, n_jurors=3)
    run = run_assignment(organiser, campaign.id)
    assert run.added == 10
    assert run_assignment(organiser, campaign.id).added == 0
    juror_id, proposal_id = sorted(pairs(campaign))[0]
    remove_assignment(organiser, campaign.id, proposal_id, juror_id)
    run_assignment(organiser, campaign.id)
    assert (juror_id, proposal_id) not in pairs(campaign)
    assert len(pairs(campaign)) == 10


def test_assign_factory_is_consistent(app):
    # Sanity check of the test helper used by the other jury tests.
    campaign, organiser, jurors, proposals = build(n_proposals=1, n_jurors=1, reviews=1)
    assign(campaign, proposals[0], jurors[0])
    assert pairs(campaign) == {(jurors[0].id, proposals[0].id)}


def test_run_without_jurors_or_proposals_reports_shortfalls(app):
    campaign, organiser, _jurors, _proposals = build(n_proposals=3, n_jurors=0)
    run = run_assignment(organiser, campaign.id)
    assert (run.added, run.shortfalls, run.missing_reviews) == (0, 3, 6)
    empty, organiser2, _j, _p = build_empty()
    assert run_assignment(organiser2, empty.id).added == 0


def build_empty():
    campaign = make_campaign("vide")
    organiser = make_user("orga-vide@francetravail.fr")
    add_role(campaign, organiser, "organiser")
    db.session.commit()
    return campaign, organiser, [], []
