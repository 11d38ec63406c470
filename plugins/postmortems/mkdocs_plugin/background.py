"""A second process that renders pages while the site builder is busy with others.

For one build, the worker loads the incidents itself (nothing big crosses between
the processes but finished text), renders the overview pages (index, dashboard,
ledgers, service, cause and tag pages, action items) and the machine-readable files,
then the incident pages in chunks. The chunks go in the builder's order when the
worker only fills in the incident template; when it also converts the pages to HTML
(an adapter's ``pages`` function), they go from the last page backwards, and the two
processes meet in the middle. The builder takes what is ready and renders the rest
itself, so it never waits for an incident page, and it tells the worker to skip a
chunk it reached first. It waits for the overview pages only when it reads them, last.

Both sides fingerprint the incident files they read (path, size, modification
time). When the fingerprints differ (a file changed between the two reads), or the
worker fails, the builder renders everything itself: the site is the same.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..site.addresses import claim
from ..incidents.loader import Collection, Loaded, assemble, file_version, incident_files, load_paths
from ..incidents.model import Incident
from ..site.wiki import Planned, TemplateProblem, Wiki
from ..incidents.settings import Settings
from ..site.templating import Island
from ..uptime.report import compute
from ..site.layout import Layout

MIN_INCIDENTS = 300  # below this a second process costs more than it saves
CHUNK = 200  # incident pages per message from the worker (50 when it converts them to HTML)
WORKER_SHARE = 0.4  # of the files the worker loads for the builder (it starts about 1 s later)

Islands = dict[str, Island]


@dataclass(frozen=True)
class Job:
    token: str  # names this build in the worker
    directory: Path
    base: Path
    settings: Settings  # with ``as_of`` fixed, so both processes count to the same instant
    layout: Layout
    templates_dir: Path | None
    site_url: str
    site_name: str
    taken: dict[str, str] | None = None  # the builder's own outputs: no incident may take their addresses


def fingerprint(paths: list[Path]) -> tuple:
    """What identifies this set of incident files and their versions."""
    return tuple((str(path), file_version(path)) for path in paths)


def cache_key(job: Job) -> tuple:
    """What a loaded file depends on besides its own text (see ``loader.load_paths``)."""
    return job.settings.timezone, tuple(job.settings.severities), str(job.base)


def prune(cache: dict, paths: list[Path]) -> None:
    """Forget files that are gone."""
    for path in set(cache) - set(paths):
        del cache[path]


# In the worker process ---------------------------------------------------------
_builds: dict[str, Wiki] = {}
_parts: dict[str, tuple[tuple, dict[Path, Loaded]]] = {}
_caches: dict[tuple, dict] = {}  # loaded files, kept across `mkdocs serve` rebuilds


def _cache(job: Job) -> dict:
    key = cache_key(job)
    if key not in _caches:
        _caches.clear()
        _caches[key] = {}
    return _caches[key]


def load_part(job: Job, paths: list[Path]) -> list[Loaded]:
    """Load some of the files, for the builder (which loads the others meanwhile) and for ``prepare``."""
    before = fingerprint(incident_files(job.directory))
    loaded = load_paths(paths, job.settings, job.base, _cache(job))
    _parts.clear()
    _parts[job.token] = (before, dict(zip(paths, loaded)))
    return loaded


def prepare(job: Job) -> tuple:
    """Load the rest and compute; the fingerprint of the files read, or () when they changed meanwhile."""
    paths = incident_files(job.directory)
    before, part = _parts.pop(job.token, None) or (fingerprint(paths), {})
    rest = [path for path in paths if path not in part]
    part.update(zip(rest, load_paths(rest, job.settings, job.base, _cache(job))))
    prune(_cache(job), paths)
    collection = assemble(claim([part[path] for path in paths], job.layout, job.taken))
    gc.unfreeze()  # the last build's wiki may go
    _builds.clear()  # one build at a time
    _builds[job.token] = Wiki(collection.incidents, compute(collection.incidents, job.settings, unverified=collection.unverified,
                                                              uncounted=collection.uncounted), job.settings,
                              job.layout, job.templates_dir, site_url=job.site_url, site_name=job.site_name,
                              secret=job.token)
    gc.freeze()  # as in the builder: the loaded wiki stays, so full collections need not walk it again
    return before if fingerprint(paths) == before else ()


def incident_pages(token: str, start: int, stop: int) -> dict[str, tuple[str, Islands, object]]:
    """The Markdown and islands of the incident pages ``start`` to ``stop`` (newest first), and a third
    item an adapter's ``pages`` function may fill in (the page's HTML)."""
    wiki, pages = _builds.get(token), {}
    for incident in wiki.incidents[start:stop] if wiki else ():
        uri = wiki.incident_uri(incident)
        pages[uri] = (wiki.incident_page(incident), wiki.islands.pop(uri, {}), None)
    return pages


def overview_pages(token: str) -> tuple[dict[str, str], dict[str, Islands]]:
    """Every other generated page and file, and the pages' islands."""
    wiki = _builds.get(token)
    if wiki is None:
        return {}, {}
    contents = {output.uri: output.content for output in wiki.outputs()}
    return contents, {uri: wiki.islands[uri] for uri in contents if uri in wiki.islands}


