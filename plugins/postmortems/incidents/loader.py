"""Reading incident files into validated incidents and a list of problems.

Every file is read and every problem collected in one pass; a file with an error
is left out, every other incident is kept.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
from pydantic import ValidationError

from .messages import describe_errors, field_name
from .model import Frontmatter, Incident
from .problems import ERROR, WARNING, Problem
from .slugs import id_slug
from .rules import catalog_findings, check_collection, check_incident, date_findings, name_clashes, resolve_timeline
from .salvage import Unverified, of_incident, worst_case
from .settings import Settings
from .yamlsource import YamlProblem, parse

SKIPPED_NAMES = {"readme.md", "index.md"}
CROSS_FILE_KEYS = ("id", "related", "services", "impact", "tags", "cause")  # keys whose lines checks across files cite
MARKDOWN = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")  # what MkDocs reads as Markdown
_HANDLER = frontmatter.YAMLHandler()


@dataclass
class Collection:
    incidents: list[Incident] = field(default_factory=list)  # newest first
    problems: list[Problem] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # files not published
    files: dict[str, Path] = field(default_factory=dict)  # incident id -> its file
    unverified: list[Unverified] = field(default_factory=list)  # left-out files counted as their worst case

    @property
    def uncounted(self) -> list[str]:
        """Left-out files whose times cannot be read: the figures cannot count them."""
        counted = {item.file for item in self.unverified}
        return [name for name in self.left_out if name not in counted]

    @property
    def complete(self) -> bool:
        """Every incident file is valid: the figures count exactly what was written."""
        return not self.left_out

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.is_error]


@dataclass(frozen=True)
class Skipped:
    """A file or folder in the incidents folder that looks like an incident but is not one."""

    path: Path
    reason: str


@dataclass
class Found:
    paths: list[Path] = field(default_factory=list)  # incidents, and what cannot be read (reported when loaded)
    skipped: list[Skipped] = field(default_factory=list)


def find_incidents(directory: Path) -> Found:
    """The incident files under ``directory`` (at any depth, in a stable order), and what is skipped.

    The rule (README, "Which files are incidents"): every file whose name ends in ``.md``, in any
    case, is an incident, except ``README.md`` and ``index.md`` (notes about the folder), names
    starting with ``_`` (drafts) or ``.`` (hidden), and what lies in such folders. Other Markdown
    endings (``.markdown``...) are skipped with a word. Links are followed only to files inside
    ``directory``. A folder that cannot be listed, and a link to nothing, are returned as paths:
    loading them reports the error, and their incidents are left out.
    """
    found = Found()
    try:
        if not directory.is_dir():
            return found
    except OSError:  # e.g. a name too long: not a folder (the builder says so)
        return found
    root = Path(os.path.realpath(directory))
    _walk(directory, root, found)
    found.paths.sort()
    return found


def incident_files(directory: Path) -> list[Path]:
    """Every incident file under ``directory`` (see ``find_incidents``)."""
    return find_incidents(directory).paths


def _walk(folder: Path, root: Path, found: Found) -> None:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        found.paths.append(folder)  # loading it says why it cannot be read
        return
    for entry in entries:
        path, name = Path(entry.path), entry.name
        markdown = name.lower().endswith(MARKDOWN)
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir()  # follows a link
            is_file = entry.is_file()
        except OSError:
            is_link, is_dir, is_file = True, False, False
        if name.startswith((".", "_")):  # drafts and hidden ones, whatever they are
            if is_dir or markdown:
                what = "a draft" if name.startswith("_") else "hidden"
                found.skipped.append(Skipped(path, f"starts with {name[0]}: {what}, with everything in it"
                                             if is_dir else f"starts with {name[0]}: {what}"))
            continue
        if is_link:
            target = Path(os.path.realpath(path))
            if not target.exists():
                found.paths.append(path)  # a link to nothing, or a loop: an error when loaded
                continue
            if not target.is_relative_to(root):
                if is_dir or markdown:
                    found.skipped.append(Skipped(path, f"a link to {target}, outside the incidents folder"))
                continue
            if is_dir:
                found.skipped.append(Skipped(path, "a link to a folder: links are followed only to files"))
                continue
        if is_dir:
            _walk(path, root, found)
        elif is_file and markdown:
            if name.lower() in SKIPPED_NAMES:
                found.skipped.append(Skipped(path, f"{name} holds notes about the folder, not an incident"))
            elif not name.lower().endswith(".md"):
                found.skipped.append(Skipped(path, "not a .md file: rename it to .md to make it an incident"))
            else:
                found.paths.append(path)
        elif markdown and not is_file:  # a named pipe, a socket, a device: reading it could hang the build
            found.skipped.append(Skipped(path, "not a regular file (a pipe, socket or device): never read"))


@dataclass
class Loaded:
    """One file's outcome: its incident (None when left out), problems, and the lines of
    the keys other files' checks may point at (``id``, ``related``)."""

    name: str
    path: Path
    incident: Incident | None
    problems: list[Problem]
    lines: dict[tuple, int]
    unverified: Unverified | None = None  # a left-out file's worst case, for the uptime math


