"""A proposal's lifecycle: its statuses, the moves between them, and the sets every domain names.

Pure: no Flask, no database. The only writer of ``Proposal.status`` is
:func:`challenge.proposals.service.status.set_status`, which asks :func:`move` here before it
changes the row, records the audit event and queues the e-mails.

``draft → submitted ⇄ withdrawn``; the jury's shortlist ``submitted ⇄ shortlisted``; the results
``shortlisted → laureate | mention | not_retained`` and ``submitted → not_retained`` (not heard),
revisable among the three outcomes until the result messages are sent (the results domain checks
that freeze).
"""

from __future__ import annotations

import enum


class ProposalStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    SHORTLISTED = "shortlisted"
    NOT_RETAINED = "not_retained"
    LAUREATE = "laureate"
    MENTION = "mention"  # honourable mention, named with the laureates


S = ProposalStatus

# Sent and not withdrawn: the proposals the jury reads and the campaign counts.
IN_COMPETITION: tuple[str, ...] = (
    S.SUBMITTED.value,
    S.SHORTLISTED.value,
    S.NOT_RETAINED.value,
    S.LAUREATE.value,
    S.MENTION.value,
)
# On the pitch list once chosen, and still there once the outcome is named.
ON_PITCH_LIST: tuple[str, ...] = (S.SHORTLISTED.value, S.LAUREATE.value, S.MENTION.value)
# The outcomes named with the results.
OUTCOMES: tuple[str, ...] = (S.LAUREATE.value, S.MENTION.value, S.NOT_RETAINED.value)
# An author may still change these (the deadline permitting).
EDITABLE: tuple[str, ...] = (S.DRAFT.value, S.SUBMITTED.value, S.WITHDRAWN.value)

# (from, to) -> the event's name, recorded in the audit log as ``proposal.<name>``.
MOVES: dict[tuple[S, S], str] = {
    (S.DRAFT, S.SUBMITTED): "submitted",
    (S.WITHDRAWN, S.SUBMITTED): "resubmitted",
    (S.SUBMITTED, S.WITHDRAWN): "withdrawn",
    (S.SUBMITTED, S.SHORTLISTED): "shortlisted",
    (S.SHORTLISTED, S.SUBMITTED): "unshortlisted",
    (S.SUBMITTED, S.NOT_RETAINED): "not_retained",
    (S.SHORTLISTED, S.LAUREATE): "laureate",
    (S.SHORTLISTED, S.MENTION): "mention",
    (S.SHORTLISTED, S.NOT_RETAINED): "not_retained",
    (S.LAUREATE, S.MENTION): "mention",
    (S.LAUREATE, S.NOT_RETAINED): "not_retained",
    (S.MENTION, S.LAUREATE): "laureate",
    (S.MENTION, S.NOT_RETAINED): "not_retained",
    (S.NOT_RETAINED, S.LAUREATE): "laureate",
    (S.NOT_RETAINED, S.MENTION): "mention",
}


class IllegalMove(ValueError):
    """A move the lifecycle does not have (a programming error, never a person's input)."""


def can_move(current: str, target: str) -> bool:
    return (S(current), S(target)) in MOVES


def move(current: str, target: str) -> str:
    """The name of the move from ``current`` to ``target``; :class:`IllegalMove` if none."""
    try:
        return MOVES[(S(current), S(target))]
    except (KeyError, ValueError) as error:
        raise IllegalMove(f"{current} -> {target}") from error
