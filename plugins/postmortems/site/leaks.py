"""The public build's leak check: what the public site withholds must appear nowhere in what it wrote.

The values looked for are the public build's own: every text the incidents withhold (see
``incidents.visibility``): internal bodies and blocks line by line, causes, triggers,
contributing factors, timeline events, action items' titles, owners and links, authors,
reviewers, tags, the titles a ``public_title`` replaces, and the fields ``internal_fields`` names.

The rules, so that the check finds a value however a page writes it, and only a value:

- Text is compared as words: runs of letters and digits, ignoring case, punctuation, markup and
  escapes (HTML entities, JSON escapes, Markdown emphasis). A value is found when its words appear
  one after the other in a page's text (comments and scripts included), or in any string of a JSON
  file; a value of two words or more also in an attribute of the markup (a link's address, a title).
  So ``Marcus`` is not found in ``Marcusson``, nor in a theme's ``id="marcus"``.
- Markdown (a body, an internal block) is read line by line, each line of two words or more a value
  of its own, and each link's address one more; the headings of the postmortem outline (Summary,
  Impact, Timeline, ...) are not looked for: every postmortem has them.
- A value with fewer than ``MIN_CHARACTERS`` letters and digits (an owner ``Al``) is not looked for,
  nor a label of one word (a tag, a cause category: ``config``, ``search``): ordinary words and the
  site's own text hold them. Neither page shows them on the public site; the check cannot tell them
  from the site's own words.
- A value the public site publishes anyway, in what any incident publishes or in the site's name,
  is not looked for (a public postmortem may name its author in its own words).

It reads every HTML, JSON, XML, SVG, Markdown and text file of the output folder (``.gz`` files
unpacked), the search index and the sitemap included.
"""

from __future__ import annotations

import gzip
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..incidents.visibility import Publication, Withheld
from . import TEMPLATES

MIN_CHARACTERS = 4
SCANNED = (".html", ".htm", ".json", ".xml", ".svg", ".md", ".txt")
LABELS = ("tags", "cause.category")  # fields of labels: a one-word label is not looked for
SECTIONS = ("Timeline", "Contributing factors", "Follow-up actions", "Related incidents")  # the incident page's own
_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^>]*>")
_COMMENT = re.compile(r"<!--|-->")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)[\s#]*$")
_OUTLINE_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)
_LINK = re.compile(r"!?\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+(?:\"([^\"]*)\"|'([^']*)'))?\s*\)")
_FIGURE = re.compile(r"\{\{.*?\}\}")
_ATTRIBUTE = re.compile(r"""=\s*(?:"([^"]*)"|'([^']*)')""")
_APART = "\0"  # a token between texts read as one: never a word


def words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold()))


@dataclass(frozen=True)
class Canary:
    """A withheld value (or one line of it) as words: what the check looks for."""

    words: tuple[str, ...]
    withheld: Withheld
    text: str  # as written


@dataclass(frozen=True)
class Leak:
    path: str  # the output file, relative to the folder scanned
    canary: Canary

    def __str__(self) -> str:
        withheld = self.canary.withheld
        shown = " ".join(self.canary.text.split())
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        hint = ""
        if withheld.field == "title":
            hint = (" (an incident's id is in its address and its data: give it an id (the id: field) that says no "
                    "more than its public_title)")
        return f"{self.path} holds the {withheld.field} of {withheld.where}, which the public site withholds: {shown!r}{hint}"


class Canaries:
    """The values to look for, indexed by their first two words."""

    def __init__(self, canaries: Iterable[Canary]):
        self.items = list({canary.words: canary for canary in canaries}.values())
        self.single: dict[str, list[int]] = {}  # values of one word, by it
        self.pairs: dict[tuple[str, str], list[int]] = {}  # longer ones, by their first two words
        for index, canary in enumerate(self.items):
            if len(canary.words) == 1:
                self.single.setdefault(canary.words[0], []).append(index)
            else:
                self.pairs.setdefault(canary.words[:2], []).append(index)

    def __len__(self) -> int:
        return len(self.items)

    def found(self, tokens: tuple[str, ...], several: bool = False) -> set[int]:
        """The canaries whose words appear in order in ``tokens`` (``several``: only those of two words or more)."""
        hits: set[int] = set()
        if not tokens or not self.items:
            return hits
        if not several:
            for word in self.single.keys() & set(tokens):
                hits.update(self.single[word])
        joined = None
        for start in self.pairs.keys() & set(zip(tokens, tokens[1:])):
            for index in self.pairs[start]:
                canary = self.items[index].words
                if len(canary) == 2:
                    hits.add(index)
                    continue
                if joined is None:
                    joined = f" {' '.join(tokens)} "
                if f" {' '.join(canary)} " in joined:
                    hits.add(index)
        return hits

    def without(self, texts: Iterable[str]) -> Canaries:
        """These canaries but those found in ``texts`` (what the public site publishes anyway). The texts
        are read as one, each closed by a token no text has, so that no value runs from one into the next."""
        shown: list[str] = []
        for text in texts:
            shown += words(html.unescape(_TAG.sub(" ", text)))
            shown.append(_APART)
            shown += words(_TAG.sub(" ", _LINK.sub(lambda match: match.group(1), text)))
            shown.append(_APART)
        found = self.found(tuple(shown))
        return Canaries(canary for index, canary in enumerate(self.items) if index not in found)


