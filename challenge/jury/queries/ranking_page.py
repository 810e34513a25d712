"""The organisers' ranking (and shortlist) page: global ranks, filters that only hide rows."""

from __future__ import annotations

from dataclasses import dataclass

from challenge.access.campaigns import campaign_for_organiser
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.jury.paging import page_of
from challenge.jury.queries.phases import shortlist_refusal
from challenge.jury.queries.ranking_feed import (
    RankingReport,
    RankingRow,
    compute_ranking,
    with_details,
)

RANKING_PAGE_SIZE = 100


@dataclass(frozen=True)
class RankingFilters:
    status: str | None = None
    administration: str | None = None
    disagreement: bool = False

    def keeps(self, row: RankingRow) -> bool:
        if self.status and row.status != self.status:
            return False
        if self.administration and row.administration != self.administration:
            return False
        return not (self.disagreement and not row.disagreement)


@dataclass(frozen=True)
class RankingPage:
    campaign: Campaign
    report: RankingReport  # its rows without the jurors' details
    rows: list[RankingRow]  # this page, after the filters, with each juror's scores
    matching: int
    page: int
    pages: int
    administrations: list[str]
    statuses: list[str]
    shortlist_open: bool
    shortlist_refusal: str | None


def organiser_ranking(
    user: User,
    campaign_id: int,
    *,
    by: str = "raw",
    filters: RankingFilters | None = None,
    page: int = 1,
    phase: str = "written",
) -> RankingPage:
    """The ranking page of an organiser: ranks are global, the filters only hide rows.

    The jurors' details (each juror's score and comment) are loaded for the page's rows only.
    """
    campaign = campaign_for_organiser(user, campaign_id)
    filters = filters or RankingFilters()
    computed = compute_ranking(campaign.id, phase, by)
    report = computed.report
    rows = [r for r in report.rows if filters.keeps(r)]
    shown, page, pages = page_of(rows, page, RANKING_PAGE_SIZE)
    refusal = shortlist_refusal(campaign)
    return RankingPage(
        campaign=campaign,
        report=report,
        rows=with_details(computed, shown),
        matching=len(rows),
        page=page,
        pages=pages,
        administrations=sorted({r.administration for r in report.rows if r.administration}),
        statuses=sorted({r.status for r in report.rows}),
        shortlist_open=refusal is None,
        shortlist_refusal=refusal,
    )
