"""Drafts into incident files: render, find earlier imports, update, validate, write atomically.

Each file's frontmatter ends with a ``source`` record (system, id, url) and, in
``source.fields``, a short hash of every imported field's value as written (8 hex digits
of sha256 of its canonical JSON, the value as the wiki's YAML reader gives it). An
incident already imported (same system and id, found in any incident file) is left
alone; with ``update``, a field whose value still hashes to the stored one is refreshed
and any other is kept (the writer changed it), and the hashes say so next time.

Every file is validated with ``loader.load_text`` before any is written; files are
written through a hidden temporary file and renamed, and a new file never replaces
another. A failure while writing undoes what this run wrote.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from ..incidents.loader import find_incidents, load_text
from ..incidents.slugs import file_slug, id_slug
from ..incidents.model import IMPORTED_FIELDS
from ..incidents.settings import Settings
from ..incidents.yamlsource import Null, YamlProblem, parse
from .common import BadInput, Draft

NOT_MAPPED = "What the import could not map"
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)
_FIGURE = re.compile(r"\{\{(?=\s*uptime\s*\()")
# Characters YAML may not carry raw in a double-quoted scalar (or reads as line breaks).
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class Plain(str):
    """A value written without quotes: timestamps, levels, statuses, the system's name."""


@dataclass
class Existing:
    """An incident file that holds a ``source`` record."""

    path: Path
    text: str
    front: str  # the frontmatter's YAML
    body: str  # what follows it
    data: dict
    lines: dict
    crlf: bool = False
    bom: bool = False


@dataclass
class Planned:
    draft: Draft
    path: Path
    action: str  # new | update | unchanged | left alone
    text: str | None = None  # what will be written
    old: str | None = None  # the file's text before an update
    refreshed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # fields edited since the import: not refreshed

    @property
    def writes(self) -> bool:
        return self.action in ("new", "update")


# Rendering ------------------------------------------------------------------------

def stamp(moment: datetime, tz: tzinfo) -> Plain:
    """``2013-11-03 01:30-04:00``: the wiki's local time with its offset (seconds and microseconds when
    not zero), unambiguous across daylight saving."""
    local = moment.astimezone(tz)
    text = local.strftime("%Y-%m-%d %H:%M")
    if local.second or local.microsecond:
        text += f":{local.second:02d}"
    if local.microsecond:
        text += "." + f"{local.microsecond:06d}".rstrip("0")
    minutes = int(local.utcoffset().total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return Plain(f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}")


def clean(text: str) -> str:
    """Text as the file can hold it: lone surrogates (from JSON escapes) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def values(draft: Draft, tz: tzinfo) -> dict:
    """The frontmatter fields of ``draft`` (without ``source``), in the order of the README's example."""
    out: dict = {"title": clean(" ".join(draft.title.split())), "severity": draft.severity,
                 "status": Plain(draft.status), "started": stamp(draft.started, tz)}
    if draft.mitigated is not None:
        out["mitigated"] = stamp(draft.mitigated, tz)
    if draft.resolved is not None:
        out["resolved"] = stamp(draft.resolved, tz)
    out["services"] = [clean(name) for name in draft.services]
    if draft.impact:
        out["impact"] = [{"service": clean(span.service), "level": Plain(span.level), "start": stamp(span.start, tz),
                          **({"end": stamp(span.end, tz)} if span.end is not None else {})} for span in draft.impact]
    else:
        minutes = draft.downtime_minutes or 0
        out["downtime_minutes"] = int(minutes) if float(minutes).is_integer() else float(minutes)
    if draft.maintenance:
        out["maintenance"] = True
    if draft.cause:
        out["cause"] = clean(draft.cause.strip())
    if draft.timeline:
        out["timeline"] = [{"at": stamp(at, tz), "event": clean(event.strip())}
                           for at, event in sorted(draft.timeline, key=lambda item: item[0])]
    return out


def body(draft: Draft) -> str:
    parts = [draft.intro]
    for heading, text in draft.sections:
        parts.append(f"## {heading}\n\n{text.strip()}")
    if draft.notes:
        parts.append(f"## {NOT_MAPPED}\n\n" + "\n".join(f"- {note}" for note in draft.notes))
    return clean(_FIGURE.sub("&#123;&#123;", "\n\n".join(parts).replace("\r\n", "\n"))).strip() + "\n"


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Plain):
        return str(value)
    quoted = json.dumps(str(value), ensure_ascii=False)
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)


