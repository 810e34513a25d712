"""The final decision: laureates and mentions among the pitches, every other proposal in
competition not retained. Each proposal's status moves through the proposals' one writer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from challenge.access.campaigns import campaign_for_organiser
from challenge.access.outcomes import STATUS_OF_OUTCOME
from challenge.accounts.models import User
from challenge.errors import Invalid, Refused
from challenge.extensions import db
from challenge.proposals.models import IN_COMPETITION, Proposal
from challenge.proposals.service.status import set_status
from challenge.results.models import Outcome, ResultDecision
from challenge.results.queries.laureates import PITCH_CHOICES, decisions_of
from challenge.results.queries.outbox import results_sent
from challenge.results.queries.phases import decision_refusal
from challenge.results.queries.pitch_list import pitch_list
from challenge.timeutils import utcnow
from challenge.unit_of_work import Work, unit_of_work


@dataclass(frozen=True)
class DecisionSummary:
    laureates: int
    mentions: int
    shortlisted_not_retained: int
    not_retained: int


def record_results(user: User, campaign_id: int, choices: Mapping[int, str]) -> DecisionSummary:
    """Name the laureates and mentions among the pitches; every other proposal in competition
    is not retained. All or nothing; recorded with who and when, revisable until the result
    messages are sent."""
    campaign = campaign_for_organiser(user, campaign_id, lock=True)
    refusal = decision_refusal(campaign)
    if refusal:
        raise Refused(refusal)
    if results_sent(campaign.id):
        raise Refused(
            _(
                "Les messages de résultat sont déjà partis : la décision ne peut plus changer. "
                "Écrivez directement aux personnes concernées si une correction s’impose."
            )
        )
    heard = [p.id for p in pitch_list(campaign.id)]
    _check_choices(heard, choices)
    outcomes = _outcomes(campaign.id, set(heard), choices)
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        changes = _record(work, user, campaign.id, outcomes)
        tally = Counter(outcomes.values())
        work.audit(
            "results.decided",
            target=campaign,
            details={"changes": changes, "tally": dict(tally)},
        )
    return DecisionSummary(
        tally[Outcome.LAUREATE.value],
        tally[Outcome.MENTION.value],
        tally[Outcome.SHORTLISTED_NOT_RETAINED.value],
        tally[Outcome.NOT_RETAINED.value],
    )


def _check_choices(heard: Sequence[int], choices: Mapping[int, str]) -> None:
    """Refused without pitches; Invalid unless every pitch, and only they, has a choice and
    at least one is a laureate."""
    if not heard:
        raise Refused(_("Aucune proposition n’a été présélectionnée pour les pitchs."))
    errors = {
        f"outcome-{pid}": _("Choisissez « Lauréat », « Mention » ou « Non retenu ».")
        for pid in heard
        if choices.get(pid) not in PITCH_CHOICES
    }
    if any(pid not in heard for pid in choices):
        raise Invalid(
            {}, _("Rien n’est enregistré : une proposition choisie n’a pas été entendue.")
        )
    if errors:
        raise Invalid(errors, _("Rien n’est enregistré : choisissez une issue pour chaque pitch."))
    if not any(choices[pid] == Outcome.LAUREATE.value for pid in heard):
        raise Invalid({}, _("Rien n’est enregistré : désignez au moins un lauréat."))


def _outcomes(campaign_id: int, heard: set[int], choices: Mapping[int, str]) -> dict[int, str]:
    """The outcome of each proposal in competition, by id: the choice for a pitch (its "not
    retained" told apart), not retained for the others."""
    ids = db.session.scalars(
        select(Proposal.id)
        .where(Proposal.campaign_id == campaign_id, Proposal.status.in_(IN_COMPETITION))
        .order_by(Proposal.id)
    )
    outcomes = {}
    for pid in ids:
        if pid not in heard:
            outcomes[pid] = Outcome.NOT_RETAINED.value
        elif choices[pid] == "not_retained":
            outcomes[pid] = Outcome.SHORTLISTED_NOT_RETAINED.value
        else:
            outcomes[pid] = choices[pid]
    return outcomes


def _record(
    work: Work, user: User, campaign_id: int, outcomes: Mapping[int, str]
) -> dict[str, list[str | None]]:
    """Write each changed decision and move its proposal; the changes, for the audit event."""
    decisions = decisions_of(campaign_id)
    proposals = {
        p.id: p for p in db.session.scalars(select(Proposal).where(Proposal.id.in_(outcomes)))
    }
    now = utcnow()
    changes: dict[str, list[str | None]] = {}
    for pid, outcome in outcomes.items():
        decision = decisions.get(pid)
        if decision is not None and decision.outcome == outcome:
            continue
        if decision is None:
            decision = ResultDecision(campaign_id=campaign_id, proposal_id=pid)
            db.session.add(decision)
        changes[str(pid)] = [decision.outcome, outcome]
        decision.outcome = outcome
        decision.decided_by_id = user.id
        decision.decided_at = now
        set_status(proposals[pid], STATUS_OF_OUTCOME[outcome], work)
    return changes
