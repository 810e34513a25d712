"""Dashboard figures: counts per Paris day, the bar chart's geometry, the audit diffs."""

from __future__ import annotations

from datetime import date, datetime

from challenge.campaigns.changes import diff, list_diff
from challenge.campaigns.charts import bar_chart, per_paris_day


def test_utc_hours_fold_into_paris_days():
    hourly = [
        (datetime(2026, 1, 10, 22), 2),  # 23:00 in Paris (winter, UTC+1): the 10th
        (datetime(2026, 1, 10, 23), 3),  # midnight in Paris: the 11th
        (datetime(2026, 7, 10, 22), 5),  # midnight in Paris (summer, UTC+2): the 11th
    ]
    days = dict(per_paris_day(hourly))
    assert days[date(2026, 1, 10)] == 2
    assert days[date(2026, 1, 11)] == 3
    assert days[date(2026, 7, 11)] == 5


def test_empty_days_are_filled_between_the_first_and_last():
    days = per_paris_day([(datetime(2026, 3, 1, 10), 1), (datetime(2026, 3, 4, 10), 2)])
    assert days == [
        (date(2026, 3, 1), 1),
        (date(2026, 3, 2), 0),
        (date(2026, 3, 3), 0),
        (date(2026, 3, 4), 2),
    ]


def test_the_range_can_be_widened_to_the_campaign_dates():
    days = per_paris_day([], date(2026, 3, 1), date(2026, 3, 3))
    assert days == [(date(2026, 3, 1), 0), (date(2026, 3, 2), 0), (date(2026, 3, 3), 0)]
    assert per_paris_day([]) == []


def test_bars_are_proportional_to_their_values():
    chart = bar_chart([("01/03", 0), ("02/03", 5), ("03/03", 10)], width=400, height=200)
    heights = [bar.height for bar in chart.bars]
    assert heights[0] == 0
    assert abs(heights[2] - 2 * heights[1]) < 0.02
    assert chart.bars[2].y + chart.bars[2].height == chart.plot_bottom
    assert chart.max_value >= 10
    assert chart.ticks[0].value == 0 and chart.ticks[-1].value == chart.max_value
    assert all(0 <= bar.x <= 400 for bar in chart.bars)


def test_long_ranges_thin_out_the_labels():
    chart = bar_chart([(str(i), i) for i in range(60)])
    assert chart.label_every == 5


def test_diffs_keep_only_what_changed():
    assert diff({"a": 1, "b": "x"}, {"a": 1, "b": "y"}) == {"b": ["x", "y"]}
    assert diff({"at": None}, {"at": datetime(2026, 1, 2, 3, 4)}) == {
        "at": [None, "2026-01-02T03:04:00Z"]
    }


def test_list_diffs_name_added_removed_and_changed_items():
    before = {1: {"label": "A", "weight": 1.0}, 2: {"label": "B", "weight": 1.0}}
    after = {1: {"label": "A", "weight": 2.0}, 3: {"label": "C", "weight": 1.0}}
    result = list_diff(before, after)
    assert result["added"] == [{"id": 3, "label": "C", "weight": 1.0}]
    assert result["removed"] == [{"id": 2, "label": "B", "weight": 1.0}]
    assert result["changed"] == [{"id": 1, "label": "A", "changes": {"weight": [1.0, 2.0]}}]
    assert list_diff(before, before) == {}
