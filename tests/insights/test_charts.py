"""Charts are accessible inline SVG, escaped, drawn without any script."""

from datetime import UTC, datetime

from inviteflow.insights import charts, formats


def test_line_chart_is_an_accessible_svg_image():
    start = datetime(2026, 5, 1, tzinfo=UTC).timestamp()
    chart = charts.views_over_time(
        "views",
        "Views over time",
        [(start, 0.0), (start + 86400, 1500.0), (start + 172800, 2500.0)],
    )
    svg = str(chart.svg)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="views-title views-desc"' in svg
    assert '<title id="views-title">Views over time</title>' in svg
    assert "to 2.5K at 3 May" in chart.summary
    assert "<polyline" in svg and svg.count("<circle") == 3
    assert "<script" not in svg
    assert chart.rows[-1] == ("3 May 2026 00:00 UTC", "2,500")


def test_bar_chart_escapes_labels_and_keeps_every_row_for_the_table():
    bars = [(f"<b>{i}</b>", 1.0 / (i + 1)) for i in range(12)]
    chart = charts.bar_chart("c", "Audience & co", bars, formats.percent)
    svg = str(chart.svg)
    assert "<b>" not in svg and "&lt;b&gt;0&lt;/b&gt;" in svg
    assert "Audience &amp; co" in svg
    assert svg.count("<rect") == 10 and len(chart.rows) == 12


def test_no_data_draws_nothing():
    chart = charts.bar_chart("c", "Empty", [], formats.percent)
    assert chart.svg is None and chart.summary == "No figures yet."


def test_nice_axis_tops():
    assert [charts.nice_max(v) for v in (0, 0.37, 7, 1200, 2600)] == [1.0, 0.5, 10, 2000, 5000]
