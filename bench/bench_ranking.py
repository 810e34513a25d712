"""Benchmark of the organiser's ranking on a large campaign.

Builds a migrated SQLite database in a temporary folder with 10,000 submitted proposals, 3
submitted reviews each (2 criteria), 100 jurors, then times the ranking behind the page (the lean
``ranking_report(..., details=False)``: every query, the conflict check and the fair ranking; the
page then loads its 100 rows' juror details), the full ``ranking_report`` (every row's juror
details) and the whole page (``GET /organisation/campagnes/<id>/classement``), printed beside two
floors: the raw SQL fetch of the scores alone and the pure ``compute_scores`` +
``rank_proposals`` alone. Also checks that the page issues as many SQL statements as it does for
a 10-proposal campaign. Exits with 1 if it does not, or if the page takes longer than the goal.
Run from the repository root::

    .venv/bin/python bench/bench_ranking.py [--proposals N] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, select  # noqa: E402

from challenge import create_app  # noqa: E402
from challenge.accounts.models import Membership, User  # noqa: E402
from challenge.campaigns.models import Campaign, Criterion  # noqa: E402
from challenge.config import build_config  # noqa: E402
from challenge.extensions import db  # noqa: E402
from challenge.jury import ranking as ranking_algo  # noqa: E402
from challenge.jury.models import Review, ReviewScore  # noqa: E402
from challenge.jury.queries.grid import review_grid  # noqa: E402
from challenge.jury.queries.ranking_feed import ranking_report  # noqa: E402
from challenge.proposals.models import Proposal  # noqa: E402

GOAL_SECONDS = 2.0  # the whole ranking page, 10,000 proposals


def make_app(instance: Path):  # type: ignore[no-untyped-def]
    config = build_config(
        {
            "CHALLENGE_ENV": "testing",
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench",
            "PUBLIC_URL": "http://localhost",
        }
    )
    config["WTF_CSRF_ENABLED"] = False
    return create_app(config)


def build(n_proposals: int, slug: str, n_jurors: int = 100) -> tuple[int, int]:
    """A campaign in review; returns (campaign id, organiser id)."""
    campaign = Campaign(slug=slug, title=f"Bench {slug}", status="review")
    db.session.add(campaign)
    organiser = User(email=f"orga-{slug}@bench.gouv.fr", first_name="O", last_name="Rga")
    agent = User(email=f"agent-{slug}@bench.gouv.fr")
    db.session.add_all([organiser, agent])
    db.session.flush()
    db.session.add(
        Membership(
            campaign_id=campaign.id, email=organiser.email, user_id=organiser.id, role="organiser"
        )
    )
    criteria = [
        Criterion(campaign_id=campaign.id, position=i, label=label, weight=weight)
        for i, (label, weight) in enumerate((("Impact", 2.0), ("Faisabilité", 1.0)))
    ]
    db.session.add_all(criteria)
    jurors = [
        User(email=f"j{i}-{slug}@bench.gouv.fr", administration=f"Ministère {i % 9}")
        for i in range(n_jurors)
    ]
    db.session.add_all(jurors)
    db.session.flush()
    db.session.add_all(
        Membership(campaign_id=campaign.id, email=j.email, user_id=j.id, role="juror")
        for j in jurors
    )
    db.session.commit()
    db.session.execute(
        insert(Proposal),
        [
            {
                "campaign_id": campaign.id,
                "submitter_id": agent.id,
                "status": "submitted",
                "title": f"Proposition {i}",
                "administration": f"Administration {i % 37}",
                "version": 1,
            }
            for i in range(n_proposals)
        ],
    )
    ids = db.session.scalars(
        select(Proposal.id).where(Proposal.campaign_id == campaign.id).order_by(Proposal.id)
    ).all()
    db.session.execute(
        insert(Review),
        [
            {
                "campaign_id": campaign.id,
                "proposal_id": pid,
                "juror_id": jurors[(k * 3 + r) % n_jurors].id,
                "phase": "written",
                "status": "submitted",
                "comment_for_jury": "",
                "message_for_agent": "",
            }
            for k, pid in enumerate(ids)
            for r in range(3)
        ],
    )
    review_ids = db.session.scalars(
        select(Review.id).where(Review.campaign_id == campaign.id).order_by(Review.id)
    ).all()
    db.session.execute(
        insert(ReviewScore),
        [
            {"review_id": rid, "criterion_id": c.id, "score": float((rid * 7 + c.id * 3) % 5)}
            for rid in review_ids
            for c in criteria
        ],
    )
    db.session.commit()
    return campaign.id, organiser.id


def best(function, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        db.session.expire_all()
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def count_statements(client, url: str) -> int:  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def before(*args: object) -> None:
        statements.append(str(args[2]))

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder))
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            small_id, small_organiser = build(10, "petite")
            campaign_id, organiser_id = build(args.proposals, "grande")
            client = app.test_client()

            def raw_fetch() -> None:
                db.session.execute(
                    select(
                        Review.id,
                        Review.juror_id,
                        Review.proposal_id,
                        ReviewScore.criterion_id,
                        ReviewScore.score,
                    )
                    .join(ReviewScore, ReviewScore.review_id == Review.id)
                    .where(Review.campaign_id == campaign_id, Review.status == "submitted")
                ).all()

            criteria = review_grid(campaign_id)
            grid = ranking_algo.grid_of(criteria)
            loaded: dict[int, ranking_algo.Review] = {}
            for review_id, juror_id, proposal_id, criterion_id, score in db.session.execute(
                select(
                    Review.id,
                    Review.juror_id,
                    Review.proposal_id,
                    ReviewScore.criterion_id,
                    ReviewScore.score,
                )
                .join(ReviewScore, ReviewScore.review_id == Review.id)
                .where(Review.campaign_id == campaign_id, Review.status == "submitted")
            ):
                review = loaded.setdefault(
                    review_id, ranking_algo.Review(review_id, juror_id, proposal_id, {})
                )
                review.scores[str(criterion_id)] = score  # type: ignore[index]
            pure_reviews = list(loaded.values())
            proposal_ids = sorted({r.proposal_id for r in pure_reviews})

            def pure() -> None:
                report = ranking_algo.compute_scores(grid, pure_reviews, proposal_ids)
                ranking_algo.rank_proposals(report, "normalised")

            floor_sql = best(raw_fetch, args.repeat)
            floor_pure = best(pure, args.repeat)
            ranking = best(
                lambda: ranking_report(campaign_id, by="normalised", details=False),
                args.repeat,
            )
            full = best(lambda: ranking_report(campaign_id, by="normalised"), args.repeat)

            def sign_in(user_id: int) -> None:
                with client.session_transaction() as session:
                    session["_user_id"] = str(user_id)
                    session["_fresh"] = True
                from flask import g

                g.pop("_login_user", None)

            sign_in(organiser_id)
            url = f"/organisation/campagnes/{campaign_id}/classement?tri=normalisee"
            page_times = []
            for _ in range(args.repeat):
                db.session.expire_all()
                started = time.perf_counter()
                assert client.get(url).status_code == 200
                page_times.append(time.perf_counter() - started)
            page = min(page_times)
            large_count = count_statements(client, url)
            sign_in(small_organiser)
            small_count = count_statements(
                client, f"/organisation/campagnes/{small_id}/classement?tri=normalisee"
            )
            db.engine.dispose()

    same = large_count == small_count
    verdict = "OK" if page < GOAL_SECONDS and same else "FAILED"
    print(
        f"ranking {args.proposals} proposals x 3 reviews x 2 criteria: "
        f"page {page:.2f} s, lean ranking_report {ranking:.2f} s (full {full:.2f} s) "
        f"(floors: SQL fetch of the scores {floor_sql:.2f} s, pure ranking {floor_pure:.2f} s); "
        f"goal < {GOAL_SECONDS:.0f} s: {verdict}"
    )
    print(
        f"  SQL statements for the page: {large_count} with {args.proposals} proposals, "
        f"{small_count} with 10 (median page {statistics.median(page_times):.2f} s)"
    )
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
