"""The overview pages (index, dashboard, ledgers, services, causes, tags, action items)
and machine-readable files, rendered in a second process while the site builder
renders the incident pages.

The worker loads the incidents itself, so nothing big crosses between processes
but the finished text. Both sides fingerprint the incident files they read (path,
size, modification time); when the fingerprints differ (a file changed between the
two reads), the builder ignores the worker's result and renders in its own process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .loader import incident_files, load_directory
from .pages import Planned, TemplateProblem, Wiki
from .settings import Settings
from .templating import Island
from .uptime import compute
from .urls import Layout

MIN_INCIDENTS = 300  # below this a second process costs more than it saves


@dataclass(frozen=True)
class Job:
    directory: Path
    base: Path
    settings: Settings  # with ``as_of`` fixed, so both processes count to the same instant
    layout: Layout
    templates_dir: Path | None
    site_url: str
    site_name: str


@dataclass(frozen=True)
class Rendered:
    fingerprint: tuple
    contents: dict[str, str]  # uri -> text, for every page and file but the incidents' own
    islands: dict[str, dict[str, Island]]  # page uri -> its islands (see ``Wiki.fill``)


def fingerprint(paths: list[Path]) -> tuple:
    """What identifies this set of incident files and their versions."""
    found = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            stat = None
        found.append((str(path), stat and stat.st_size, stat and stat.st_mtime_ns))
    return tuple(found)


def render(job: Job) -> Rendered:
    """Load, compute and render every page and file but the incidents' own (runs in the worker)."""
    paths = incident_files(job.directory)
    before = fingerprint(paths)
    collection = load_directory(job.directory, job.settings, base=job.base)
    wiki = Wiki(collection.incidents, compute(collection.incidents, job.settings), job.settings, job.layout,
                job.templates_dir, site_url=job.site_url, site_name=job.site_name)
    contents = {output.uri: output.content for output in wiki.outputs()}
    after = fingerprint(paths)
    islands = {uri: wiki.islands[uri] for uri in contents if uri in wiki.islands}
    return Rendered(before if before == after else (), contents, islands)


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Worker:
    """One long-lived worker process (kept across ``mkdocs serve`` rebuilds)."""

    def __init__(self):
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, job: Job) -> Future:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return self._pool.submit(render, job)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class Overview:
    """The text of the overview pages and files for one build: from the worker when
    one was started and it read the same incident files, else rendered here."""

    def __init__(self, worker: Worker | None, paths: list[Path], job: Job, note: Callable[[str], None] = print):
        self._paths, self._fingerprint, self._note = paths, fingerprint(paths), note
        self._worker, self._future, self._rendered, self._wiki = worker, None, None, None
        self.used_worker = False  # the worker's text was used (for the log, and tests)
        if worker is not None:
            try:
                self._future = worker.submit(job)
            except Exception as error:  # no second process here: render in this one
                note(f"rendering the overview pages in this process ({type(error).__name__}: {error})")
                worker.close()

    @property
    def started(self) -> bool:
        return self._future is not None

    def loaded(self, wiki: Wiki) -> None:
        """The builder's own wiki, loaded; a file that changed meanwhile voids the worker's result."""
        self._wiki = wiki
        if fingerprint(self._paths) != self._fingerprint:
            self._fingerprint = None

    def text(self, item: Planned) -> str:
        rendered = self._result()
        if rendered is not None and item.uri in rendered.contents:
            return rendered.contents[item.uri]
        return item.make()

    def _result(self) -> Rendered | None:
        if self._future is not None:
            future, self._future = self._future, None
            try:
                rendered = future.result()
            except TemplateProblem:
                raise
            except Exception as error:  # the worker died or could not pickle: render here
                self._note(f"rendering the overview pages in this process ({type(error).__name__}: {error})")
                self._worker.close()
                return None
            if not (rendered.fingerprint and rendered.fingerprint == self._fingerprint):
                self._note("an incident file changed while the wiki was loading: rendering the overview pages here")
            else:
                self._rendered, self.used_worker = rendered, True
                self._wiki.islands.update(rendered.islands)
        return self._rendered
