"""Benchmark of the exports on a large campaign: time and peak memory beside their floors.

Creates a throwaway PostgreSQL database (like the tests' ``pg_database_url``; dropped at the
end), migrates it, bulk-loads one campaign of 100,000 proposals and 300,000 written reviews
(3 criteria each, with COPY), then measures, each in a fresh subprocess:

* our CSV export of the proposals view and of the reviews view, beside the *floor*: the plain
  ``csv`` writer writing the rows of the same statement, streamed the same way;
* our XLSX export (every view: proposals, reviews, pitch reviews, ranking, laureates), beside the
  floor: xlsxwriter in constant-memory mode writing the same rows from the same statements (and
  the same jury ranking) with ``write_row``; and the same without the ranking sheet
  (``xlsx-streamed``), whose rows all stream from the database;
* the jury's ranking alone (the lean ``jury.ranking_report(..., details=False)``, one row per
  proposal with its rank in both orders: what the ranking sheet computes in memory before
  writing its rows), to tell its share of the XLSX's time and memory.

Each line gives the wall time of the export, the peak resident memory of its process (the whole
process, interpreter and app included, from ``getrusage``) and the ratios. Goal: every export
within 1.5x of its floor's time, peak memory under 250 MB. Exits with 1 if a goal is missed.
Run from the repository root::

    .venv/bin/python bench/bench_exports.py [--proposals N] [--reviews-per-proposal N]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from challenge.jury.queries.grid import review_grid  # noqa: E402
from challenge.jury.queries.ranking_feed import ranking_report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
GOAL_RATIO = 1.5
GOAL_PEAK_MB = 250.0
JURORS = 100
AGENTS = 20_000
LAUREATES = 10

_TEXT = (
    "agent usager dossier délai formulaire papier guichet relance attente courrier saisie "
    "justificatif pièce rendez-vous plateforme accueil téléphone service numérique démarche "
    "erreur double ressaisie tableau outil métier contrôle validation signature archive "
    "semaine mois heure chaque fois toujours encore trop long simple rapide clair automatique"
)
WORDS = tuple(_TEXT.split(" "))


# ---------------------------------------------------------------- the database ---------------


def make_app(database_url: str, instance: Path):  # type: ignore[no-untyped-def]
    from challenge import create_app
    from challenge.config import build_config

    env = {
        "CHALLENGE_ENV": "testing",
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "bench",
        "DATABASE_URL": database_url,
        "DEMO_SEED": "0",
    }
    return create_app(build_config(env))


def create_database() -> tuple[str, str]:
    import psycopg

    name = f"challenge_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return name, f"{base}/{name}"


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_rows(raw: Any, table: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY ``rows`` into ``table``; NOT NULL columns left out get their model's default."""
    from datetime import UTC

    now = datetime.now(UTC).replace(tzinfo=None)
    extra_names, extra_values = [], []
    for column in table.columns:
        if column.name in columns or column.nullable or column.primary_key:
            continue
        if column.server_default is not None:
            continue
        default = column.default
        if default is None:
            raise ValueError(f"{table.name}.{column.name} needs a value")
        value = now if default.is_callable else default.arg
        extra_names.append(column.name)
        extra_values.append(_copyable(value))
    names = [*columns, *extra_names]
    count = 0
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([*(_copyable(v) for v in row), *extra_values])
            count += 1
    return count


