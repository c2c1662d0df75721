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


def test_thresholds_at_one_value_share_a_label():
    """Finding (issue 12): "P2 pain <= 2" was drawn over "soreness <= 2"."""
    svg = line_chart(Chart("Pain", [Series("pain", [(D, 1)])], 0, 10,
                           [Threshold(2, "P2 pain ≤ 2"), Threshold(2, "soreness ≤ 2"), Threshold(5, "regress at 5")]))
    assert "P2 pain ≤ 2, soreness ≤ 2" in svg and svg.count("stroke-dasharray=\"5 4\"") == 2


def test_close_threshold_labels_do_not_overlap():
    import re

    svg = line_chart(Chart("Pain", [Series("pain", [(D, 1)])], 0, 10,
                           [Threshold(1, "pain ≤ 1"), Threshold(2, "soreness ≤ 2"), Threshold(3, "three")]))
    labels = [(float(x), float(y), a) for x, y, a in re.findall(
        r'<text x="([\d.]+)" y="([\d.]+)" text-anchor="(start|end)" fill="#a40e26">', svg)]
    assert len(labels) == 3
    for i, (_, y1, a1) in enumerate(labels):
        for _, y2, a2 in labels[i + 1:]:
            assert a1 != a2 or abs(y1 - y2) >= 15, labels


def test_text_is_large_enough_to_read():
    """Chart text about 8 px on the page: now 15 units in a 640-wide chart drawn >= 490 px wide (>= 11 px)."""
    import re

    svg = line_chart(Chart("LSI", [Series("LSI", [(D, 80)])], 50, 120))
    size = int(re.search(r'font-size="(\d+)"', svg).group(1))
    width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    assert size * 490 / width >= 11