# In the builder ----------------------------------------------------------------
def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Worker:
    """One long-lived worker process (kept across ``mkdocs serve`` rebuilds)."""

    def __init__(self):
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, function: Callable, *args) -> Future:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return self._pool.submit(function, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class Shared:
    """The pages of one build, each taken from the worker when it has it, else rendered here."""

    def __init__(self, worker: Worker | None, paths: list[Path], job: Job,
                 note: Callable[[str], None] = lambda text: None, incidents: bool = True, cache: dict | None = None):
        self._paths, self._fingerprint, self._note = paths, fingerprint(paths), note
        self._worker, self._wiki, self._trusted = worker, None, None  # _trusted: None until prepare() answers
        self._job, self._cache, self._want_incidents = job, cache, incidents  # not for --dirty builds, which read few
        self._split = len(paths) - int(len(paths) * WORKER_SHARE)  # this process loads paths[:split]
        self._part: Future | None = None
        self._prepared: Future | None = None
        self._chunk, self._chunks = CHUNK, {}  # first page's position -> Future of that chunk
        self._overview: Future | None = None
        self._position: dict[str, int] = {}
        self._incidents: dict[str, tuple[str, Islands, object]] = {}
        self._extras: dict[str, object] = {}
        self._contents: dict[str, str] = {}
        self.used_worker = False  # the worker's text was used (for the log, and tests)
        if worker is not None:
            try:
                self._part = worker.submit(load_part, job, paths[self._split:])
                self._prepared = worker.submit(prepare, job)
            except Exception as error:  # no second process here: render in this one
                self._give_up(error)

    @property
    def started(self) -> bool:
        return self._prepared is not None

    @property
    def token(self) -> str:
        return self._job.token

    def queue(self, pages: Callable = incident_pages, *prelude, chunk: int = CHUNK, backwards: bool = False) -> None:
        """Ask the worker for the overview pages, then for the incident pages in chunks
        (``pages(token, start, stop)``, after ``prelude``: a function and its arguments)."""
        if self._prepared is None:
            return
        token, worker = self._job.token, self._worker
        try:
            self._overview = worker.submit(overview_pages, token)
            if self._want_incidents:
                if prelude:
                    worker.submit(*prelude)
                self._chunk, starts = chunk, range(0, len(self._paths), chunk)
                for start in reversed(starts) if backwards else starts:
                    self._chunks[start] = worker.submit(pages, token, start, start + chunk)
        except Exception as error:
            self._give_up(error)

    def load(self) -> Collection:
        """Every incident: some loaded here while the worker loads the others, which it then sends."""
        job, paths, cache = self._job, self._paths, self._cache
        if cache is not None:
            prune(cache, paths)
        if self._part is None:
            return assemble(claim(load_paths(paths, job.settings, job.base, cache), job.layout, job.taken))
        mine = load_paths(paths[:self._split], job.settings, job.base, cache)
        try:
            theirs = self._part.result()
        except Exception as error:
            self._give_up(error)
            theirs = load_paths(paths[self._split:], job.settings, job.base, cache)
        self._part = None
        return assemble(claim(mine + theirs, job.layout, job.taken))

    def loaded(self, wiki: Wiki) -> None:
        """The builder's own wiki, loaded; a file that changed meanwhile voids the worker's work."""
        self._wiki = wiki
        self._position = {wiki.incident_uri(incident): n for n, incident in enumerate(wiki.incidents)}
        if fingerprint(self._paths) != self._fingerprint:
            self._fingerprint = None

    def incident(self, incident: Incident) -> str:
        """An incident page's Markdown: the worker's if it is ready (never waiting for it), else made here."""
        uri = self._wiki.incident_uri(incident)
        if uri not in self._incidents:
            self._take(self._position.get(uri, -1))
        if uri in self._incidents and self._ready(wait=False):
            text, islands, extra = self._incidents.pop(uri)
            self._wiki.islands[uri] = islands
            if extra is not None:
                self._extras[uri] = extra
            self.used_worker = True
            return text
        return self._wiki.incident_page(incident)

    def extra(self, uri: str) -> object | None:
        """The third item the worker made for a page it sent (its HTML), once."""
        return self._extras.pop(uri, None)

    def _take(self, position: int) -> None:
        """The chunk holding this page, if the worker finished it; if not, the worker need not start it."""
        start = position - position % self._chunk
        future = self._chunks.get(start)
        if future is None:
            return
        if future.done():
            del self._chunks[start]
            try:
                self._incidents.update(future.result())
            except Exception:  # this process renders those pages, and reports a template error itself
                pass
        elif future.cancel():  # this process reached the chunk first, and renders it
            del self._chunks[start]

    def text(self, item: Planned) -> str:
        """An overview page or file: the worker's (waiting for it, as it comes last), else made here."""
        if self._ready(wait=True) and self._overview is not None:
            future, self._overview = self._overview, None
            try:
                self._contents, islands = future.result()
                self._wiki.islands.update(islands)
                self.used_worker = True
            except TemplateProblem:
                raise
            except Exception as error:
                self._give_up(error)
        if item.uri in self._contents:
            return self._contents.pop(item.uri)
        return item.make()

    def wait(self) -> None:
        """Wait until the worker has finished everything asked of it (for tests)."""
        for future in [self._prepared, *self._chunks.values(), self._overview]:
            if future is not None:
                future.exception()

    def _ready(self, wait: bool) -> bool:
        """Whether the worker read the same files as this process (learned once)."""
        if self._trusted is None and self._prepared is not None and (wait or self._prepared.done()):
            try:
                answer = self._prepared.result()
            except Exception as error:
                self._give_up(error)
                return False
            self._trusted = bool(answer) and answer == self._fingerprint
            if not self._trusted:
                self._note("an incident file changed while the wiki was loading: rendering every page here")
                for future in self._chunks.values():  # the worker need not go on with them
                    future.cancel()
                self._chunks.clear()
        return bool(self._trusted)

    def _give_up(self, error: Exception) -> None:
        self._note(f"rendering every page in this process ({type(error).__name__}: {error})")
        self._trusted, self._part, self._prepared, self._overview = False, None, None, None
        self._chunks.clear()
        if self._worker is not None:
            self._worker.close()