def load_directory(directory: Path, settings: Settings, base: Path | None = None) -> Collection:
    """All incidents under ``directory``; paths in messages are relative to ``base``."""
    return assemble(load_paths(incident_files(directory), settings, base or directory.parent))


def load_paths(paths: list[Path], settings: Settings, base: Path) -> list[Loaded]:
    """Each file on its own (see ``assemble`` for the checks across files; ``cache.LoadCache`` for
    a loader that keeps what it loaded)."""
    return [load_one(path, read_bytes(path), settings, base) for path in paths]


def read_bytes(path: Path) -> bytes | OSError:
    """A file's bytes, or why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        return error


def load_one(path: Path, raw: bytes | OSError, settings: Settings, base: Path) -> Loaded:
    """One file's outcome from its bytes (as ``read_bytes`` gave them)."""
    name = display_path(path, base)
    if isinstance(raw, OSError):
        outcome = Outcome(None, [Problem(name, _unreadable(path, raw))], {})
    else:
        outcome = read_text(raw, settings, name, default_id=path.stem)
    lines = {key: line for key, line in outcome.lines.items() if key and key[0] in CROSS_FILE_KEYS}
    return Loaded(name, path, outcome.incident, outcome.problems, lines, outcome.unverified)


def file_version(path: Path) -> tuple | None:
    """``(size, mtime in ns)`` of a file, or None when it cannot be read."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def assemble(loaded: list[Loaded]) -> Collection:
    """The collection from every file's outcome (in file order): checks across files, newest first."""
    collection = Collection()
    by_id: dict[str, Incident] = {}
    lines_by_id: dict[str, dict] = {}
    for item in loaded:
        incident, problems = item.incident, list(item.problems)
        unverified = item.unverified
        if incident is not None and incident.id in by_id:
            problems.append(
                Problem(item.name, f"id {incident.id!r} is also used by {by_id[incident.id].file}; ids must be unique",
                        "id", item.lines.get(("id",)))
            )
            unverified = of_incident(incident, problems[-1].message)
            incident = None
        collection.problems.extend(problems)
        if incident is None:
            collection.left_out.append(item.name)
            if unverified is not None:
                collection.unverified.append(unverified)
        else:
            by_id[incident.id] = incident
            lines_by_id[incident.id] = item.lines
            collection.files[incident.id] = item.path
    incidents = list(by_id.values())
    for incident, key, message in check_collection(incidents):
        collection.problems.append(
            Problem(incident.file, f"{message} (the link is left out)", "related", lines_by_id[incident.id].get(key),
                    WARNING)  # the incident itself is published
        )
    for incident, key, message in name_clashes(incidents):
        collection.problems.append(Problem(incident.file, message, field_name(key), _nearest(lines_by_id[incident.id], key),
                                           WARNING))
    known = set(by_id)
    collection.incidents = sorted(
        (_without_dangling(incident, known) for incident in incidents),
        key=lambda incident: (incident.started, incident.id),
        reverse=True,
    )
    collection.problems.sort(key=Problem.sort_key)
    return collection


@dataclass(frozen=True)
class Outcome:
    """One file read: its incident (None when left out), its problems, the line of each key,
    and, when it is left out but its times can be read, its worst case for the uptime math."""

    incident: Incident | None
    problems: list[Problem]
    lines: dict
    unverified: Unverified | None = None


def read_file(path: Path, settings: Settings, name: str) -> Outcome:
    raw = read_bytes(path)
    if isinstance(raw, OSError):
        return Outcome(None, [Problem(name, _unreadable(path, raw))], {})
    return read_text(raw, settings, name, default_id=path.stem)


def read_text(raw: bytes, settings: Settings, name: str, default_id: str) -> Outcome:
    incident, problems, lines, data = _load(raw, settings, name, default_id)
    if incident is not None or not any(problem.is_error for problem in problems):
        return Outcome(incident, problems, lines)
    return Outcome(None, problems, lines, worst_case(data, settings.tz, name, problems))


def load_file(path: Path, settings: Settings, name: str) -> tuple[Incident | None, list[Problem], dict]:
    """``(incident or None, problems, key lines)`` for one file."""
    outcome = read_file(path, settings, name)
    return outcome.incident, outcome.problems, outcome.lines


def load_text(raw: bytes, settings: Settings, name: str, default_id: str) -> tuple[Incident | None, list[Problem], dict]:
    """``(incident or None, problems, key lines)`` for one file's bytes."""
    outcome = read_text(raw, settings, name, default_id)
    return outcome.incident, outcome.problems, outcome.lines


