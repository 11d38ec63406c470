"""Every incident needs an address of its own in the site (no MkDocs needed).

An incident whose page would land where the wiki writes another page or file (the
index, with ``url_prefix: ''`` the dashboard, ``feed.xml``...), where the builder
writes one of its own (a page in ``docs_dir``, a theme file such as ``sitemap.xml``),
or where another incident's page goes on a file system that ignores case (``Outage``
and ``outage``, on macOS and Windows), is left out with an error naming its id and
what holds the address. Paths are compared ignoring case everywhere, so a wiki checked
on Linux builds the same on a Mac. The generated outputs come from the ``Layout``
itself, so the check follows any change to it.

``claim`` runs on the loaded files before ``loader.assemble``, in every process that
assembles the incidents (the builder, the worker, the command line), so they agree.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..incidents.loader import Loaded
from ..incidents.problems import Problem
from ..incidents.salvage import of_incident
from .layout import Layout

NAME = "[a-z0-9-]+"  # what ``{}`` stands for in the Layout's paths: slugs, years, windows


class Addresses:
    """What already holds each output path: the wiki's generated outputs, and ``taken``
    (the builder's own outputs: output path -> what it is)."""

    def __init__(self, layout: Layout, taken: dict[str, str] | None = None):
        self.layout = layout
        self.taken = {path.casefold(): (what, path) for path, what in (taken or {}).items()}
        self.folders: dict[str, tuple[str, str]] = {}  # folders the builder's outputs need
        for path, (what, written) in self.taken.items():
            parts = path.split("/")
            for end in range(1, len(parts)):
                self.folders.setdefault("/".join(parts[:end]), (what, written))
        self.kinds = list(layout.generated().items())
        branches = []
        for number, (uri, _) in enumerate(self.kinds):
            branches.append(f"(?P<k{number}>{_clashing(layout.dest(uri))})")
        self.pattern = re.compile("|".join(branches), re.IGNORECASE)

    def holder(self, incident_id: str) -> tuple[str, str] | None:
        """``(what, its path)`` holding the address of incident ``incident_id``, or None when free.

        Two outputs clash when their paths are equal, or one is a folder above the other
        (a file named ``feed.xml`` and a page ``feed.xml/index.html`` cannot both exist).
        """
        dest = self.layout.dest(self.layout.incident(incident_id))
        parts = dest.casefold().split("/")
        for end in range(len(parts), 0, -1):
            path = "/".join(parts[:end])
            if path in self.taken:
                return self.taken[path]
        if dest.casefold() in self.folders:
            what, written = self.folders[dest.casefold()]
            return what, written
        match = self.pattern.fullmatch(dest)
        if match is None:
            return None
        uri, what = self.kinds[int(match.lastgroup[1:])]
        where = self.layout.dest(uri).replace("{}", "*")
        return what, where


def claim(loaded: list[Loaded], layout: Layout, taken: dict[str, str] | None = None) -> list[Loaded]:
    """``loaded`` with every incident whose address is held by another output left out, with an error."""
    addresses = Addresses(layout, taken)
    result, pages = [], {}  # an incident's page, ignoring case -> (id, file)
    for item in loaded:
        incident = item.incident
        held = addresses.holder(incident.id) if incident is not None else None
        if incident is not None and held is None:
            dest = layout.dest(layout.incident(incident.id))
            other_id, other_name, other_dest = pages.setdefault(dest.casefold(), (incident.id, item.name, dest))
            if other_id != incident.id:  # the same id twice is loader.assemble's error
                held = f"the page of incident {other_id!r} ({other_name}), the same but for case,", other_dest
        if held is not None:
            what, where = held
            problem = Problem(item.name, f"id {incident.id!r} is taken: {what} is at {where}, where this incident's "
                              "page would go; give the incident another id (the id: field) or rename the file",
                              "id", item.lines.get(("id",)))
            item = replace(item, incident=None, problems=[*item.problems, problem],
                           unverified=of_incident(incident, problem.message))  # its downtime still counts
        result.append(item)
    return result


def url_prefix_problem(layout: Layout) -> str | None:
    """Why incident pages cannot live under ``layout.prefix`` (a folder of generated pages), or None."""
    for probe in ("2013-07-12-incident", "incident"):
        held = Addresses(layout).holder(probe)
        if held is not None:
            return f"{layout.prefix!r} is where the wiki puts {held[0]} ({held[1]}); choose another folder"
    return None


def _clashing(dest: str) -> str:
    """A regex matching every output path that clashes with ``dest`` (``{}`` a name)."""
    parts = [re.escape(part).replace(r"\{\}", NAME) for part in dest.split("/")]
    above = parts[0]
    for part in parts[1:]:  # the path itself, or a folder above it
        above = f"{above}(?:/{part}"
    above += ")?" * (len(parts) - 1)
    return f"(?:{above}|{'/'.join(parts)}/.*)"
