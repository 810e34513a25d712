"""Small pure rules of the jury domain: administration names, reminder days, score visibility."""

from __future__ import annotations

from datetime import datetime

import pytest

from challenge.access.jury import juror_sees_others, normalise_administration
from challenge.jury.service.reminders import reminder_days_left
from challenge.timeutils import paris_to_utc


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ministère de l'Intérieur", "ministere de l interieur"),
        ("  France   Travail ", "FRANCE TRAVAIL"),
        ("Pôle emploi", "pole-emploi"),
        ("Caf", "CAF."),
    ],
)
def test_administration_names_compare_after_normalisation(a, b):
    assert normalise_administration(a) == normalise_administration(b)


def test_different_administrations_stay_different():
    assert normalise_administration("Caf") != normalise_administration("Urssaf")
    assert normalise_administration(None) == normalise_administration("  ") == ""


END = paris_to_utc(datetime(2026, 3, 20, 18, 0))  # the review ends on Friday 20 March, 18:00


@pytest.mark.parametrize(
    ("paris_now", "expected"),
    [
        (datetime(2026, 3, 17, 8, 59), None),  # three days before, but before 9:00
        (datetime(2026, 3, 17, 9, 0), 3),
        (datetime(2026, 3, 17, 23, 30), 3),
        (datetime(2026, 3, 18, 12, 0), None),  # two days before: no reminder
        (datetime(2026, 3, 19, 9, 5), 1),
        (datetime(2026, 3, 20, 10, 0), None),  # the last day
        (datetime(2026, 3, 21, 10, 0), None),  # after the end
        (datetime(2026, 3, 10, 10, 0), None),
    ],
)
def test_reminder_days_are_paris_calendar_days(paris_now, expected):
    assert reminder_days_left(END, paris_to_utc(paris_now)) == expected


def test_reminder_days_across_the_change_to_summer_time():
    # Summer time starts on Sunday 29 March 2026: three Paris days before 1 April is 29 March.
    end = paris_to_utc(datetime(2026, 4, 1, 0, 30))
    assert reminder_days_left(end, paris_to_utc(datetime(2026, 3, 29, 9, 0))) == 3
    assert reminder_days_left(end, paris_to_utc(datetime(2026, 3, 31, 22, 0))) == 1


@pytest.mark.parametrize(
    ("visibility", "own_submitted", "expected"),
    [
        ("never", False, False),
        ("never", True, False),
        ("after_own", False, False),
        ("after_own", True, True),
        ("always", False, True),
        ("always", True, True),
        (None, True, False),
        ("bogus", True, False),
    ],
)
def test_other_jurors_scores_follow_the_setting(visibility, own_submitted, expected):
    assert juror_sees_others(visibility, own_submitted) is expected