def _load(raw: bytes, settings: Settings, name: str, default_id: str) -> tuple:
    """``(incident or None, problems, key lines, the frontmatter's data or None)``."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem(name, f"is not UTF-8 text (byte {error.start}); save it as UTF-8", line=line)], {}, None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None, [Problem(name, "is empty; an incident starts with its frontmatter between two '---' lines")], {}, None
    if not _HANDLER.detect(text):
        return None, [Problem(name, "has no frontmatter: start the file with a line '---', the fields, then '---'", line=1)], {}, None
    try:
        front_text, body = _HANDLER.split(text)
    except ValueError:
        return None, [Problem(name, "frontmatter is not closed: end it with a line '---'", line=1)], {}, None
    offset = text.count("\n", 0, text.find(front_text)) if front_text else 1

    def line_of(key_path: tuple, lines: dict) -> int | None:
        while key_path not in lines and key_path:
            key_path = key_path[:-1]
        return lines[key_path] + offset + 1 if key_path in lines else None

    try:
        data, raw_lines, duplicates = parse(front_text)
    except YamlProblem as problem:
        line = problem.line + offset + 1 if problem.line is not None else None
        return None, [Problem(name, f"frontmatter {problem.message}", line=line)], {}, None
    lines = {key: value + offset + 1 for key, value in raw_lines.items()}
    if not isinstance(data, dict):
        return None, [Problem(name, "frontmatter should be key: value lines (title:, severity:, started: ...)", line=offset + 1)], lines, None
    problems = [
        Problem(name, f"{key_path[-1]} is given twice; keep one", str(key_path[-1]), line + offset + 1)
        for key_path, line in duplicates
    ]
    odd_keys = [key for key in data if not isinstance(key, str)]
    if odd_keys:
        problems.append(Problem(name, f"frontmatter key {odd_keys[0]!r} is not a name", line=offset + 1))
        return None, problems, lines, data

    tz = settings.tz
    try:
        front = Frontmatter.model_validate(data, context={"tz": tz})
    except ValidationError as error:
        described = describe_errors(error)
        for key_path, message in described:
            problems.append(Problem(name, message, field_name(key_path), line_of(key_path, raw_lines)))
        # Check the rules on what is left, so one pass tells the writer everything.
        bad = {key_path[0] for key_path, _ in described if key_path}
        front = _validate_or_none({key: value for key, value in data.items() if key not in bad}, tz)
        if front is None:
            return None, problems, lines, data

    findings = [*check_incident(front, settings.severities, tz), *catalog_findings(front, settings.services),
                *date_findings(front, default_id, tz)]
    for key_path, message, level in findings:
        if problems and " is required" in message:
            continue  # may only be missing because a broken field was set aside above
        problems.append(Problem(name, message, field_name(key_path), line_of(key_path, raw_lines), level))
    problems.sort(key=Problem.sort_key)
    if any(problem.is_error for problem in problems):
        return None, problems, lines, data
    values = dict(front)
    stripped = body.strip()
    start = text.rfind(stripped) if stripped else -1
    values.update(id=front.id or id_slug(default_id), timeline=resolve_timeline(front, tz), file=name, body=stripped + "\n",
                  body_line=text.count("\n", 0, start) + 1 if start >= 0 else 1)
    return Incident.model_construct(**values), problems, lines, data


def _unreadable(path: Path, error: OSError) -> str:
    """Why a file (or a folder, or a link) found in the incidents folder cannot be read."""
    try:
        if path.is_symlink():
            return f"is a link to {os.readlink(path)}, which cannot be read ({error.strerror}); its incident is left out"
        if path.is_dir():
            try:
                os.scandir(path).close()
            except OSError as listing:
                error = listing
            return f"is a folder that cannot be read ({error.strerror}); the incidents in it are left out"
    except OSError:
        pass
    return f"cannot be read: {error.strerror}"


def _nearest(lines: dict, key: tuple) -> int | None:
    while key and key not in lines:
        key = key[:-1]
    return lines.get(key)


def _validate_or_none(data: dict, tz) -> Frontmatter | None:
    try:
        return Frontmatter.model_validate(data, context={"tz": tz})
    except ValidationError:
        return None


def _without_dangling(incident: Incident, known: set[str]) -> Incident:
    related = list(dict.fromkeys(other for other in incident.related if other in known and other != incident.id))
    if related == incident.related:
        return incident
    return incident.model_copy(update={"related": related})


def display_path(path: Path, base: Path) -> str:
    """``path`` relative to ``base``, with control and direction characters written as escapes
    (``\\u202e``): a file name cannot garble a terminal or reverse a message."""
    try:
        text = path.relative_to(base).as_posix()
    except ValueError:
        text = path.as_posix()
    return "".join(f"\\u{ord(char):04x}" if unicodedata.category(char) in ("Cc", "Cf") else char for char in text)


__all__ = ["Collection", "ERROR", "WARNING", "Found", "Loaded", "Skipped", "assemble", "display_path", "file_version", "find_incidents",
           "incident_files", "load_directory", "load_file", "load_paths", "load_text"]
