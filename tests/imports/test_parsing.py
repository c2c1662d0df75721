"""The pure reading functions: encodings, separators, numbers, headers, dates, efforts."""
import datetime

import pytest

from imports import parsing
from imports.parsing.formats import parse_date
from imports.parsing.text import normalise_header, sniff_separator
from tests.imports.conftest import sample

HEADER = "Name,Date UTC,L Max Force (N),R Max Force (N)\r\nZoë Lévêque,01/02/2025,300,400\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252"])
def test_every_encoding_reads_the_same_text(encoding):
    assert parsing.decode(HEADER.encode(encoding)) == HEADER


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 50, bytes(range(256)) * 20,
                                  b"PK\x03\x04\x14\x00\x06\x00" + b"\x00\x01\x02" * 300])
def test_a_binary_file_is_not_csv(data):
    with pytest.raises(parsing.ImportFileError, match="not a CSV"):
        parsing.decode(data)


def test_an_empty_file_says_so():
    with pytest.raises(parsing.ImportFileError, match="empty"):
        parsing.decode(b"\r\n  \n")


@pytest.mark.parametrize("raw, value", [("12.5", 12.5), ("12,5", 12.5), ("1.234,5", 1234.5), ("1,234.5", 1234.5),
                                        ("1 234,5", 1234.5), ("-3", -3.0), ("", None), ("n/a", None), (" 7 ", 7.0)])
def test_numbers_with_decimal_commas(raw, value):
    assert parsing.parse_number(raw) == value


@pytest.mark.parametrize("raw", ["abc", "1,2,3", "12.5.6", "nan", "inf", "1e400"])
def test_not_numbers(raw):
    with pytest.raises(ValueError):
        parsing.parse_number(raw)


def test_separator_and_tolerant_headers():
    assert sniff_separator('"a;b",c,d\n') == ","
    assert sniff_separator("a;b;c\n") == ";"
    assert sniff_separator("a\tb\tc\n") == "\t"
    assert normalise_header("  L  Max Force (N) ") == "l max force n"
    assert normalise_header("Max Imbalance (%)") == "max imbalance %"


@pytest.mark.parametrize("raw, order, day", [
    ("2025-03-10", "dmy", datetime.date(2025, 3, 10)), ("10/03/2025", "dmy", datetime.date(2025, 3, 10)),
    ("03/10/2025", "mdy", datetime.date(2025, 3, 10)), ("10.03.25", "dmy", datetime.date(2025, 3, 10)),
    ("10 Mar 2025", "dmy", datetime.date(2025, 3, 10)), ("2025-03-10T14:02:11Z", "dmy", datetime.date(2025, 3, 10)),
])
def test_dates(raw, order, day):
    assert parse_date(raw, order)[0] == day


@pytest.mark.parametrize("raw", ["31/02/2025", "yesterday", "2025-13-01", ""])
def test_bad_dates_say_why(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


def test_formats_are_detected_from_their_columns():
    today = datetime.date(2026, 1, 10)
    assert parsing.parse(parsing.decode(sample("vald_nordbord.csv", today))).source == "vald"
    assert parsing.parse(parsing.decode(sample("catapult_summary.csv", today))).source == "catapult"
    statsports = parsing.parse(parsing.decode(sample("statsports_kmh_semicolon_bom.csv", today)))
    assert statsports.source == "statsports" and statsports.unit == "kmh" and statsports.separator == ";"
    assert statsports.rows[0].values["speed_mps"] == pytest.approx(33.5 / 3.6, abs=1e-3)
    trace = parsing.parse("time (s),speed (km/h)\n" + "\n".join(f"{i / 10},{20 + i % 5}" for i in range(30)))
    assert trace.kind == "trace" and trace.unit == "kmh"


def test_renamed_or_missing_columns():
    with pytest.raises(parsing.ImportFileError, match="not recognised"):
        parsing.parse("Player,When,Fastest\nA,01/01/2025,9\n")
    with pytest.raises(parsing.ImportFileError, match="no column for the date"):
        parsing.parse("Name,L Max Force (N),R Max Force (N)\nA,300,400\n", source="vald")
    # Renamed, but still recognisable.
    parsed = parsing.parse("athlete name ; TEST DATE ; Left Max Force ; Right Max Force\nA;2025-01-01;300;400\n")
    assert parsed.kind == "strength" and parsed.rows[0].values["left_n"] == 300


def test_strength_methods():
    from imports.parsing.formats import strength_method

    assert strength_method("NordBord", "Nordic")[0] == "nordic"
    assert strength_method("ForceFrame", "ISO 90/90 Hamstring")[0] == "iso_90_90"
    assert strength_method("ForceFrame", "Prone 0/30")[0] == "iso_0_30"
    assert strength_method("Dynamometer", "Knee flexion 60")[0] == "custom"
    method, problem = strength_method("ForceFrame", "Hip AD/AB")
    assert method is None and "not a hamstring test" in problem


def _trace(speeds, hz=10):
    return [i / hz for i in range(len(speeds))], speeds


def test_efforts_count_stretches_at_95_percent_split_only_below_90():
    vmax = 10.0
    # 95 %+ ; dip to 92 % (same effort) ; 96 % ; drop to 85 % (ends it) ; 97 % (a second) ; 94 % never counts.
    speeds = [5.0] * 5 + [9.6] * 3 + [9.2] * 2 + [9.6] * 2 + [8.5] * 3 + [9.7] * 2 + [5.0] * 5 + [9.4] * 5
    times, speeds = _trace(speeds)
    summary = parsing.summarise(times, speeds, vmax)
    assert summary.efforts == 2
    assert summary.peak_mps == 9.7 and summary.rate_hz == 10.0
    assert parsing.count_efforts([9.5], vmax) == 1  # "at or above"
    assert parsing.count_efforts([9.49], vmax) == 0


def test_a_trace_below_10_hz_or_going_backwards_or_impossible_is_refused():
    with pytest.raises(parsing.ImportFileError, match="5.0 Hz"):
        parsing.summarise(*_trace([5.0] * 30, hz=5), 10.0)
    with pytest.raises(parsing.ImportFileError, match="backwards"):
        parsing.summarise([0, 0.1, 0.2, 0.1] + [0.3 + i / 10 for i in range(30)], [5.0] * 34, 10.0)
    with pytest.raises(parsing.ImportFileError, match="faster than any human"):
        parsing.summarise(*_trace([5.0] * 30 + [40.0]), 10.0)
