"""The application service: from a wiki's configuration to its incidents, its uptime report and its pages.

Every front end calls it (the MkDocs plugin, the command line's ``check``, ``stats`` and
``generate``, the Markdown extension): one way to find, load, compute and plan, whatever
builds the site. It returns values and keeps nothing between calls but the loading
cache a caller hands it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .incidents.cache import LoadCache
from .incidents.loader import Collection, Found, assemble, find_incidents, load_paths
from .incidents.settings import Settings
from .site.addresses import claim
from .site.layout import Layout
from .site.wiki import Wiki
from .uptime.report import Report, compute


@dataclass(frozen=True)
class Source:
    """Where a wiki's files are and how it is set, as a front end read them from its configuration."""

    incidents_dir: Path
    root: Path  # the configuration's folder: paths in messages are shown from here
    settings: Settings
    layout: Layout
    templates_dir: Path | None = None
    site_url: str = ""
    site_name: str = "Postmortems"
    taken: Mapping[str, str] | None = None  # the builder's own outputs: no incident may take their addresses


@dataclass(frozen=True)
class Loaded:
    """The incident files found and what loading them gave."""

    found: Found
    collection: Collection


@dataclass(frozen=True)
class Planned:
    """A wiki ready to render: its incidents, their uptime report, and the pages as text on demand."""

    found: Found
    collection: Collection
    report: Report
    wiki: Wiki


def load(source: Source, cache: LoadCache | None = None) -> Loaded:
    """Every incident file of the wiki, loaded (unchanged files from ``cache``) and checked across files."""
    found = find_incidents(source.incidents_dir)
    loaded = (cache.load if cache is not None else _load)(found.paths, source.settings, source.root)
    return Loaded(found, assemble(claim(loaded, source.layout, source.taken)))


def report(source: Source, loaded: Loaded) -> Report:
    """The uptime report, counting every file that could not be loaded at its worst (see ``salvage``)."""
    collection = loaded.collection
    return compute(collection.incidents, source.settings, unverified=collection.unverified,
                   uncounted=collection.uncounted)


def plan(source: Source, cache: LoadCache | None = None, secret: str | None = None,
         check_templates: bool = True, loaded: Loaded | None = None) -> Planned:
    """The wiki of ``source``: loaded, computed, and its pages planned. ``source.settings`` must have its
    as-of instant fixed (``Settings.fixed``), so every page counts to the same instant. Raises
    ``ValueError`` for settings the incidents make impossible, and ``TemplateProblem`` for a
    template that does not compile (the wiki's own first). ``loaded``: what ``load`` gave, when the
    caller has it already."""
    loaded = loaded if loaded is not None else load(source, cache)
    made = report(source, loaded)
    wiki = Wiki(loaded.collection.incidents, made, source.settings, source.layout, source.templates_dir,
                site_url=source.site_url, site_name=source.site_name, secret=secret)
    if check_templates:
        wiki.check_templates()
    return Planned(loaded.found, loaded.collection, made, wiki)


def _load(paths: list[Path], settings: Settings, root: Path):
    return load_paths(paths, settings, root)
