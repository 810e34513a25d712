"""What the lifecycle guards know of a campaign, and the moves open to it, in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from sqlalchemy import func, select

from challenge.campaigns import lifecycle
from challenge.campaigns.lifecycle import Dates, Facts, Problem
from challenge.campaigns.models import Campaign, Criterion, GridKind
from challenge.campaigns.texts import _, default_locale_outside_requests
from challenge.extensions import db
from challenge.jury.models import Review
from challenge.timeutils import utcnow


def dates_of(campaign: Campaign) -> Dates:
    return Dates(**{name: getattr(campaign, name) for name in lifecycle.DATE_FIELDS})


def facts(campaign: Campaign, now: datetime | None = None) -> Facts:
    """What the lifecycle guards need to know about a campaign (two small queries)."""
    grid_sizes = dict(
        db.session.execute(
            select(Criterion.grid, func.count())
            .where(Criterion.campaign_id == campaign.id)
            .group_by(Criterion.grid)
        ).all()
    )
    written_reviews = db.session.scalar(
        select(func.count())
        .select_from(Review)
        .where(Review.campaign_id == campaign.id, Review.phase == "written")
    )
    return Facts(
        status=campaign.status,
        dates=dates_of(campaign),
        domains=tuple(campaign.domains),
        review_criteria=grid_sizes.get(GridKind.REVIEW.value, 0),
        pitch_criteria=grid_sizes.get(GridKind.PITCH.value, 0),
        now=now or utcnow(),
        written_reviews=written_reviews or 0,
    )


def _date_label(name: str) -> str:
    labels = {
        "opens_at": _("la date d’ouverture"),
        "deadline_at": _("la date limite de dépôt"),
        "review_ends_at": _("la fin de l’évaluation"),
        "pitch_at": _("la journée de pitch"),
        "results_at": _("l’annonce des résultats"),
    }
    return labels.get(name, name)


def problem_message(problem: Problem, dates: Dates | None = None) -> str:
    if problem.code == "before" and problem.other:
        other = dates.get(problem.other) if dates else None
        with default_locale_outside_requests():
            when = f" ({format_datetime(other, 'd MMMM y HH:mm')})" if other else ""
        return _(
            "Cette date doit venir après %(other)s%(when)s.",
            other=_date_label(problem.other),
            when=when,
        )
    messages = {
        "past": _("Cette date est passée : choisissez une date à venir."),
        "deadline_required": _("Une campagne publiée doit garder une date limite de dépôt."),
        "deadline_missing": _("Fixez la date limite de dépôt."),
        "deadline_past": _("La date limite de dépôt est passée : fixez-en une à venir."),
        "domains_missing": _(
            "Indiquez au moins un domaine de messagerie dont les agents peuvent proposer."
        ),
        "review_grid_empty": _("La grille d’évaluation écrite doit compter au moins un critère."),
        "pitch_grid_empty": _("La grille du pitch doit compter au moins un critère."),
        "reviews_started": _(
            "Des jurés ont commencé à évaluer : le dépôt ne peut plus être rouvert."
        ),
        "not_allowed": _("Ce passage d’étape n’est pas possible depuis l’étape actuelle."),
    }
    return messages.get(problem.code, problem.code)


@dataclass(frozen=True)
class TransitionOption:
    target: str
    problems: list[str]
    backward: bool


def transition_options(campaign: Campaign, campaign_facts: Facts) -> list[TransitionOption]:
    return [
        TransitionOption(
            target=target,
            problems=[
                problem_message(p, campaign_facts.dates)
                for p in lifecycle.guard(campaign.status, target, campaign_facts)
            ],
            backward=lifecycle.BACKWARD.get(campaign.status) == target,
        )
        for target in lifecycle.allowed_targets(campaign.status)
    ]
