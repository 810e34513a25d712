"""Builders of a campaign with results, for the exports tests (no tests here).

Import with ``from tests.exports.builders import ...``. Rows are written straight
through the models, so these tests depend on no other domain's pages.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from challenge.accounts.models import Role, User
from challenge.campaigns.models import Campaign, Criterion, ProposalQuestion
from challenge.extensions import db
from challenge.jury.models import Conflict, Review, ReviewAssignment, ShortlistDecision
from challenge.proposals.models import Proposal, Support
from challenge.results.models import ResultDecision
from challenge.timeutils import utcnow
from tests import factories
from tests.factories import sign_in  # noqa: F401  (for the exports tests)

INJECTION = '=HYPERLINK("http://evil.example/x","Cliquez")'


def make_user(email: str, first: str, last: str, administration: str = "Douanes") -> User:
    return factories.make_user(
        email, first_name=first, last_name=last, administration=administration
    )


def add_role(campaign: Campaign, user: User, role: Role) -> None:
    factories.add_member(campaign, user, role)


def read_csv(data: bytes, separator: str = ";") -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "a UTF-8 BOM for French spreadsheets"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=separator))


@dataclass
class World:
    campaign: Campaign
    organiser: User
    jurors: list[User]  # [alice, bruno (in conflict with proposals[1]), chloe]
    agents: list[User]
    proposals: list[Proposal]  # [laureate (injection), mention, not retained, withdrawn]
    draft: Proposal
    questions: list[ProposalQuestion]
    criteria: list[Criterion]
    pitch_criteria: list[Criterion]
    outsider: User
    other_campaign: Campaign
    reviews: list[Review] = field(default_factory=list)


def _proposal(
    campaign: Campaign,
    agent: User,
    title: str,
    status: str,
    *,
    administration: str = "Douanes",
    consent: bool = False,
    answers: dict[str, object] | None = None,
    coauthors: tuple[str, ...] = (),
) -> Proposal:
    return factories.make_proposal(
        campaign,
        agent,
        title,
        status=status,
        administration=administration,
        coauthors=coauthors,
        submitted_ago=timedelta(days=20),
        impact="Moins d’attente aux guichets",
        service="Service des usagers",
        region="Bretagne",
        commitment_released=True,
        commitment_manager_informed=True,
        publish_name_consent=consent,
        answers=answers or {},
        withdrawn_at=utcnow() - timedelta(days=5) if status == "withdrawn" else None,
    )


# Reviews were sent three days ago.
_review = partial(factories.add_review, submitted_ago=timedelta(days=3))


def build_world(
    *, status: str = "results", blind: bool = False, visibility: str = "after_own"
) -> World:
    """A campaign at the results stage: 4 proposals in the exports (and a draft that is not),
    3 jurors (Bruno in conflict with the second proposal), written and pitch reviews, a laureate
    (whose title is a formula) and a mention, an organiser and an outsider."""
    campaign = Campaign(
        slug="appel-exports",
        title="Appel aux intrapreneurs 2026",
        administration="Direction générale des douanes",
        status=status,
        blind_review=blind,
        scores_visibility=visibility,
        same_administration_conflict=False,
        reviews_per_proposal=2,
        deadline_at=utcnow() - timedelta(days=30),
        results_at=utcnow() - timedelta(days=1),
    )
    other = Campaign(slug="autre-appel", title="Un autre appel", status="review")
    db.session.add_all([campaign, other])
    db.session.flush()
    questions = [
        ProposalQuestion(
            campaign_id=campaign.id, position=0, label="Votre métier", kind="short_text"
        ),
        ProposalQuestion(campaign_id=campaign.id, position=1, label="Déjà testé ?", kind="yes_no"),
    ]
    db.session.add_all(questions)
    db.session.flush()
    criteria = factories.add_grid(
        campaign, "review", [("Impact", 2.0), ("Faisabilité", 1.0)], levels="{label} {level}"
    )
    pitch_criteria = factories.add_grid(
        campaign, "pitch", [("Conviction", 1.0)], levels="{label} {level}"
    )

    organiser = make_user("orga@douane.gouv.fr", "Olivia", "Organisatrice")
    add_role(campaign, organiser, Role.ORGANISER)
    jurors = [
        make_user("alice@douane.gouv.fr", "Alice", "Juré"),
        make_user("bruno@douane.gouv.fr", "Bruno", "Juré"),
        make_user("chloe@douane.gouv.fr", "Chloé", "Juré"),
    ]
    for juror in jurors:
        add_role(campaign, juror, Role.JUROR)
    agents = [
        make_user("agent1@douane.gouv.fr", "Aline", "Porteuse"),
        make_user("agent2@douane.gouv.fr", "Basile", "Porteur"),
        make_user("agent3@douane.gouv.fr", "Céline", "Porteuse"),
    ]
    outsider = make_user("curieux@douane.gouv.fr", "Curieux", "Passant")
    q_job, q_tested = (str(q.id) for q in questions)
    proposals = [
        _proposal(
            campaign,
            agents[0],
            INJECTION,
            "laureate",
            consent=True,
            answers={q_job: "Contrôleuse", q_tested: "yes"},
            coauthors=("coautrice@douane.gouv.fr",),
        ),
        _proposal(
            campaign,
            agents[1],
            "Dédouaner en un clic",
            "mention",
            consent=False,
            answers={q_job: "@agent", q_tested: "no"},
        ),
        _proposal(campaign, agents[2], "Fini les formulaires papier", "not_retained"),
        _proposal(campaign, agents[2], "Une idée retirée", "withdrawn"),
    ]
    draft = _proposal(campaign, agents[0], "Brouillon secret", "draft")
    alice, bruno, chloe = jurors
    laureate, mention, not_retained, _withdrawn = proposals
    for proposal in (laureate, mention, not_retained):
        for juror in jurors:
            db.session.add(
                ReviewAssignment(
                    campaign_id=campaign.id, proposal_id=proposal.id, juror_id=juror.id
                )
            )
    db.session.add(
        Conflict(
            campaign_id=campaign.id, juror_id=bruno.id, proposal_id=mention.id, source="declared"
        )
    )
    impact, feasibility = criteria
    world = World(
        campaign, organiser, jurors, agents, proposals, draft, questions, criteria,
        pitch_criteria, outsider, other,
    )  # fmt: skip
    world.reviews += [
        _review(campaign, laureate, alice, {impact: 4, feasibility: 3}, comment="Excellent"),
        _review(campaign, laureate, bruno, {impact: 3, feasibility: 3}, comment="Solide"),
        _review(campaign, laureate, chloe, {impact: 4, feasibility: 4}, message="Bravo"),
        _review(campaign, mention, alice, {impact: 2, feasibility: 4}, comment="Prometteur"),
        _review(campaign, mention, bruno, {impact: 0, feasibility: 0}, comment="Conflit caché"),
        _review(campaign, mention, chloe, {impact: 3, feasibility: 2}),
        _review(campaign, not_retained, alice, {impact: 1, feasibility: 2}),
        _review(campaign, not_retained, bruno, {impact: 1, feasibility: 1}, status="draft"),
        _review(campaign, laureate, alice, {pitch_criteria[0]: 4}, phase="pitch", comment="Pitch"),
        _review(campaign, mention, chloe, {pitch_criteria[0]: 3}, phase="pitch"),
    ]
    for proposal, selected in ((laureate, True), (mention, True), (not_retained, False)):
        db.session.add(
            ShortlistDecision(
                campaign_id=campaign.id, proposal_id=proposal.id, selected=selected, note="ok"
            )
        )
    for proposal, outcome in (
        (laureate, "laureate"),
        (mention, "mention"),
        (not_retained, "not_retained"),
    ):
        db.session.add(
            ResultDecision(
                campaign_id=campaign.id,
                proposal_id=proposal.id,
                outcome=outcome,
                decided_by_id=organiser.id,
            )
        )
    db.session.add_all(
        [
            Support(proposal_id=laureate.id, user_id=agents[1].id),
            Support(proposal_id=laureate.id, user_id=agents[2].id),
        ]
    )
    db.session.commit()
    return world
