"""The SVG charts: escaped labels, thresholds drawn, empty states."""
import datetime

from web.charts import Chart, Series, Threshold, line_chart, step_chart

D = datetime.date(2026, 3, 1)


def test_line_chart_draws_series_and_thresholds():
    svg = line_chart(Chart("Pain", [Series("pain", [(D, 1), (D + datetime.timedelta(days=2), 3)])], 0, 10,
                           [Threshold(2, "P1 pain ≤ 2")]))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "polyline" in svg and "P1 pain ≤ 2" in svg and 'aria-label="Pain"' in svg


def test_labels_are_escaped():
    svg = line_chart(Chart("<script>", [Series("<b>", [(D, 1)])], 0, 10))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_empty_chart_says_so():
    assert "No data yet" in line_chart(Chart("LSI", [Series("LSI", [])], 0, 100))


def test_step_chart_of_phases():
    svg = step_chart("Phase", [(D, 0), (D + datetime.timedelta(days=5), 1)], D + datetime.timedelta(days=9))
    assert "P6" in svg and "polyline" in svg
