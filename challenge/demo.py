"""The demo dataset seeded by ``make run`` on first start (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from challenge.accounts.service import create_admin
from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.extensions import db
from challenge.timeutils import utcnow

DEMO_SLUG = "demo-france-travail-2026"
DEMO_ADMIN = "admin@demo.gouv.fr"


def seed_demo() -> bool:
    """Create the demo campaign and admin unless they exist. Returns True when it created them."""
    if db.session.scalar(select(Campaign.id).where(Campaign.slug == DEMO_SLUG)) is not None:
        return False
    now = utcnow()
    campaign = Campaign(
        slug=DEMO_SLUG,
        title="Y a-t-il un intrapreneur parmi nous ? — édition 2026",
        administration="France Travail",
        call_text=(
            "Vous voyez chaque jour un **irritant** qui complique la vie des demandeurs "
            "d'emploi, des entreprises ou des conseillers ? Vous avez une idée de solution "
            "numérique et vous êtes prêt à lui consacrer six mois ? Proposez-la."
        ),
        status=CampaignStatus.OPEN.value,
        allowed_domains="francetravail.fr,pole-emploi.fr,demo.gouv.fr",
        opens_at=now - timedelta(days=7),
        deadline_at=now + timedelta(days=21),
    )
    db.session.add(campaign)
    db.session.commit()
    create_admin(DEMO_ADMIN)
    return True