def emit(key: str, value: object) -> list[str]:
    """``key: value`` as YAML lines: flow lists of scalars, block lists of records, nested records."""
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return [f"{key}: [{', '.join(_scalar(item) for item in value)}]"]
        lines = [f"{key}:"]
        for item in value:
            for index, (name, inner) in enumerate(item.items()):
                lines.append(f"{'  - ' if index == 0 else '    '}{name}: {_scalar(inner)}")
        return lines
    if isinstance(value, dict):
        return [f"{key}:"] + ["  " + line for name, inner in value.items() for line in emit(name, inner)]
    return [f"{key}: {_scalar(value)}"]


def _yaml(fields: dict) -> str:
    return "".join(line + "\n" for key, value in fields.items() for line in emit(key, value))


def plain(value: object) -> object:
    """A parsed YAML value as plain JSON data (``~`` is null)."""
    if value is None or isinstance(value, Null):
        return None
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def short_hash(value: object) -> str:
    """8 hex digits of sha256 of the canonical JSON of ``value``."""
    canonical = json.dumps(plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _parsed(yaml_text: str) -> dict:
    data, _, _ = parse(yaml_text)
    return data if isinstance(data, dict) else {}


def _imported(draft: Draft, tz: tzinfo) -> tuple[dict, str, dict]:
    """``(fields, body, parsed)``: what the import writes, and its fields as the wiki's YAML reader reads them back."""
    fields = values(draft, tz)
    text = body(draft)
    parsed = _parsed(_yaml(fields))
    parsed["body"] = text.strip()
    return fields, text, parsed


def _source(draft: Draft, hashes: dict[str, str]) -> dict:
    record: dict = {"system": Plain(draft.system), "id": clean(draft.id)}
    if draft.url:
        record["url"] = clean(draft.url)
    record["fields"] = {name: hashes[name] for name in IMPORTED_FIELDS if name in hashes}
    return record


def render(draft: Draft, tz: tzinfo) -> str:
    """A new incident file for ``draft``."""
    fields, text, parsed = _imported(draft, tz)
    hashes = {name: short_hash(parsed.get(name)) for name in IMPORTED_FIELDS}
    front = _yaml(fields) + "".join(line + "\n" for line in emit("source", _source(draft, hashes)))
    return f"---\n{front}---\n\n{text}"


# Earlier imports -------------------------------------------------------------------

def split(text: str) -> tuple[str, str] | None:
    """``(frontmatter YAML, body)`` of an incident file's text (LF line endings), or None."""
    match = _FRONT.match(text)
    if not match:
        return None
    return match.group(1) or "", text[match.end():]


def read_existing(path: Path) -> Existing | None:
    """The file at ``path`` when it holds a readable ``source`` record."""
    try:
        raw = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    bom = raw.startswith("\ufeff")
    text = raw[1:] if bom else raw
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n")
    parts = split(text)
    if parts is None:
        return None
    try:
        data, lines, _ = parse(parts[0])
    except YamlProblem:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("source"), dict):
        return None
    return Existing(path, text, parts[0], parts[1], data, lines, crlf, bom)


def earlier_imports(folders: list[Path]) -> dict[tuple[str, str], Existing]:
    """Every incident file in ``folders`` holding a ``source`` record, by (system, id)."""
    found: dict[tuple[str, str], Existing] = {}
    seen: set[Path] = set()
    for folder in folders:
        for path in find_incidents(folder).paths:
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            existing = read_existing(path)
            if existing is None:
                continue
            source = existing.data["source"]
            key = (str(plain(source.get("system"))), str(plain(source.get("id"))))
            found.setdefault(key, existing)
    return found


