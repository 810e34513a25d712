"""Who sees what in the jury: the one place that decides it.

A juror sees a proposal only if it is assigned to them (written phase) or on the pitch list
(pitch phase) *and* they have no conflict of interest with it. A conflicted juror never sees the
proposal, its scores or the jury's comments: every page, export and e-mail asks here.

Conflicts are either declared by the juror (on a proposal or on a whole administration) or
automatic, computed on the fly so they are always current:

* the juror is the submitter or a co-author (``ProposalAuthor`` by user id or e-mail);
* the campaign's ``same_administration_conflict`` is on and the juror's administration (their
  profile) is the proposal's, compared after normalisation (case, accents, punctuation).

Exposed for the other domains: :func:`visible_proposal_ids_for_juror`, :func:`may_see_proposal`,
:func:`conflict_pairs` and :func:`normalise_administration`. Whose scores a juror sees, and
which fields of a proposal: :mod:`challenge.access.juror_view`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select

from challenge.access.roles import is_organiser
from challenge.accounts.models import Membership, Role, User
from challenge.campaigns.models import Campaign, ScoresVisibility
from challenge.extensions import db
from challenge.jury.models import (
    AssignmentState,
    Conflict,
    ReviewAssignment,
    ReviewPhase,
    ShortlistDecision,
)
from challenge.proposals.models import IN_COMPETITION, Proposal, ProposalAuthor, ProposalStatus

Pair = tuple[int, int]  # (juror id, proposal id)

# On pitch day the jury hears the shortlisted proposals (and keeps seeing them once decided).
PITCH_STATUSES = (
    ProposalStatus.SHORTLISTED.value,
    ProposalStatus.LAUREATE.value,
    ProposalStatus.MENTION.value,
)


def normalise_administration(name: str | None) -> str:
    """``"Ministère de l'Intérieur "`` and ``"ministere de l interieur"`` compare equal."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[\W_]+", " ", text.casefold())
    return " ".join(text.split())


@dataclass(frozen=True)
class JurorRef:
    """A juror of a campaign who has signed in (only they can be assigned)."""

    id: int
    email: str
    name: str
    administration: str


def campaign_jurors(campaign_id: int) -> list[JurorRef]:
    """The campaign's jurors bound to an account, in a stable order (by user id)."""
    rows = db.session.execute(
        select(User.id, User.email, User.first_name, User.last_name, User.administration)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.campaign_id == campaign_id, Membership.role == Role.JUROR.value)
        .distinct()
        .order_by(User.id)
    ).all()
    return [
        JurorRef(
            r.id, r.email, f"{r.first_name} {r.last_name}".strip() or r.email, r.administration
        )
        for r in rows
    ]


def _competing_proposals(campaign_id: int) -> list[tuple[int, str]]:
    """(id, administration) of the campaign's proposals in competition."""
    rows = db.session.execute(
        select(Proposal.id, Proposal.administration).where(
            Proposal.campaign_id == campaign_id, Proposal.status.in_(IN_COMPETITION)
        )
    ).all()
    return [(r.id, r.administration) for r in rows]


def conflict_pairs(
    campaign: Campaign,
    jurors: Iterable[JurorRef] | None = None,
    proposals: Iterable[tuple[int, str]] | None = None,
) -> frozenset[Pair]:
    """Every (juror, proposal) pair in conflict, declared or automatic, in four queries at most.

    ``jurors`` defaults to the campaign's jurors and ``proposals`` ((id, administration) pairs)
    to its proposals in competition; pass them when already loaded.
    """
    jurors = list(campaign_jurors(campaign.id) if jurors is None else jurors)
    proposals = list(_competing_proposals(campaign.id) if proposals is None else proposals)
    if not jurors or not proposals:
        return frozenset()
    proposal_ids = {p for p, _ in proposals}
    by_administration: dict[str, list[int]] = defaultdict(list)
    for proposal_id, administration in proposals:
        key = normalise_administration(administration)
        if key:
            by_administration[key].append(proposal_id)

    pairs: set[Pair] = set()
    juror_ids = {j.id for j in jurors}
    declared = db.session.execute(
        select(Conflict.juror_id, Conflict.proposal_id, Conflict.administration).where(
            Conflict.campaign_id == campaign.id
        )
    ).all()
    for row in declared:
        if row.juror_id not in juror_ids:
            continue
        if row.proposal_id is not None and row.proposal_id in proposal_ids:
            pairs.add((row.juror_id, row.proposal_id))
        if row.administration:
            for proposal_id in by_administration.get(
                normalise_administration(row.administration), ()
            ):
                pairs.add((row.juror_id, proposal_id))

    if campaign.same_administration_conflict:
        for juror in jurors:
            for proposal_id in by_administration.get(
                normalise_administration(juror.administration), ()
            ):
                pairs.add((juror.id, proposal_id))

    pairs |= _author_pairs(campaign.id, jurors, proposal_ids)
    return frozenset(pairs)


