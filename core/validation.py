"""Checks on untrusted text and JSON shared by every entry point: forms, serializers, services, the API parser.

- Names (athletes, users) refuse control characters: a newline in a name would otherwise end up in an email
  subject, where Django refuses it (BadHeaderError) and the email is lost.
- Email headers are built with `header_safe`, which replaces any control character left in older rows.
- JSON from people (API bodies, the protocol editor, scenario files) is limited in nesting depth before it is
  parsed (no RecursionError), and may not contain NUL characters (PostgreSQL cannot store them).
"""
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError

#: The deepest JSON nesting accepted from people (the default protocol is 6 levels deep).
DEFAULT_MAX_JSON_DEPTH = 64

# Bidirectional overrides and isolates: invisible, and they make a name read differently from what it is.
_BIDI_CONTROLS = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_UNSAFE_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})  # control characters (\n, \r, \t, \x00 ...), line/para seps


def max_json_depth() -> int:
    return getattr(settings, "MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH)


def is_control_character(ch: str) -> bool:
    return unicodedata.category(ch) in _UNSAFE_CATEGORIES or ord(ch) in _BIDI_CONTROLS


def has_control_characters(text: str) -> bool:
    return any(is_control_character(ch) for ch in text)


def validate_name(value) -> None:
    """A person's name: no line breaks, tabs or other control characters (they end up in email subjects)."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(
            "A name cannot contain line breaks, tabs or other control characters.", code="control_characters"
        )


def header_safe(text, max_length: int | None = None) -> str:
    """Text fit for an email header: every run of control characters becomes one space.

    Defensive: names are validated on the way in, but rows written before that rule, or by the admin, may
    still hold a newline, and one newline in a subject loses the whole email (BadHeaderError).
    """
    text = str(text or "")
    cleaned, pending_space = [], False
    for ch in text:
        if is_control_character(ch):
            pending_space = True
            continue
        if pending_space and cleaned:
            cleaned.append(" ")
        pending_space = False
        cleaned.append(ch)
    result = "".join(cleaned).strip()
    if max_length is not None and len(result) > max_length:
        result = result[: max_length - 1].rstrip() + "…"
    return result


# --- JSON -----------------------------------------------------------------------------------------------

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_nesting_depth(text: str, *, stop_above: int | None = None) -> int:
    """The deepest nesting of arrays and objects in a JSON text, found without parsing it (linear time).

    Brackets inside strings do not count. With `stop_above`, returns as soon as the depth passes it.
    """
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > deepest:
            deepest = depth
            if stop_above is not None and deepest > stop_above:
                break
    return deepest


def too_deep_message(limit: int) -> str:
    return f"The JSON is nested more than {limit} levels deep."


def check_json_depth(text: str, *, limit: int | None = None) -> None:
    """Raise ValidationError if `text` nests deeper than `limit` (default: settings.MAX_JSON_DEPTH)."""
    limit = limit or max_json_depth()
    if json_nesting_depth(text, stop_above=limit) > limit:
        raise ValidationError(too_deep_message(limit), code="too_deep")


def find_nul(value, path: str = "") -> str | None:
    """The path of the first string (key or value) holding a NUL character in parsed JSON, else None.

    Iterative, so any depth is safe. Paths read like `phases[2].name`.
    """
    stack = [(value, path)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, str):
            if "\x00" in current:
                return where or "(the value)"
        elif isinstance(current, dict):
            for key, item in current.items():
                key_path = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and "\x00" in key:
                    return key_path.replace("\x00", "\\u0000")
                stack.append((item, key_path))
        elif isinstance(current, list | tuple):
            for index, item in enumerate(current):
                stack.append((item, f"{where}[{index}]"))
    return None


NUL_MESSAGE = "Null characters are not allowed."


def check_no_nul(value, *, field: str | None = None) -> None:
    """Raise ValidationError (on `field`, if given) naming where a NUL character is."""
    where = find_nul(value)
    if where is None:
        return
    message = f"{NUL_MESSAGE} (at {where})" if where != "(the value)" else NUL_MESSAGE
    raise ValidationError({field: message} if field else message, code="null_characters")
