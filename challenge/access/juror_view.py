"""What a reader may see of a campaign's proposals: the one juror view, asked by every surface.

:func:`juror_sight` takes the juror, the campaign's settings (blind review, when the other jurors'
scores show) and the juror's own review state, and returns a :class:`Sight`: which proposals they
see, which of a proposal's fields, and whose reviews. The juror's page, CSV, XLSX, PDF and e-mails
all render through it (``sight.redact(...)``, ``sight.shows(field)``, ``sight.sees_review(...)``);
nothing else reads ``Campaign.blind_review`` or ``Campaign.scores_visibility``, so a surface
cannot show what another hides.

Organisers see everything (:data:`ORGANISER`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select

from challenge.access.jury import (
    JurorRef,
    Pair,
    campaign_jurors,
    conflict_pairs,
    juror_sees_others,
    visible_proposal_ids_for_juror,
)
from challenge.access.roles import is_organiser
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign, ScoresVisibility
from challenge.extensions import db
from challenge.jury.models import Review, ReviewPhase, ReviewStatus
from challenge.proposals.models import Proposal

V = TypeVar("V")

# A proposal's fields that say who wrote it. Each surface names its columns with these words.
AUTHOR_FIELDS = frozenset({"authors", "submitter", "coauthors"})
AFFILIATION_FIELDS = frozenset({"administration", "service", "region"})
# Reachable people and their choices: e-mail addresses, consents, supporters' names.
CONTACT_FIELDS = frozenset(
    {"author_emails", "submitter_email", "coauthor_emails", "consents", "supporters"}
)
IDENTIFYING_FIELDS = AUTHOR_FIELDS | AFFILIATION_FIELDS | CONTACT_FIELDS


@dataclass(frozen=True)
class Sight:
    """What one reader may see.

    ``proposal_ids``: the proposals they see (None: all of the campaign's). ``hidden_fields``:
    the fields of a proposal they never see. ``others_on``: the proposals whose other jurors'
    reviews (names, scores, comments) they see (None: all). ``hidden_pairs``: (juror, proposal)
    pairs in conflict, whose reviews no juror sees.
    """

    juror_id: int | None = None
    proposal_ids: frozenset[int] | None = None
    hidden_fields: frozenset[str] = frozenset()
    others_on: frozenset[int] | None = None
    hidden_pairs: frozenset[Pair] = frozenset()
    # The others' reviews show once the juror sent their own (so pages can say so beforehand).
    others_after_own: bool = False

    @property
    def is_organiser(self) -> bool:
        return self.juror_id is None

    @property
    def blind(self) -> bool:
        """Whether the authors are hidden (the pages say so to the juror)."""
        return bool(self.hidden_fields & AUTHOR_FIELDS)

    def sees(self, proposal_id: int) -> bool:
        return self.proposal_ids is None or proposal_id in self.proposal_ids

    def shows(self, field: str) -> bool:
        """Whether a proposal's ``field`` (one of :data:`IDENTIFYING_FIELDS`, or any other
        field of the proposal, always shown) may be shown to this reader."""
        return field not in self.hidden_fields

    def redact(self, values: Mapping[str, V]) -> dict[str, V | None]:
        """``values`` with every field this reader may not see set to None."""
        return {k: (None if k in self.hidden_fields else v) for k, v in values.items()}

    def name_of(
        self, first_name: str | None, last_name: str | None, email: str | None, unnamed: str
    ) -> str:
        """A person's name as this reader may read it. Someone without a name (a co-author
        invited by e-mail, a juror who never filled their profile) reads as their e-mail only to
        who may see contacts; to a juror, as ``unnamed`` ("Juré", "Co-auteur invité")."""
        name = f"{first_name or ''} {last_name or ''}".strip()
        if name:
            return name
        return (email or unnamed) if self.shows("author_emails") else unnamed

    def sees_others_on(self, proposal_id: int) -> bool:
        """Whether the other jurors' reviews of the proposal show (their names with them)."""
        if not self.sees(proposal_id):
            return False
        return self.others_on is None or proposal_id in self.others_on

    def sees_review(self, juror_id: int, proposal_id: int) -> bool:
        """Whether the review of ``juror_id`` on the proposal shows to this reader."""
        if juror_id == self.juror_id:
            return self.sees(proposal_id)
        if self.is_organiser:
            return True
        return self.sees_others_on(proposal_id) and (juror_id, proposal_id) not in self.hidden_pairs


