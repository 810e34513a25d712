"""The demo dataset seeded by ``make run`` on first start (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from challenge.accounts.models import Membership, Role, User
from challenge.accounts.service import create_admin
from challenge.campaigns.models import Campaign, CampaignStatus, ProposalQuestion, QuestionKind
from challenge.extensions import db
from challenge.timeutils import utcnow

DEMO_SLUG = "demo-france-travail-2026"
DEMO_ADMIN = "admin@demo.gouv.fr"

DEMO_CALL_TEXT = """Vous voyez chaque jour un **irritant** qui complique la vie des demandeurs \
d'emploi, des entreprises ou des conseillers ? Vous avez une idée de solution numérique et vous \
êtes prêt à lui consacrer six mois ? Proposez-la.

## Ce que nous cherchons

- un problème **récurrent**, vécu par beaucoup d'usagers ou d'agents, que vous savez décrire \
sans présupposer la solution ;
- une idée de solution numérique qu'une petite équipe peut mettre entre les mains de vrais \
usagers en six mois ;
- un agent prêt à s'y consacrer au moins deux jours par semaine, avec le soutien de sa hiérarchie.

## Comment ça se passe

1. Vous déposez votre proposition avant la date limite (seul ou à plusieurs).
2. Un jury lit toutes les propositions et en retient une vingtaine pour un pitch de trois minutes.
3. Les lauréats lancent une Startup d'État avec l'appui de \
[beta.gouv.fr](https://beta.gouv.fr).
"""

DEMO_QUESTIONS = (
    {
        "label": "Avez-vous déjà parlé de cette idée à votre hiérarchie ?",
        "help_text": "Sans engagement : le jury regarde surtout l'irritant et la solution.",
        "kind": QuestionKind.YES_NO.value,
        "required": True,
        "max_length": None,
        "choices": [],
    },
    {
        "label": "Quel public est concerné en premier ?",
        "help_text": "",
        "kind": QuestionKind.SINGLE_CHOICE.value,
        "required": False,
        "max_length": None,
        "choices": ["Demandeurs d'emploi", "Entreprises", "Conseillers", "Partenaires"],
    },
)


def seed_demo() -> bool:
    """Create the demo campaign and admin unless they exist. Returns True when it created them.

    Running it again completes a campaign seeded by an older version (grids, questions, the
    admin's organiser role) and changes nothing else.
    """
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == DEMO_SLUG))
    created = campaign is None
    if campaign is None:
        now = utcnow()
        campaign = Campaign(
            slug=DEMO_SLUG,
            title="Y a-t-il un intrapreneur parmi nous ? — édition 2026",
            administration="France Travail",
            call_text=DEMO_CALL_TEXT,
            status=CampaignStatus.OPEN.value,
            allowed_domains="francetravail.fr,pole-emploi.fr,demo.gouv.fr",
            opens_at=now - timedelta(days=7),
            deadline_at=now + timedelta(days=21),
            review_ends_at=now + timedelta(days=42),
            pitch_at=now + timedelta(days=56),
            results_at=now + timedelta(days=63),
        )
        db.session.add(campaign)
        db.session.commit()
        create_admin(DEMO_ADMIN)
    _complete_demo_set_up(campaign)
    return created


def _complete_demo_set_up(campaign: Campaign) -> None:
    from challenge.campaigns.service import ensure_default_grids

    ensure_default_grids(campaign)
    if not db.session.scalar(
        select(ProposalQuestion.id).where(ProposalQuestion.campaign_id == campaign.id).limit(1)
    ):
        for position, question in enumerate(DEMO_QUESTIONS):
            db.session.add(ProposalQuestion(campaign_id=campaign.id, position=position, **question))
    admin = db.session.scalar(select(User).where(User.email == DEMO_ADMIN))
    has_membership = db.session.scalar(
        select(Membership.id).where(
            Membership.campaign_id == campaign.id,
            Membership.email == DEMO_ADMIN,
            Membership.role == Role.ORGANISER.value,
        )
    )
    if has_membership is None:
        db.session.add(
            Membership(
                campaign_id=campaign.id,
                email=DEMO_ADMIN,
                role=Role.ORGANISER.value,
                user_id=admin.id if admin else None,
                joined_at=utcnow() if admin else None,
            )
        )
    db.session.commit()
