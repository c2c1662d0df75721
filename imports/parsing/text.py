"""Bytes to a table: the encoding (UTF-8 with or without BOM, UTF-16, Latin-1 / Windows-1252), the separator
(comma, semicolon, tab), quoted fields, empty lines, and numbers with a decimal comma."""
import csv
import io
import re
import unicodedata

from .errors import ImportFileError

SEPARATORS = (",", ";", "\t")


def decode(data: bytes) -> str:
    """The file's text. Raises ImportFileError for something that is not text at all."""
    if not data or not data.strip():
        raise ImportFileError("The file is empty.")
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="strict")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _utf16(data)
    elif _looks_utf16(data):
        text = _utf16(data, bom=False)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace") if _cp1252_ok(data) else data.decode("latin-1")
    _check_text(text)
    return text


def _utf16(data: bytes, bom=True) -> str:
    try:
        if bom:
            return data.decode("utf-16")
        even_zero = data[0::2].count(0)
        return data.decode("utf-16-be" if even_zero > data[1::2].count(0) else "utf-16-le")
    except UnicodeDecodeError:
        raise ImportFileError("The file says it is UTF-16 but is not readable as such: export it again as CSV.") from None


def _looks_utf16(data: bytes) -> bool:
    head = data[:2000]
    return len(head) >= 4 and head.count(0) >= len(head) // 3 and (head[1::2].count(0) > len(head) // 3
                                                                  or head[0::2].count(0) > len(head) // 3)


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def _check_text(text: str) -> None:
    sample = text[:20000]
    bad = sum(1 for ch in sample if (unicodedata.category(ch) == "Cc" and ch not in "\r\n\t") or ch == "\ufffd")
    if "\x00" in sample or bad > max(3, len(sample) // 200):
        raise ImportFileError("This is not a CSV file (it holds binary data). Export the test or session data as "
                              "CSV and upload that file.")


def sniff_separator(text: str) -> str:
    """The separator of the header line: the one of comma, semicolon and tab that occurs most outside quotes."""
    for line in text.splitlines():
        if line.strip():
            unquoted = re.sub(r'"[^"]*"', "", line)
            counts = {sep: unquoted.count(sep) for sep in SEPARATORS}
            best = max(SEPARATORS, key=lambda sep: counts[sep])
            return best if counts[best] else ","
    return ","


def read_table(text: str) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """(separator, header, [(line number, cells)]) with empty lines left out and cells stripped."""
    sep = sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', skipinitialspace=True)
    header = None
    rows = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            cells = [c.strip() for c in cells]
            if header is None:
                header = cells
                continue
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ImportFileError(f"The file is not valid CSV near line {reader.line_num}: {exc}.") from None
    if header is None or len(header) < 2:
        raise ImportFileError("This does not look like a CSV table: the first line should name the columns, "
                              "separated by commas or semicolons.")
    return sep, header, rows


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def parse_number(raw: str) -> float | None:
    """A number as devices write it: "12.5", "12,5" (decimal comma), "1 234,5", "1,234.5". Empty: None.
    Raises ValueError with a plain message otherwise."""
    text = (raw or "").strip().replace("\u00a0", "").replace(" ", "")
    if text in ("", "-", "--", "n/a", "N/A", "NA", "null"):
        return None
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        if text.count(",") > 1:
            raise ValueError(f"“{raw}” is not a number")
        text = text.replace(",", ".")
    if not _NUMBER.match(text):
        raise ValueError(f"“{raw}” is not a number")
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"“{raw}” is not a number")
    return value


def normalise_header(name: str) -> str:
    """'L Max Force (N)' -> 'l max force n'; accents, case, punctuation and spacing do not matter."""
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^a-z0-9%/]+", " ", name).split())


def normalise_name(name: str) -> str:
    """A person's name for matching: no accents, case or extra spaces; "Runner, Alex" is "alex runner"."""
    name = (name or "").strip()
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first} {last}"
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^a-z0-9' -]+", " ", name).replace("-", " ").split())
