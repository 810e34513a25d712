"""The juror view (``access.juror_view``) on its own: what one juror's sight lets through."""

from __future__ import annotations

from flask import Flask

from challenge.access.juror_view import (
    AFFILIATION_FIELDS,
    AUTHOR_FIELDS,
    CONTACT_FIELDS,
    ORGANISER,
    Sight,
    hidden_fields_for_juror,
    juror_sight,
)
from challenge.accounts.models import Membership
from challenge.extensions import db
from tests.jury.builders import (
    add_review,
    add_role,
    assign,
    declare,
    make_campaign,
    make_proposal,
    make_user,
    review_criteria,
)


def test_a_juror_never_sees_contacts_and_in_blind_review_neither_authors_nor_affiliation() -> None:
    assert hidden_fields_for_juror(False) == CONTACT_FIELDS
    assert hidden_fields_for_juror(True) == CONTACT_FIELDS | AUTHOR_FIELDS | AFFILIATION_FIELDS
    assert ORGANISER.hidden_fields == frozenset()
    assert ORGANISER.sees_review(juror_id=7, proposal_id=1)


def test_a_nameless_person_reads_as_their_e_mail_only_to_who_sees_contacts() -> None:
    juror = Sight(juror_id=1, hidden_fields=hidden_fields_for_juror(False))
    assert juror.name_of("", "", "x@leak.example", "Juré") == "Juré"
    assert juror.name_of("Ada", "", "x@leak.example", "Juré") == "Ada"
    assert ORGANISER.name_of(None, None, "x@leak.example", "Juré") == "x@leak.example"


def test_a_former_jurors_conflict_still_hides_their_review(app: Flask) -> None:
    """A juror reviewed, then declared a conflict and left the jury: the others never see it."""
    campaign = make_campaign(visibility="always")
    reader, former = make_user("lecteur@jury.gouv.fr"), make_user("ancien@jury.gouv.fr")
    author = make_user("autrice@agents.gouv.fr")
    for juror in (reader, former):
        add_role(campaign, juror)
    proposal = make_proposal(campaign, author, "Un irritant")
    for juror in (reader, former):
        assign(campaign, proposal, juror)
    grid = {c: 3 for c in review_criteria(campaign)}
    add_review(campaign, proposal, former, grid, comment="Avis de l’ancien juré")
    db.session.commit()

    assert juror_sight(campaign, reader.id).sees_review(former.id, proposal.id)

    declare(campaign, former, proposal=proposal)
    db.session.query(Membership).filter_by(campaign_id=campaign.id, user_id=former.id).delete()
    db.session.commit()

    sight = juror_sight(campaign, reader.id)
    assert sight.sees(proposal.id)
    assert not sight.sees_review(former.id, proposal.id)
