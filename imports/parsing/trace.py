"""Efforts from a raw speed trace.

An effort is a continuous stretch at or above the threshold (95 % of the athlete's Vmax); it ends when the
speed drops below 90 % of Vmax, so a dip between 90 % and 95 % does not split one sprint into two.
"""
from dataclasses import dataclass

from .errors import ImportFileError

EFFORT_PCT = 95.0
RESET_PCT = 90.0
MIN_HZ = 10.0


@dataclass(frozen=True)
class TraceSummary:
    samples: int
    duration_s: float
    rate_hz: float
    peak_mps: float
    efforts: int
    threshold_mps: float
    reset_mps: float


def sample_rate(times: list[float]) -> float:
    steps = sorted(b - a for a, b in zip(times, times[1:], strict=False))
    if not steps:
        return 0.0
    median = steps[len(steps) // 2]
    return 0.0 if median <= 0 else 1.0 / median


def count_efforts(speeds_mps, vmax_mps: float, *, effort_pct: float = EFFORT_PCT, reset_pct: float = RESET_PCT) -> int:
    threshold = vmax_mps * effort_pct / 100
    reset = vmax_mps * reset_pct / 100
    count = 0
    in_effort = False
    for speed in speeds_mps:
        if in_effort:
            if speed < reset:
                in_effort = False
        elif speed >= threshold:
            count += 1
            in_effort = True
    return count


def summarise(times: list[float], speeds_mps: list[float], vmax_mps: float) -> TraceSummary:
    """Check the trace (time goes forward, 10 Hz or more, possible speeds) and count its efforts."""
    if any(b < a for a, b in zip(times, times[1:], strict=False)):
        raise ImportFileError("The trace's times go backwards: it is not one recording (or its lines are mixed).")
    rate = sample_rate(times)
    if rate < MIN_HZ * 0.95:
        raise ImportFileError(f"The trace is sampled at {rate:.1f} Hz; efforts are counted from {MIN_HZ:g} Hz or more "
                              "(one reading every 0.1 s). Export the raw data at the device's full rate.")
    low = min(speeds_mps)
    high = max(speeds_mps)
    if low < 0:
        raise ImportFileError(f"The trace holds a negative speed ({low:.2f} m/s): it is not a speed recording.")
    if high > 13.0:
        raise ImportFileError(f"The trace reaches {high:.1f} m/s, faster than any human runs: check the unit "
                              "(choose km/h or m/s on the upload form).")
    return TraceSummary(samples=len(speeds_mps), duration_s=round(times[-1] - times[0], 1), rate_hz=round(rate, 1),
                        peak_mps=high, efforts=count_efforts(speeds_mps, vmax_mps),
                        threshold_mps=vmax_mps * EFFORT_PCT / 100, reset_mps=vmax_mps * RESET_PCT / 100)
