"""Frontmatter YAML parsed safely, with the line of every key.

YAML 1.1 rewrites values silently: ``045`` is the octal 37, ``1.10`` the number 1.1,
``No`` the boolean False, ``11:05`` the base-60 number 665, ``2013-02-30`` a date that
crashes the parser. Here no plain scalar is turned into a number, a boolean, null or a
date: each one YAML (1.1 or 1.2) would read as something other than text comes back
as a :class:`Scalar`, a ``str`` holding exactly the text written, whose class says what
YAML would have made of it. The model decides what the text means in each field: text
fields keep it, number fields read it strictly (and refuse ambiguous forms), ``~`` as a
field's value means "not given". Only YAML's own types are allowed (no ``!!set``,
``!!binary``, ``!!python/...``); aliases are refused (no alias bombs), nesting is
bounded, and every key's line is kept for error messages.
"""

from __future__ import annotations

import math
import re

import yaml

MAX_DEPTH = 12
Path = tuple  # a key path such as ("action_items", 2, "due")


class YamlProblem(Exception):
    """The frontmatter is not usable YAML; ``line`` is 0-based within it."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


class Scalar(str):
    """A plain (or explicitly tagged) scalar YAML would not read as text, as written."""

    __slots__ = ()


class Null(Scalar):
    """``~``, ``null``, ``Null``, ``NULL`` or nothing at all."""

    __slots__ = ()


class Bool(Scalar):
    """``true``/``false`` (YAML 1.2) and ``yes``/``no``/``on``/``off`` (YAML 1.1 only), any case YAML knows."""

    __slots__ = ()


class Int(Scalar):
    """``45``, ``045``, ``0o17``, ``0x1F``, ``0b1``, ``1_000``: an integer to YAML 1.1 or 1.2."""

    __slots__ = ()


class Float(Scalar):
    """``2.5``, ``6e9``, ``.inf``, ``.nan``: a float to YAML 1.1 or 1.2."""

    __slots__ = ()


class Timestamp(Scalar):
    """What YAML 1.1 would read as a date or timestamp (``2013-07-12 02:10``); never constructed here."""

    __slots__ = ()


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_NULL, _BOOL, _INT, _FLOAT, _TIME = (f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp"))
_KINDS = {_NULL: Null, _BOOL: Bool, _INT: Int, _FLOAT: Float, _TIME: Timestamp}
_INT_FORMS = re.compile(
    r"^(?:[-+]?0b[0-1_]+|[-+]?[0-9][0-9_]*|[-+]?0x[0-9a-fA-F_]+|[-+]?0o[0-7_]+)$")  # YAML 1.1 and 1.2 (no base 60)
_FLOAT_FORMS = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")


def _resolvers() -> dict:
    """YAML 1.1's implicit resolvers with numbers widened to YAML 1.2's forms (``0o17``, ``6e9``),
    base 60 left out (``11:05`` is text), and no ``=`` (value) or ``<<`` (merge) tags."""
    keep = (_NULL, _BOOL, _TIME)
    result: dict = {}
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
        result[first] = [(tag, regexp) for tag, regexp in resolvers if tag in keep]
    for tag, regexp, firsts in ((_INT, _INT_FORMS, "-+0123456789"), (_FLOAT, _FLOAT_FORMS, "-+0123456789.")):
        for first in firsts:
            result.setdefault(first, []).append((tag, regexp))
    return result


def _scalar(loader, node):
    """Every scalar that is not a plain ``!!str``: its text, classed by the tag YAML gives it."""
    return _KINDS[node.tag](node.value)


class _Loader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlProblem(
                f"uses the YAML alias *{event.anchor}; write the value out in full", event.start_mark.line
            )
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlProblem("is nested too deeply to be an incident", self.peek_event().start_mark.line)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# libyaml's parser when PyYAML has it: five times faster. Aliases and depth are then
# checked on the composed nodes (an alias is a node met twice), and text with deep
# nesting goes to the pure-Python loader above, which refuses it safely.
_FastLoader = getattr(yaml, "CSafeLoader", None)
if _FastLoader is not None:
    _FastLoader = type("_FastLoader", (_FastLoader,), {})

# Only YAML's own types: text, lists, mappings and the scalars above. ``!!set`` (whose
# order follows PYTHONHASHSEED), ``!!binary``, ``!!omap`` and ``!!pairs`` are refused.
_CONSTRUCTORS = {None: yaml.SafeLoader.yaml_constructors[None],
                 **{tag: yaml.SafeLoader.yaml_constructors[tag] for tag in (_STR, _SEQ, _MAP)},
                 **{tag: _scalar for tag in _KINDS}}
for _cls in filter(None, (_Loader, _FastLoader)):
    _cls.yaml_implicit_resolvers = _resolvers()
    _cls.yaml_constructors = dict(_CONSTRUCTORS)


_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s\]},]")


def _shallow(text: str) -> bool:
    """True when ``text`` cannot nest deeper than the limit and has no anchors (fit for the C parser)."""
    if text.count("[") + text.count("{") > MAX_DEPTH * 4 or _ANCHOR.search(text):
        return False  # the Python loader names the alias and its line
    indents = [len(line) - len(line.lstrip(" -")) for line in text.splitlines()]
    return max(indents, default=0) <= MAX_DEPTH * 4


def parse(text: str) -> tuple[object, dict[Path, int], list[tuple[Path, int]]]:
    """``(data, lines, duplicates)``: the value, 0-based line per key path, repeated keys."""
    fast = _FastLoader is not None and _shallow(text)
    loader = _FastLoader(text) if fast else _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        lines: dict[Path, int] = {}
        duplicates: list[tuple[Path, int]] = []
        if fast:
            try:
                return _build(loader, node, (), node.start_mark.line, lines, duplicates, set()), lines, duplicates
            except _Unusual:  # a tag or unhashable key: PyYAML's own constructor decides
                lines.clear()
                duplicates.clear()
        _walk(node, (), node.start_mark.line, lines, duplicates, set())
        return loader.construct_document(node), lines, duplicates
    except YamlProblem:
        raise
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        tag = _tag_in(error.problem or "")
        if tag:
            message = f"uses the YAML tag {tag}, which is not allowed"
        elif "unhashable" in (error.problem or ""):
            message = "uses a list or key: value lines as a key; keys are names"
        else:
            message = _clean(error.problem)
        raise YamlProblem(message, mark.line if mark else None) from None
    except yaml.MarkedYAMLError as error:
        mark = error.context_mark or error.problem_mark
        context = f" {_clean(error.context)}" if error.context else ""
        raise YamlProblem(f"is not valid YAML: {_clean(error.problem)}{context}", mark.line if mark else None) from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"is not valid YAML: {_clean(str(error))}") from None
    except RecursionError:
        raise YamlProblem("is nested too deeply to be an incident") from None
    finally:
        loader.dispose()


class _Unusual(Exception):
    pass


def _build(loader, node, path: Path, line: int, lines: dict, duplicates: list, seen: set):
    """The value of ``node`` and the line of every key, in one walk: what the constructors above
    make of plain documents (text, scalars, lists, mappings), three times faster. Anything else
    (a tag such as ``!!set``, a list as a key) raises ``_Unusual`` and goes to PyYAML's constructor."""
    if id(node) in seen:  # an alias: the anchor check should have sent this text to the Python loader
        raise YamlProblem("uses a YAML alias (*name); write the value out in full", line)
    seen.add(id(node))
    if len(path) >= MAX_DEPTH:
        raise YamlProblem("is nested too deeply to be an incident", line)
    lines[path] = line
    kind, tag = node.__class__, node.tag
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag in _KINDS:
            return _KINDS[tag](node.value)
    elif kind is yaml.SequenceNode and tag == _SEQ:
        return [_build(loader, item, path + (index,), item.start_mark.line, lines, duplicates, seen)
                for index, item in enumerate(node.value)]
    elif kind is yaml.MappingNode and tag == _MAP:
        result: dict = {}
        written: set[str] = set()  # repeated keys as written, like ``_walk``
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode or (key_node.tag != _STR and key_node.tag not in _KINDS):
                raise _Unusual  # lists or mappings as keys, tagged keys
            key = _build(loader, key_node, (), 0, {}, [], seen)
            key_line = key_node.start_mark.line
            if key_node.value in written:
                duplicates.append((path + (key_node.value,), key_line))
            written.add(key_node.value)
            result[key] = _build(loader, value_node, path + (key_node.value,), key_line, lines, duplicates, seen)
        return result
    raise _Unusual


