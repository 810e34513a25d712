"""Temporary re-exports for the other domains; removed at merge."""

from challenge.access.campaigns import campaign_for_juror as juror_campaign  # noqa: F401
from challenge.access.campaigns import campaign_for_organiser as organiser_campaign  # noqa: F401
from challenge.access.jury import (  # noqa: F401
    campaign_jurors,
    conflict_pairs,
    pitch_candidates,
    visible_proposal_ids_for_juror,
)
from challenge.errors import Forbidden, NotFound, Refused  # noqa: F401
from challenge.jury.queries.grid import review_grid  # noqa: F401
from challenge.jury.queries.ranking_feed import (  # noqa: F401
    RankingReport,
    RankingRow,
    campaign_ranking,
    ranking_report,
)
from challenge.jury.service.assignments import run_assignment  # noqa: F401
from challenge.jury.service.reminders import reminder_days_left  # noqa: F401
from challenge.jury.service.reviews import ReviewInput, save_review  # noqa: F401
from challenge.jury.service.shortlist import ShortlistChoice, decide_shortlist  # noqa: F401
