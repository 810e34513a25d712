"""The words for a proposal's status, one set for every page and export.

``STATUS_LABELS`` names the stored status (organisers' and jurors' pages, exports);
``BADGE_LABELS`` names the badge an author reads of their own proposal
(:class:`challenge.proposals.timeline.Badge`), which never tells the jury's decision before it
is announced. Registered as Jinja globals ``proposal_status_label`` and ``proposal_badge_label``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from challenge.proposals.lifecycle import ProposalStatus
from challenge.proposals.timeline import Badge

STATUS_LABELS = {
    ProposalStatus.DRAFT.value: _l("Brouillon"),
    ProposalStatus.SUBMITTED.value: _l("Déposée"),
    ProposalStatus.WITHDRAWN.value: _l("Retirée"),
    ProposalStatus.SHORTLISTED.value: _l("Présélectionnée"),
    ProposalStatus.NOT_RETAINED.value: _l("Non retenue"),
    ProposalStatus.LAUREATE.value: _l("Lauréate"),
    ProposalStatus.MENTION.value: _l("Mention du jury"),
}

BADGE_LABELS = {
    Badge.DRAFT.value: _l("Brouillon"),
    Badge.SUBMITTED.value: _l("Envoyée"),
    Badge.WITHDRAWN.value: _l("Retirée"),
    Badge.UNDER_REVIEW.value: _l("En cours d’examen"),
    Badge.SHORTLISTED.value: _l("Présélectionnée"),
    Badge.LAUREATE.value: _l("Lauréate"),
    Badge.MENTION.value: _l("Mention du jury"),
    Badge.NOT_RETAINED.value: _l("Non retenue"),
    Badge.CLOSED.value: _l("Non envoyée"),
}


def status_label(status: str) -> str:
    """The status in the reader's language (an unknown value is shown as it is)."""
    return str(STATUS_LABELS.get(status, status))


def badge_label(badge: str) -> str:
    return str(BADGE_LABELS.get(badge, badge))