def _walk(node, path: Path, line: int, lines: dict, duplicates: list, seen_nodes: set) -> None:
    if id(node) in seen_nodes:
        raise YamlProblem("uses a YAML alias (*name); write the value out in full", line)
    seen_nodes.add(id(node))
    if len(path) >= MAX_DEPTH:
        raise YamlProblem("is nested too deeply to be an incident", line)
    lines[path] = line
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key in seen:
                duplicates.append((path + (key,), key_node.start_mark.line))
            seen.add(key)
            _walk(value_node, path + (key,), key_node.start_mark.line, lines, duplicates, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), item.start_mark.line, lines, duplicates, seen_nodes)


def _tag_in(problem: str) -> str:
    match = re.search(r"tag '([^']+)'", problem)
    if not match:
        return ""
    return match.group(1).replace("tag:yaml.org,2002:", "!!")


def _clean(text: str | None) -> str:
    return " ".join((text or "unreadable").split())


_TRUE, _FALSE = ("true", "True", "TRUE"), ("false", "False", "FALSE")
_CORE_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_CORE_SPECIAL = {**{f"{sign}.{inf}": float(f"{sign}inf") for sign in ("", "+", "-") for inf in ("inf", "Inf", "INF")},
                 **{f".{nan}": math.nan for nan in ("nan", "NaN", "NAN")}}


def editor_view(value: object) -> object:
    """``value`` (from :func:`parse`) as an editor's YAML 1.2 reading gives it to a JSON Schema.

    Editors (the YAML language server behind VS Code's YAML extension, JetBrains IDEs) read
    YAML 1.2's core schema: ``~`` and ``null`` are null, only ``true``/``false`` are
    booleans (``yes``, ``No`` and ``on`` are text), ``45``, ``045``, ``0o17`` and ``0x1F``
    are integers, ``6e9`` and ``.inf`` floats, and timestamps are text, as written.
    """
    if isinstance(value, dict):
        return {str(key): editor_view(item) for key, item in value.items()}
    if isinstance(value, list):
        return [editor_view(item) for item in value]
    if isinstance(value, Null):
        return None
    text = str(value)
    if isinstance(value, Bool) and (text in _TRUE or text in _FALSE):
        return text in _TRUE
    if isinstance(value, (Int, Float)):
        if _CORE_INT.fullmatch(text):
            if text[1:2] in ("o", "x"):  # no limit on digits for powers of two; JavaScript's numbers end at 2**1024
                number = int(text[2:], 8 if text[1] == "o" else 16)
                return number if number.bit_length() <= 64 else (float(number) if number.bit_length() <= 1000 else math.inf)
            return int(text) if len(text) <= 18 else float(text)
        if _CORE_FLOAT.fullmatch(text):
            return float(text)
        if text in _CORE_SPECIAL:
            return _CORE_SPECIAL[text]
    return text
