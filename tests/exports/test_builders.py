"""Pure parts of the export builders: time zone conversion, review scores, the JSON Schema."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from challenge.exports.builders import cells
from challenge.exports.builders.cells import ParisClock
from challenge.exports.builders.results_json import SCHEMA_PATH
from challenge.exports.builders.reviews import ReviewScorer
from challenge.jury import ranking
from challenge.timeutils import PARIS


@pytest.mark.parametrize(
    ("utc", "paris"),
    [
        (datetime(2026, 1, 15, 12, 0), datetime(2026, 1, 15, 13, 0)),
        (datetime(2026, 7, 15, 12, 0), datetime(2026, 7, 15, 14, 0)),
        # Summer time starts on 29 March 2026 at 01:00 UTC, ends on 25 October at 01:00 UTC.
        (datetime(2026, 3, 29, 0, 59, 59), datetime(2026, 3, 29, 1, 59, 59)),
        (datetime(2026, 3, 29, 1, 0, 0), datetime(2026, 3, 29, 3, 0, 0)),
        (datetime(2026, 10, 25, 0, 59, 59), datetime(2026, 10, 25, 2, 59, 59)),
        (datetime(2026, 10, 25, 1, 0, 0), datetime(2026, 10, 25, 2, 0, 0)),
        (datetime(2026, 12, 31, 23, 30), datetime(2027, 1, 1, 0, 30)),
    ],
)
def test_paris_clock_at_the_changes_of_time(utc: datetime, paris: datetime) -> None:
    assert ParisClock()(utc) == paris == cells.paris(utc)


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))
def test_paris_clock_agrees_with_the_time_zone_database(value: datetime) -> None:
    assert ParisClock()(value) == cells.paris(value)


def test_paris_clock_keeps_none() -> None:
    assert ParisClock()(None) is None


def test_paris_clock_on_many_dates_of_one_year() -> None:
    clock, rng = ParisClock(), random.Random(7)
    start = datetime(2025, 1, 1)
    for _ in range(5_000):
        value = start + timedelta(seconds=rng.randrange(366 * 86_400))
        assert clock(value) == value.replace(tzinfo=UTC).astimezone(PARIS).replace(tzinfo=None)


def criteria(*weights: float) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(id=n + 1, weight=w, scale_min=0, scale_max=4) for n, w in enumerate(weights)
    ]


@given(
    st.lists(
        st.one_of(st.none(), st.floats(min_value=-1, max_value=5, allow_nan=False)),
        min_size=3,
        max_size=3,
    )
)
def test_review_scorer_is_the_jurys_rule(scores: list[float | None]) -> None:
    grid_criteria = criteria(2, 1, 0)
    scorer = ReviewScorer(grid_criteria)
    *rounded, weighted = scorer(scores)
    grid = ranking.Grid(tuple(ranking.Criterion(str(c.id), c.weight) for c in grid_criteria), 0, 4)
    given_scores = {str(n + 1): s for n, s in enumerate(scores) if s is not None}
    expected = ranking.score_review(grid, ranking.Review(1, 1, 1, given_scores)).score
    assert weighted == (None if expected is None else pytest.approx(round(expected, 3)))
    assert rounded == [None if s is None else pytest.approx(round(s, 3)) for s in scores]
    assert scorer(scores) == scorer(tuple(scores))  # memoised, same answer


def test_review_scorer_writes_integral_scores_as_integers() -> None:
    scorer = ReviewScorer(criteria(2, 1))
    assert scorer([4.0, 3.0]) == (4, 3, pytest.approx(3.667))
    assert all(type(v) is int for v in scorer([4.0, 4.0]))
    assert ReviewScorer([])([]) == (None,)


def test_review_scorer_cache_is_bounded() -> None:
    scorer = ReviewScorer(criteria(1))
    for n in range(ReviewScorer.CACHE_SIZE + 10):
        scorer([n / 10_000])
    assert len(scorer.cache) <= ReviewScorer.CACHE_SIZE


def test_the_results_schema_is_a_valid_json_schema() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    example = {
        "schema_version": "1.0",
        "generated_at": "2026-06-30T10:00:00+02:00",
        "licence": "etalab-2.0",
        "campaign": {
            "slug": "appel-2026",
            "title": "Appel 2026",
            "administration": "France Travail",
            "url": "https://example.gouv.fr/campagnes/appel-2026",
            "submission_deadline": None,
            "results_date": "2026-06-30T10:00:00+02:00",
        },
        "statistics": {"proposals_in_competition": 3, "laureates": 1, "mentions": 0},
        "items": [
            {
                "id": 1,
                "outcome": "laureate",
                "title": "Titre",
                "irritant": "Irritant",
                "administration": "France Travail",
                "authors": [],
            }
        ],
    }
    jsonschema.validate(example, schema)
    example["items"][0]["email"] = "agent@example.gouv.fr"  # no room for personal data
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(example, schema)
