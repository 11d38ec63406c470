"""Pydantic's validation errors rewritten in a postmortem writer's words."""

from __future__ import annotations

import difflib

from pydantic import BaseModel, ValidationError

from .model import HASH_PATTERN, WEB_PATTERN, ActionItem, Cause, Frontmatter, Impact, Source, TimelineEntry
from .timeparse import describe, shown

# The model that owns the keys at a path, for "did you mean" on a typo'd key.
_NESTED = {"impact": Impact, "timeline": TimelineEntry, "action_items": ActionItem, "cause": Cause, "source": Source}


def field_name(loc: tuple) -> str:
    """``("action_items", 2, "due")`` -> ``action_items[2].due``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def data_path(loc: tuple, unknown_key: bool = False) -> tuple:
    """The key path in the YAML for a pydantic location (drops union branch names)."""
    head = loc[:-1] if unknown_key else loc
    path = tuple(part for part in head if isinstance(part, int) or part in _KNOWN_KEYS)
    return path + loc[-1:] if unknown_key else path


def describe_errors(error: ValidationError) -> list[tuple[tuple, str]]:
    """``[(path, message)]`` for every problem, one message per path."""
    result: dict[tuple, str] = {}
    for item in error.errors():
        path = data_path(item["loc"], unknown_key=item["type"] == "extra_forbidden")
        message = _message(item, path)
        if message and path not in result:
            result[path] = message
    # A cause written as key: value lines fails the "text" branch too: say only what is wrong inside.
    if any(len(path) > 1 and path[0] == "cause" for path in result):
        result.pop(("cause",), None)
    return list(result.items())


def _message(item: dict, path: tuple) -> str:
    kind, ctx, value = item["type"], item.get("ctx") or {}, item.get("input")
    name = field_name(path)
    if path and path[0] == "cause" and kind in ("string_type", "model_type", "model_attributes_type"):
        return "cause should be a text, or category: and summary: lines"
    if kind == "missing":
        return f"{name} is required"
    if kind == "extra_forbidden":
        key = path[-1]
        owner = _owner(path[:-1])
        hint = difflib.get_close_matches(str(key)[:100], list(owner.model_fields), n=1, cutoff=0.6)
        where = f" in {field_name(path[:-1])}" if len(path) > 1 else ""
        suggestion = f"; did you mean {hint[0]!r}?" if hint else f" (allowed: {', '.join(owner.model_fields)})"
        return f"unknown field {shown(str(key))!r}{where}{suggestion}"
    if kind == "literal_error" and item["loc"][-1:] == ("[key]",):
        return f"{name} has the key {shown(str(value))!r}, expected one of {ctx.get('expected', '')}"
    if kind == "literal_error":
        shown_value = repr(shown(value)) if isinstance(value, str) else describe(value)
        return f"{name} is {shown_value}, expected one of {ctx.get('expected', '')}"
    if kind in ("string_type", "string_sub_type"):
        return f"{name} should be text, not {describe(value)}"
    if kind == "string_too_short":
        return f"{name} is empty"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == HASH_PATTERN:
        return f"{name} {shown(str(value))!r} should be 8 hex digits, as postmortems import writes them"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == WEB_PATTERN:
        return f"{name} {shown(str(value))!r} is not a web address (write https://...)"
    if kind == "string_pattern_mismatch":
        return f"{name} {shown(str(value))!r} may use only letters, digits, '-', '_' and '.', starting with a letter or digit"
    if kind == "string_too_long" or (kind == "too_long" and isinstance(value, str)):
        return f"{name} is too long (at most {ctx.get('max_length')} characters)"
    if kind == "list_type":
        return f"{name} should be a list (e.g. [a, b]), not {describe(value)}"
    if kind == "too_short":
        return f"{name} must list at least one entry"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{name} should be a set of key: value lines, not {describe(value)}"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{name} should be a number, not {describe(value)}"
    if kind == "greater_than_equal":
        return f"{name} must be at least {ctx.get('ge')}, not {value!r}"
    if kind == "less_than_equal":
        return f"{name} must be at most {ctx.get('le')}, not {value!r}"
    if kind in ("bool_parsing", "bool_type"):
        return f"{name} should be true or false, not {describe(value)}"
    if kind in ("date_parsing", "date_type", "date_from_datetime_inexact", "date_from_datetime_parsing"):
        return f"{name} should be a date like 2013-08-01, not {describe(value)}"
    if kind == "value_error":
        text = str(ctx.get("error", item["msg"]))
        return f"{name} {text}"
    return f"{name}: {item['msg']}"


def _owner(path: tuple) -> type[BaseModel]:
    keys = [part for part in path if isinstance(part, str)]
    return _NESTED.get(keys[-1], Frontmatter) if keys else Frontmatter


_KNOWN_KEYS = set(Frontmatter.model_fields)
for _model in _NESTED.values():
    _KNOWN_KEYS |= set(_model.model_fields)