def taken_names(folders: list[Path]) -> set[str]:
    """The ids (lower case) of every incident file in ``folders``, and the names of the files there."""
    names: set[str] = set()
    for folder in folders:
        for path in find_incidents(folder).paths:
            names.add(id_slug(path.stem).lower())
        try:
            names.update(entry.name.lower() for entry in os.scandir(folder))
        except OSError:
            pass
    return names


def file_name(draft: Draft, tz: tzinfo, taken: set[str]) -> str:
    """``YYYY-MM-DD-<slug of title>.md`` (the date of started in the wiki's time zone), with -2, -3...
    when another incident has that name or id."""

    stem = f"{draft.started.astimezone(tz):%Y-%m-%d}-{file_slug(draft.title)}"
    candidate, number = stem, 1
    while candidate.lower() in taken or f"{candidate.lower()}.md" in taken:
        number += 1
        candidate = f"{stem}-{number}"
    taken.update({candidate.lower(), f"{candidate.lower()}.md"})
    return f"{candidate}.md"


# Updating --------------------------------------------------------------------------

def update(existing: Existing, draft: Draft, tz: tzinfo) -> Planned:
    """The refreshed file: fields unchanged since the import take the new values, edited ones are kept."""
    fields, new_body, parsed = _imported(draft, tz)
    stored = plain(existing.data["source"].get("fields"))
    stored = stored if isinstance(stored, dict) else {}
    current = {name: plain(existing.data.get(name)) for name in IMPORTED_FIELDS}
    current["body"] = existing.body.strip()
    hashes: dict[str, str] = {}
    refreshed, kept, changes = [], [], {}
    for name in IMPORTED_FIELDS:
        new = plain(parsed.get(name))
        if current[name] == new:
            hashes[name] = short_hash(new)  # already what the source says (the writer may have set it so)
        elif stored.get(name) == short_hash(current[name]):
            hashes[name] = short_hash(new)
            refreshed.append(name)
            if name != "body":
                changes[name] = emit(name, fields[name]) if name in fields else None
        else:
            if name in stored:
                hashes[name] = stored[name]
            if stored.get(name) != short_hash(new):  # the source says something new: the writer's edit wins
                kept.append(name)
    source = _source(draft, hashes)
    front = _edit(existing, changes, emit("source", source))
    check = _parsed(front)
    for name in dict.fromkeys([*existing.data, *changes]):  # the writer's fields as they were, ours as imported
        expected = plain(parsed.get(name)) if name in changes else plain(existing.data[name])
        if name != "source" and plain(check.get(name)) != expected:
            raise BadInput(f"{draft.label}: {_shown(existing.path)} cannot be updated safely (its {name} would change "
                           "unexpectedly); update it by hand, or re-run without --update")
    text = f"---\n{front}---\n" + (f"\n{new_body}" if "body" in refreshed else existing.body)
    if existing.crlf:
        text = text.replace("\n", "\r\n")
    if existing.bom:
        text = "\ufeff" + text
    original = ("\ufeff" if existing.bom else "") + (existing.text.replace("\n", "\r\n") if existing.crlf else existing.text)
    action = "update" if text != original else "unchanged"
    return Planned(draft, existing.path, action, text, original, refreshed, kept)


