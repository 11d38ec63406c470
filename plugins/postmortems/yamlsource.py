"""Frontmatter YAML parsed safely, with the line of every key.

YAML 1.1 quirks that hurt postmortems are switched off: ``11:05`` stays text
instead of the base-60 number 665. Aliases are refused (no alias bombs), nesting
is bounded, and every key's line is kept for error messages.
"""

from __future__ import annotations

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

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_RESOLVERS = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _cls in filter(None, (_Loader, _FastLoader)):
    _cls.yaml_implicit_resolvers = {first: list(resolvers) for first, resolvers in _RESOLVERS.items()}
    _cls.add_implicit_resolver(
        _INT,
        re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
        list("-+0123456789"),
    )
    _cls.add_implicit_resolver(
        _FLOAT,
        re.compile(
            r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        list("-+0123456789."),
    )


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
            except _Unusual:  # a tag, merge key or unhashable key: PyYAML's own constructor decides
                lines.clear()
                duplicates.clear()
        _walk(node, (), node.start_mark.line, lines, duplicates, set())
        return loader.construct_document(node), lines, duplicates
    except YamlProblem:
        raise
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        tag = _tag_in(error.problem or "")
        message = f"uses the YAML tag {tag}, which is not allowed" if tag else _clean(error.problem)
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


_SCALARS = {tag: yaml.SafeLoader.yaml_constructors[tag] for tag in (
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", _INT, _FLOAT, "tag:yaml.org,2002:timestamp")}
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


def _build(loader, node, path: Path, line: int, lines: dict, duplicates: list, seen: set):
    """The value of ``node`` and the line of every key, in one walk: PyYAML's safe constructor
    for plain documents (text, numbers, booleans, null, timestamps, lists, mappings), three
    times faster. Anything else raises ``_Unusual`` and goes to PyYAML's constructor."""
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
        if tag in _SCALARS:
            return _SCALARS[tag](loader, node)
    elif kind is yaml.SequenceNode and tag == _SEQ:
        return [_build(loader, item, path + (index,), item.start_mark.line, lines, duplicates, seen)
                for index, item in enumerate(node.value)]
    elif kind is yaml.MappingNode and tag == _MAP:
        result: dict = {}
        written: set[str] = set()  # repeated keys as written, like ``_walk``
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode or key_node.tag not in (_STR, *_SCALARS):
                raise _Unusual  # merge keys (<<), lists or mappings as keys
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