def outline(required: Iterable[str] = ()) -> set[str]:
    """The headings every postmortem has (the scaffold's, the incident page's sections, the required ones),
    as words: not looked for."""
    try:
        scaffold = (TEMPLATES / "new-incident.md").read_text(encoding="utf-8")
    except OSError:
        scaffold = ""
    names = [*_OUTLINE_HEADING.findall(scaffold.split("\n---", 1)[-1]), *SECTIONS, *required]
    return {words(name) for name in names}


def markdown_parts(line: str) -> list[str]:
    """A line of Markdown as the texts a page shows of it: the text with each link's text in place of the
    link, and each link's address and title apart; live figures (``{{ uptime() }}``) cut out."""
    extra: list[str] = []

    def link(match: re.Match) -> str:
        extra.extend(part for part in match.groups()[1:] if part)
        return match.group(1)

    text = _LINK.sub(link, line)
    return [*_FIGURE.split(text), *extra]


def canaries_of(withheld: Withheld, headings: set[tuple[str, ...]]) -> list[Canary]:
    """What the check looks for of one withheld value (see the module's rules)."""
    if not withheld.markdown:
        found = words(withheld.value)
        label = withheld.field.startswith(LABELS) and len(found) == 1
        return [Canary(found, withheld, withheld.value)] if _long_enough(found) and not label else []
    result = []
    for number, line in enumerate(withheld.value.split("\n")):
        heading = _HEADING.match(line)
        if heading and words(heading.group(1)) in headings:
            continue
        where = Withheld(withheld.file, withheld.field, withheld.value, True, (withheld.line or 1) + number)
        for part in markdown_parts(line):
            found = words(html.unescape(_TAG.sub(" ", part)))
            if _long_enough(found) and len(found) > 1:
                result.append(Canary(found, where, part.strip()))
    return result


def _long_enough(found: tuple[str, ...]) -> bool:
    return sum(map(len, found)) >= MIN_CHARACTERS


def published_texts(publications: Iterable[Publication]) -> list[str]:
    """Every text the public site shows of the incidents (what ``Canaries.without`` leaves alone)."""
    texts = []
    for publication in publications:
        incident = publication.incident
        texts += _strings(incident.model_dump(mode="json", exclude={"body", "file", "body_line", "id"}))
        texts.append(incident.body)
    return texts


def canaries(publications: list[Publication], site_name: str = "", required: Iterable[str] = ()) -> Canaries:
    """The values the public build must not write, but those it publishes anyway."""
    headings = outline(required)
    found = Canaries(canary for publication in publications for withheld in publication.withheld
                     for canary in canaries_of(withheld, headings))
    return found.without([*published_texts(publications), site_name]) if found.items else found


def views(name: str, text: str) -> list[tuple[tuple[str, ...], bool]]:
    """The words of one file's text, as a page shows them and with its markup, each with whether only
    values of two words or more are looked for there (see the module's rules)."""
    if name.endswith(".json"):
        try:
            text = "\n".join(_strings(json.loads(text)))
        except ValueError:
            pass
    for _ in range(3):  # an Atom entry's content is HTML escaped once more
        if "&" not in text:
            break
        text = html.unescape(text)
    markup = " ".join(first or second for first, second in _ATTRIBUTE.findall(text))  # where the markup holds text
    found = [(words(markup), True), (words(_TAG.sub(" ", _COMMENT.sub(" ", text))), False)]
    if name.endswith(".md"):
        found.append((words(_TAG.sub(" ", _LINK.sub(lambda match: match.group(1), text))), False))
    return found


def _strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def scan(files: Iterable[tuple[str, str]], found: Canaries) -> list[Leak]:
    """Every withheld value in ``files`` (``(name, text)``), once per file."""
    leaks = []
    if not len(found):
        return leaks
    for name, text in files:
        hits: set[int] = set()
        for view, several in views(name, text):
            hits |= found.found(view, several)
        leaks += [Leak(name, found.items[index]) for index in sorted(hits)]
    return leaks


def site_files(folder: Path) -> Iterable[tuple[str, str]]:
    """Every file of a built site the check reads, as text (``.gz`` files unpacked)."""
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        inner = name[:-3] if name.endswith(".gz") else name
        if not inner.lower().endswith(SCANNED) or not path.is_file():
            continue
        try:
            data = path.read_bytes()
            if name.endswith(".gz"):
                data = gzip.decompress(data)
        except (OSError, EOFError, gzip.BadGzipFile):
            continue
        yield name, data.decode("utf-8", errors="replace")


def scan_site(folder: Path, found: Canaries) -> list[Leak]:
    """Every withheld value in the site written to ``folder`` (see ``site_files``)."""
    return scan(site_files(folder), found)


def report(leaks: list[Leak], limit: int = 20) -> str:
    """The leak check's message: what leaked where, the first ``limit`` of them."""
    lines = [f"the public site holds {len(leaks)} value(s) its incidents withhold (leak check); "
             "the public build stops so that nothing internal is published:"]
    lines += [f"  {leak}" for leak in leaks[:limit]]
    if len(leaks) > limit:
        lines.append(f"  ... and {len(leaks) - limit} more")
    return "\n".join(lines)