ORGANISER = Sight()

_JUROR_ALWAYS_HIDDEN = CONTACT_FIELDS
_JUROR_HIDDEN_IN_BLIND = AUTHOR_FIELDS | AFFILIATION_FIELDS


def hidden_fields_for_juror(blind_review: bool) -> frozenset[str]:
    """A juror never sees contacts; in blind review, nor who wrote it or where they work."""
    return _JUROR_ALWAYS_HIDDEN | (_JUROR_HIDDEN_IN_BLIND if blind_review else frozenset())


def juror_sight(
    campaign: Campaign, juror_id: int, phase: ReviewPhase | str = ReviewPhase.WRITTEN
) -> Sight:
    """What the juror may see in ``phase``, in a constant number of queries.

    Proposals: assigned (written phase) or on the pitch list (pitch phase), minus every conflict.
    Fields: :func:`hidden_fields_for_juror`. Other jurors' reviews: as the campaign's
    ``scores_visibility`` says, given whether the juror submitted their own review of that
    proposal; never a conflicted juror's review.
    """
    visible = frozenset(visible_proposal_ids_for_juror(campaign.id, juror_id, phase))
    hidden = hidden_fields_for_juror(campaign.blind_review)
    after_own = campaign.scores_visibility == ScoresVisibility.AFTER_OWN.value
    if not visible:
        return Sight(juror_id, frozenset(), hidden, frozenset(), others_after_own=after_own)
    ids = sorted(visible)
    submitted = set(
        db.session.scalars(
            select(Review.proposal_id).where(
                Review.juror_id == juror_id,
                Review.phase == str(phase),
                Review.status == ReviewStatus.SUBMITTED.value,
                Review.proposal_id.in_(ids),
            )
        )
    )
    others = frozenset(
        p for p in visible if juror_sees_others(campaign.scores_visibility, p in submitted)
    )
    pairs: frozenset[Pair] = frozenset()
    if others:
        candidates = [
            (r.id, r.administration)
            for r in db.session.execute(
                select(Proposal.id, Proposal.administration).where(Proposal.id.in_(ids))
            )
        ]
        pairs = conflict_pairs(campaign, _reviewers(campaign.id, ids), candidates)
    return Sight(juror_id, visible, hidden, others, pairs, others_after_own=after_own)


def _reviewers(campaign_id: int, proposal_ids: list[int]) -> list[JurorRef]:
    """The campaign's jurors, and whoever reviewed one of these proposals and has left the jury
    since: a former juror's conflict hides their review as surely as a current juror's."""
    jurors = {j.id: j for j in campaign_jurors(campaign_id)}
    rows = db.session.execute(
        select(User.id, User.email, User.administration)
        .join(Review, Review.juror_id == User.id)
        .where(Review.campaign_id == campaign_id, Review.proposal_id.in_(proposal_ids))
        .distinct()
    ).all()
    for row in rows:
        jurors.setdefault(row.id, JurorRef(row.id, row.email, "", row.administration))
    return list(jurors.values())


def sight_for(
    user: object | None, campaign: Campaign, phase: ReviewPhase | str = ReviewPhase.WRITTEN
) -> Sight:
    """The organisers' sight for an organiser (or admin), the juror's for anyone else."""
    if is_organiser(user, campaign.id):  # type: ignore[arg-type]
        return ORGANISER
    user_id = getattr(user, "id", None)
    if user_id is None:
        return Sight(-1, frozenset(), IDENTIFYING_FIELDS, frozenset())
    return juror_sight(campaign, user_id, phase)


def may_see_scores(
    user: object | None, proposal: Proposal, phase: ReviewPhase | str = ReviewPhase.WRITTEN
) -> bool:
    """Whether ``user`` may see the *other* jurors' scores and comments on ``proposal``:
    organisers always, a juror as their sight says, anyone else (an author, an agent) never."""
    campaign = db.session.get(Campaign, proposal.campaign_id)
    if campaign is None:
        return False
    return sight_for(user, campaign, phase).sees_others_on(proposal.id)