def _copyable(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def paragraphs(rng: random.Random, count: int, words: int) -> list[str]:
    return [
        " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "." for _ in range(count)
    ]


def load(database_url: str, proposals: int, reviews_per_proposal: int, seed: int) -> int:
    """Bulk-load one campaign; return its id."""
    import psycopg

    from challenge.accounts.models import Membership, User
    from challenge.campaigns.models import Campaign, Criterion, ProposalQuestion
    from challenge.jury.models import Review, ReviewScore, ShortlistDecision
    from challenge.proposals.models import Proposal, ProposalAuthor, Support
    from challenge.results.models import ResultDecision

    rng = random.Random(seed)
    now = datetime(2026, 3, 1, 9, 0)
    titles = paragraphs(rng, 400, 7)
    titles[:4] = ["=SOMME(A1:A9)", "-Réduire les délais", "@Accueil", "+33 usagers"]
    irritants = paragraphs(rng, 500, 60)
    solutions = paragraphs(rng, 500, 60)
    shorter = paragraphs(rng, 300, 25)
    comments = paragraphs(rng, 300, 20)
    administrations = [f"Administration {n}" for n in range(40)]
    url = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url) as raw:
        copy_rows(
            raw,
            Campaign.__table__,
            ["id", "slug", "title", "administration", "status", "deadline_at", "results_at"],
            [(1, "bench", "Appel du banc d’essai", "France Travail", "results", now, now)],
        )
        copy_rows(
            raw,
            Criterion.__table__,
            ["id", "campaign_id", "grid", "position", "label", "weight", "level_descriptions"],
            [
                (1, 1, "review", 0, "Impact", 2.0, []),
                (2, 1, "review", 1, "Faisabilité", 1.0, []),
                (3, 1, "review", 2, "Originalité", 1.0, []),
                (4, 1, "pitch", 0, "Conviction", 1.0, []),
            ],
        )
        copy_rows(
            raw,
            ProposalQuestion.__table__,
            ["id", "campaign_id", "position", "label", "kind", "choices"],
            [(1, 1, 0, "Votre métier", "short_text", []), (2, 1, 1, "Déjà testé ?", "yes_no", [])],
        )
        users = [(1, "orga@bench.gouv.fr", "Olivia", "Orga", "France Travail")]
        users += [
            (1 + n, f"jure{n}@bench.gouv.fr", f"Juré{n}", "Bench", "Jury externe")
            for n in range(1, JURORS + 1)
        ]
        first_agent = JURORS + 2
        users += [
            (
                first_agent + n,
                f"agent{n}@bench.gouv.fr",
                f"Agent{n}",
                "Bench",
                administrations[n % 40],
            )
            for n in range(AGENTS)
        ]
        copy_rows(
            raw, User.__table__, ["id", "email", "first_name", "last_name", "administration"], users
        )
        memberships = [(1, 1, "orga@bench.gouv.fr", 1, "organiser")]
        memberships += [
            (1 + n, 1, f"jure{n}@bench.gouv.fr", 1 + n, "juror") for n in range(1, JURORS + 1)
        ]
        copy_rows(
            raw,
            Membership.__table__,
            ["id", "campaign_id", "email", "user_id", "role"],
            memberships,
        )

        def proposal_rows() -> Iterable[tuple[Any, ...]]:
            for n in range(1, proposals + 1):
                agent = n % AGENTS
                status = (
                    "laureate" if n <= LAUREATES else ("withdrawn" if n % 50 == 0 else "submitted")
                )
                submitted = now - timedelta(minutes=n)
                yield (
                    n, 1, first_agent + agent, status, titles[n % 400][:200], irritants[n % 500],
                    shorter[n % 300], solutions[(n * 7) % 500], shorter[(n * 3) % 300],
                    shorter[(n * 5) % 300][:120], administrations[agent % 40], "Service", "Bretagne",
                    True, True, {"1": "Conseillère", "2": "yes" if n % 2 else "no"}, n % 3 == 0,
                    submitted, submitted, submitted, 1,
                )  # fmt: skip

        copy_rows(
            raw,
            Proposal.__table__,
            [
                "id", "campaign_id", "submitter_id", "status", "title", "irritant", "workaround",
                "solution", "impact", "first_users", "administration", "service", "region",
                "commitment_released", "commitment_manager_informed", "answers",
                "publish_name_consent", "created_at", "updated_at", "submitted_at", "version",
            ],
            proposal_rows(),
        )  # fmt: skip

        def author_rows() -> Iterable[tuple[Any, ...]]:
            author_id = 0
            for n in range(1, proposals + 1):
                agent = n % AGENTS
                author_id += 1
                yield (
                    author_id,
                    n,
                    f"agent{agent}@bench.gouv.fr",
                    first_agent + agent,
                    "submitter",
                )
                if n % 5 == 0:
                    author_id += 1
                    yield (author_id, n, f"coauteur{n}@bench.gouv.fr", None, "coauthor")

        copy_rows(
            raw,
            ProposalAuthor.__table__,
            ["id", "proposal_id", "email", "user_id", "role"],
            author_rows(),
        )
        copy_rows(
            raw,
            Support.__table__,
            ["id", "proposal_id", "user_id"],
            ((n, n, first_agent + (n * 13) % AGENTS) for n in range(1, proposals // 2 + 1)),
        )

        def review_rows() -> Iterable[tuple[Any, ...]]:
            review_id = 0
            for n in range(1, proposals + 1):
                for k in range(reviews_per_proposal):
                    review_id += 1
                    juror = 2 + (n * reviews_per_proposal + k) % JURORS
                    comment = comments[review_id % 300] if review_id % 3 == 0 else ""
                    yield (review_id, 1, n, juror, "written", "submitted", comment, now)

        copy_rows(
            raw,
            Review.__table__,
            ["id", "campaign_id", "proposal_id", "juror_id", "phase", "status", "comment_for_jury", "submitted_at"],
            review_rows(),
        )  # fmt: skip
        total_reviews = proposals * reviews_per_proposal

        def score_rows() -> Iterable[tuple[Any, ...]]:
            score_id = 0
            for review_id in range(1, total_reviews + 1):
                for criterion in (1, 2, 3):
                    score_id += 1
                    yield (score_id, review_id, criterion, float(rng.randint(0, 4)))

        copy_rows(
            raw, ReviewScore.__table__, ["id", "review_id", "criterion_id", "score"], score_rows()
        )
        copy_rows(
            raw,
            ShortlistDecision.__table__,
            ["id", "campaign_id", "proposal_id", "selected", "note"],
            ((n, 1, n, True, "") for n in range(1, 3 * LAUREATES + 1)),
        )
        copy_rows(
            raw,
            ResultDecision.__table__,
            ["id", "campaign_id", "proposal_id", "outcome", "decided_by_id"],
            ((n, 1, n, "laureate", 1) for n in range(1, LAUREATES + 1)),
        )
        raw.commit()
        raw.autocommit = True
        raw.execute("VACUUM ANALYZE")
    return 1


# ---------------------------------------------------------------- the measured exports ------


def _ours(format: str, view: str = "proposals") -> Callable[[Any, Path], int]:
    def run(campaign: Any, path: Path) -> int:
        from challenge.exports import builders
        from challenge.exports.spec import ExportSpec

        spec = ExportSpec(campaign.id, format, view)
        return builders.build(campaign, spec, path)

    return run


def _criterion_ids(campaign_id: int, phase: str) -> list[int]:

    return [c.id for c in review_grid(campaign_id, phase)]


def _statement(campaign_id: int, view: str) -> Any:
    from challenge.exports.queries import statements as queries

    if view == "proposals":
        return queries.proposals_statement(campaign_id)
    if view in ("reviews", "pitch_reviews"):
        phase = "pitch" if view == "pitch_reviews" else "written"
        return queries.reviews_statement(campaign_id, phase, _criterion_ids(campaign_id, phase))
    from challenge.access.outcomes import FINAL_OUTCOMES

    return queries.laureates_statement(campaign_id, FINAL_OUTCOMES)


def _csv_floor(view: str) -> Callable[[Any, Path], int]:
    def run(campaign: Any, path: Path) -> int:
        from challenge.exports.queries import statements as queries

        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            count = 0
            for row in queries.stream(_statement(campaign.id, view)):
                writer.writerow(row)
                count += 1
        return count

    return run


def _plain(row: Sequence[Any]) -> list[Any]:
    """What xlsxwriter's write_row accepts: the JSON answers as text, the rest as it is."""
    return [str(v) if isinstance(v, dict) else v for v in row]


def _ranking_rows(campaign_id: int) -> Iterable[Sequence[Any]]:
    """The jury's ranking, raw and normalised, as plain tuples (as our ranking sheet reads it)."""

    report = ranking_report(campaign_id, "written", "raw", details=False)
    for r in report.rows:
        yield (
            r.rank, r.normalised_rank, r.proposal_id, r.title, r.administration,
            r.status, r.supports, r.review_count, r.mean, r.median, r.stdev, r.disagreement,
            r.normalised, r.unnormalised_reviews, *r.criterion_means.values(), r.shortlisted,
            r.shortlist_note,
        )  # fmt: skip


ALL_VIEWS = ("proposals", "reviews", "pitch_reviews", "ranking", "laureates")
STREAMED_VIEWS = tuple(v for v in ALL_VIEWS if v != "ranking")


def _xlsx_ours(views: Sequence[str]) -> Callable[[Any, Path], int]:
    def run(campaign: Any, path: Path) -> int:
        from challenge.exports import builders
        from challenge.exports.spec import ExportSpec

        if views == ALL_VIEWS:  # the export as organisers get it
            return builders.build(campaign, ExportSpec(campaign.id, "xlsx"), path)
        from challenge.exports.writers import write_xlsx

        sheets = builders.CampaignViews(campaign)
        return write_xlsx((sheets.sheet(view) for view in views), path)

    return run


def _ranking_only(campaign: Any, path: Path) -> int:
    """The jury's ranking alone, as the ranking sheet computes it (raw and normalised)."""
    path.write_bytes(b"")
    return sum(1 for _ in _ranking_rows(campaign.id))


def _xlsx_floor(views: Sequence[str]) -> Callable[[Any, Path], int]:
    def run(campaign: Any, path: Path) -> int:
        return _write_xlsx_floor(campaign, path, views)

    return run


def _write_xlsx_floor(campaign: Any, path: Path, views: Sequence[str]) -> int:
    import xlsxwriter

    from challenge.exports.queries import statements as queries

    count = 0
    with xlsxwriter.Workbook(str(path), {"constant_memory": True}) as workbook:
        for view in views:
            worksheet = workbook.add_worksheet(view)
            if view == "ranking":
                rows: Iterable[Sequence[Any]] = _ranking_rows(campaign.id)
            else:
                rows = queries.stream(_statement(campaign.id, view))
            for index, row in enumerate(rows):
                worksheet.write_row(index, 0, _plain(row))
                count += 1
    return count


RUNNERS: dict[str, Callable[[Any, Path], int]] = {
    "csv-proposals": _ours("csv", "proposals"),
    "csv-proposals-floor": _csv_floor("proposals"),
    "csv-reviews": _ours("csv", "reviews"),
    "csv-reviews-floor": _csv_floor("reviews"),
    "xlsx": _xlsx_ours(ALL_VIEWS),
    "xlsx-floor": _xlsx_floor(ALL_VIEWS),
    "xlsx-streamed": _xlsx_ours(STREAMED_VIEWS),
    "xlsx-streamed-floor": _xlsx_floor(STREAMED_VIEWS),
    "ranking": _ranking_only,
}
CHECKED = ("csv-proposals", "csv-reviews", "xlsx", "xlsx-streamed")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(mode: str, database_url: str, campaign_id: int, output: Path) -> None:
    """One measured export, in this (fresh) process; prints one JSON line."""
    instance = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    app = make_app(database_url, instance)
    with app.app_context():
        import xlsxwriter  # noqa: F401  (imported before the baseline, by ours and the floor)

        from challenge.campaigns.models import Campaign
        from challenge.extensions import db

        campaign = db.session.get(Campaign, campaign_id)
        baseline = rss_mb()
        start = time.perf_counter()
        rows = RUNNERS[mode](campaign, output)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "mode": mode,
                "seconds": seconds,
                "peak_mb": peak,
                "baseline_mb": baseline,
                "rows": rows,
                "bytes": output.stat().st_size,
            }
        )
    )