def _edit(existing: Existing, changes: dict[str, list[str] | None], source: list[str]) -> str:
    """The frontmatter with each changed field's lines replaced (None: removed), a new field put after
    the field before it in the order importers write them (else before ``source``), and the ``source``
    record replaced; the writer's other lines and comments stay as they are."""
    lines = existing.front.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    starts = sorted((line, path[0]) for path, line in existing.lines.items() if len(path) == 1)
    blocks: dict[str, tuple[int, int]] = {}
    for index, (line, name) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        while end > line + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1  # blank lines and comments before the next field stay where they are
        blocks[name] = (line, end)
    replaced = {**changes, "source": source}
    after: dict[str, list[str]] = {}  # a field's name -> new fields to put after it
    for name, new in changes.items():
        if name in blocks or not new:
            continue
        order = list(IMPORTED_FIELDS)
        before = next((other for other in reversed(order[:order.index(name)])
                       if other in blocks and replaced.get(other, True) is not None), "source")
        after.setdefault(before, []).extend(new)
    out: list[str] = []
    index = 0
    by_start = {start: (name, end) for name, (start, end) in blocks.items()}
    while index < len(lines):
        if index in by_start:
            name, end = by_start[index]
            if name == "source":
                out.extend(after.pop("source", []))
            out.extend(replaced[name] or [] if name in replaced else lines[index:end])
            out.extend(after.pop(name, []))
            index = end
            continue
        out.append(lines[index])
        index += 1
    for new in after.values():
        out.extend(new)
    return "".join(line + "\n" for line in out)


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


# Planning, checking, writing -------------------------------------------------------

def plan(drafts: list[Draft], settings: Settings, out_dir: Path, scan: list[Path], refresh: bool) -> list[Planned]:
    """What to do with each draft: a new file in ``out_dir``, an update (``refresh``), or nothing."""
    tz = settings.tz
    folders = list(dict.fromkeys([*scan, out_dir]))
    earlier = earlier_imports(folders)
    taken = taken_names(folders)
    planned = []
    for draft in drafts:
        existing = earlier.get((draft.system, draft.id))
        if existing is None:
            path = out_dir / file_name(draft, tz, taken)
            planned.append(Planned(draft, path, "new", render(draft, tz)))
        elif refresh:
            planned.append(update(existing, draft, tz))
        else:
            planned.append(Planned(draft, existing.path, "left alone"))
    return planned


def problems(planned: list[Planned], settings: Settings, base: Path) -> list[str]:
    """Every problem ``postmortems check`` would report in the files to be written, naming the source id."""
    found = []
    for item in planned:
        if not item.writes:
            continue
        name = display(item.path, base)
        _, issues, _ = load_text(item.text.encode("utf-8"), settings, name, default_id=item.path.stem)
        found += [f"{item.draft.label}: {'error' if issue.is_error else 'warning'}: {issue}" for issue in issues]
    return found


def display(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def preview(item: Planned, base: Path) -> str:
    """What a dry run prints for one file: a new file's content, an update's diff."""
    name = display(item.path, base)
    if item.action == "new":
        return f"would write {name}:\n{item.text}"
    diff = difflib.unified_diff(item.old.splitlines(keepends=True), item.text.splitlines(keepends=True),
                                fromfile=f"a/{name}", tofile=f"b/{name}")
    return f"would update {name}:\n{''.join(diff)}"


def write(planned: list[Planned]) -> None:
    """Write every new and updated file atomically; on any failure, undo what was written and raise OSError."""
    done: list[tuple[Path, str | None]] = []  # (path, its text before: None when new)
    try:
        for item in planned:
            if not item.writes:
                continue
            _write_one(item.path, item.text, new=item.action == "new")
            done.append((item.path, item.old if item.action == "update" else None))
    except OSError:
        for path, before in reversed(done):
            try:
                if before is None:
                    path.unlink()
                else:
                    _write_one(path, before, new=False)
            except OSError:
                pass
        raise


def _write_one(path: Path, text: str, new: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # hidden: the wiki skips it
    try:
        with open(temporary, "x", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if new:
            try:
                os.link(temporary, path)  # fails when the name is taken: never replaces another file
            except FileExistsError:
                raise FileExistsError(f"{path} appeared while importing; nothing was overwritten") from None
            except OSError:  # no hard links here
                if path.exists():
                    raise FileExistsError(f"{path} appeared while importing; nothing was overwritten") from None
                os.replace(temporary, path)
        else:
            os.replace(temporary, path)
    finally:
        try:
            temporary.unlink()
        except FileNotFoundError:
            pass