def _author_pairs(campaign_id: int, jurors: list[JurorRef], proposal_ids: set[int]) -> set[Pair]:
    """Jurors who wrote or co-wrote a proposal, matched by account or by invited e-mail."""
    by_email = {j.email.lower(): j.id for j in jurors}
    by_id = {j.id for j in jurors}
    rows = db.session.execute(
        select(ProposalAuthor.proposal_id, ProposalAuthor.user_id, ProposalAuthor.email)
        .join(Proposal, Proposal.id == ProposalAuthor.proposal_id)
        .where(
            Proposal.campaign_id == campaign_id,
            or_(
                ProposalAuthor.user_id.in_(sorted(by_id)),
                func.lower(ProposalAuthor.email).in_(list(by_email)),
            ),
        )
    ).all()
    pairs = set()
    for row in rows:
        if row.proposal_id not in proposal_ids:
            continue
        if row.user_id in by_id:
            pairs.add((row.user_id, row.proposal_id))
        juror_id = by_email.get((row.email or "").lower())
        if juror_id is not None:
            pairs.add((juror_id, row.proposal_id))
    return pairs


def _juror_ref(campaign_id: int, juror_id: int) -> JurorRef | None:
    """The juror, if they are (still) a juror of the campaign."""
    row = db.session.execute(
        select(User.id, User.email, User.first_name, User.last_name, User.administration)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.campaign_id == campaign_id,
            Membership.role == Role.JUROR.value,
            User.id == juror_id,
        )
        .limit(1)
    ).first()
    if row is None:
        return None
    name = f"{row.first_name} {row.last_name}".strip() or row.email
    return JurorRef(row.id, row.email, name, row.administration)


def visible_proposal_ids_for_juror(
    campaign_id: int, juror_id: int, phase: ReviewPhase | str = ReviewPhase.WRITTEN
) -> set[int]:
    """The proposals this juror may see in ``phase``: the only list every page and export uses.

    Written phase: the proposals actively assigned to them and still in competition. Pitch phase:
    the proposals on the pitch list. In both, minus every proposal they are in conflict with.
    Empty for someone who is not a juror of the campaign. A constant number of queries.
    """
    campaign = db.session.get(Campaign, campaign_id)
    juror = _juror_ref(campaign_id, juror_id) if campaign is not None else None
    if campaign is None or juror is None:
        return set()
    if str(phase) == ReviewPhase.PITCH.value:
        candidates = pitch_candidates(campaign_id)
    else:
        candidates = _assigned_candidates(campaign_id, juror_id)
    if not candidates:
        return set()
    conflicts = conflict_pairs(campaign, [juror], candidates)
    return {p for p, _ in candidates if (juror_id, p) not in conflicts}


def _assigned_candidates(campaign_id: int, juror_id: int) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Proposal.id, Proposal.administration)
        .join(ReviewAssignment, ReviewAssignment.proposal_id == Proposal.id)
        .where(
            ReviewAssignment.campaign_id == campaign_id,
            ReviewAssignment.juror_id == juror_id,
            ReviewAssignment.state == AssignmentState.ACTIVE.value,
            Proposal.campaign_id == campaign_id,
            Proposal.status.in_(IN_COMPETITION),
        )
    ).all()
    return [(r.id, r.administration) for r in rows]


def pitch_candidates(campaign_id: int) -> list[tuple[int, str]]:
    """(id, administration) of the proposals on the pitch list."""
    selected = exists().where(
        ShortlistDecision.proposal_id == Proposal.id, ShortlistDecision.selected.is_(True)
    )
    rows = db.session.execute(
        select(Proposal.id, Proposal.administration).where(
            Proposal.campaign_id == campaign_id,
            Proposal.status.in_(IN_COMPETITION),
            or_(Proposal.status.in_(PITCH_STATUSES), selected),
        )
    ).all()
    return [(r.id, r.administration) for r in rows]


def may_see_proposal(
    user: User | None, proposal: Proposal, phase: ReviewPhase | str = ReviewPhase.WRITTEN
) -> bool:
    """Organisers see every proposal of their campaign; a juror only those visible to them."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_organiser(user, proposal.campaign_id):
        return True
    return proposal.id in visible_proposal_ids_for_juror(proposal.campaign_id, user.id, phase)


def juror_sees_others(visibility: str | None, own_submitted: bool) -> bool:
    """The campaign setting applied to one juror who may see the proposal."""
    if visibility == ScoresVisibility.ALWAYS.value:
        return True
    if visibility == ScoresVisibility.AFTER_OWN.value:
        return own_submitted
    return False