def measure(mode: str, database_url: str, campaign_id: int, folder: Path, repeat: int) -> dict:
    """Run ``mode`` in a subprocess ``repeat`` times; keep the fastest run (and its peak)."""
    best: dict | None = None
    for _ in range(repeat):
        output = folder / f"{mode}.{'xlsx' if mode.startswith('xlsx') else 'out'}"
        command = [
            sys.executable, __file__, "--child", mode, "--database-url", database_url,
            "--campaign", str(campaign_id), "--output", str(output),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{mode} failed:\n{done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        output.unlink(missing_ok=True)
        if best is None or result["seconds"] < best["seconds"]:
            best = {**result, "peak_mb": max(result["peak_mb"], (best or {}).get("peak_mb", 0))}
    assert best is not None
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--reviews-per-proposal", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1, help="runs per export (fastest kept)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--keep-database", action="store_true", help="keep the loaded database (prints its URL)"
    )
    parser.add_argument("--reuse", metavar="URL", help="measure on a database kept earlier")
    parser.add_argument("--only", help="measure only these exports (comma-separated)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--campaign", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database_url, args.campaign, args.output)
        return 0

    only = args.only.split(",") if args.only else None
    modes = [m for m in RUNNERS if not only or m.removesuffix("-floor") in only]
    instance = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    if args.reuse:
        return report({m: measure(m, args.reuse, 1, instance, args.repeat) for m in modes})
    name, database_url = create_database()
    try:
        app = make_app(database_url, instance)
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()
            from challenge.extensions import db

            db.engine.dispose()
        start = time.perf_counter()
        campaign_id = load(database_url, args.proposals, args.reviews_per_proposal, args.seed)
        reviews = args.proposals * args.reviews_per_proposal
        print(
            f"loaded {args.proposals:,} proposals and {reviews:,} reviews "
            f"({3 * reviews:,} scores) in {time.perf_counter() - start:.1f} s (PostgreSQL, COPY)"
        )
        results = {m: measure(m, database_url, campaign_id, instance, args.repeat) for m in modes}
    finally:
        if args.keep_database:
            print(f"database kept: {database_url}")
        else:
            drop_database(name)
    return report(results)


def report(results: dict[str, dict]) -> int:
    failures = []
    out = io.StringIO()
    header = f"{'export':<16}{'rows':>10}{'size':>10}{'time':>9}{'floor':>9}{'ratio':>7}{'peak':>9}{'floor':>9}{'base':>8}"
    print(header, file=out)
    for name in CHECKED:
        if name not in results:
            continue
        ours, floor = results[name], results[f"{name}-floor"]
        ratio = ours["seconds"] / floor["seconds"]
        print(
            f"{name:<16}{ours['rows']:>10,}{ours['bytes'] / 1e6:>8.1f}MB"
            f"{ours['seconds']:>8.1f}s{floor['seconds']:>8.1f}s{ratio:>6.2f}x"
            f"{ours['peak_mb']:>7.0f}MB{floor['peak_mb']:>7.0f}MB{ours['baseline_mb']:>6.0f}MB",
            file=out,
        )
        if ratio > GOAL_RATIO:
            failures.append(f"{name}: {ratio:.2f}x its floor's time (goal {GOAL_RATIO}x)")
        if ours["peak_mb"] >= GOAL_PEAK_MB:
            failures.append(f"{name}: peak {ours['peak_mb']:.0f} MB (goal < {GOAL_PEAK_MB:.0f} MB)")
        if ours["rows"] != floor["rows"]:
            failures.append(f"{name}: {ours['rows']} rows, the floor wrote {floor['rows']}")
    if "ranking" in results:
        ranking = results["ranking"]
        print(
            f"{'(jury ranking)':<16}{ranking['rows']:>10,}{'':>10}{ranking['seconds']:>8.1f}s"
            f"{'':>9}{'':>7}{ranking['peak_mb']:>7.0f}MB",
            file=out,
        )
    print(out.getvalue().rstrip())
    print(
        "xlsx: every view, as organisers get it; xlsx-streamed: every view but the ranking;\n"
        "(jury ranking): the lean jury.ranking_report alone, what the ranking sheet computes "
        "in memory\n"
        "peak: whole process (interpreter, app, driver); base: after start-up, before the export"
    )
    if failures:
        print("GOAL MISSED: " + "; ".join(failures))
        return 1
    print(
        f"goal met: every export within {GOAL_RATIO}x of its floor, peak under {GOAL_PEAK_MB:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
