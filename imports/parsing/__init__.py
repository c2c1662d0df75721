"""Reading device exports: pure functions, standard library only (no Django)."""
from .errors import ImportFileError
from .formats import KMH, MPS, SOURCE_KIND, SOURCE_WORDS, SPEED, STRENGTH, TRACE, Parsed, Row, parse
from .text import decode, normalise_name, parse_number
from .trace import EFFORT_PCT, RESET_PCT, TraceSummary, count_efforts, summarise

__all__ = ["EFFORT_PCT", "KMH", "MPS", "RESET_PCT", "SOURCE_KIND", "SOURCE_WORDS", "SPEED", "STRENGTH", "TRACE",
           "ImportFileError", "Parsed", "Row", "TraceSummary", "count_efforts", "decode", "normalise_name",
           "parse", "parse_number", "summarise"]
