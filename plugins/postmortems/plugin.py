"""The MkDocs plugin: a thin adapter from MkDocs events to the core.

``on_files`` loads the incidents, computes the uptime report once and adds every
generated page and file. Incident pages point at their real files so other plugins
(and ``--dirty``) see them. MkDocs reads their Markdown from the wiki
(``IncidentFile``) and may take their HTML from the worker process (``IncidentPage``;
the worker is asked in ``on_nav``, once the file list is final). Generated HTML waits
outside Markdown behind empty placeholders; search reads each as a paragraph of its
words (``on_page_content``), and the HTML is put back in ``on_page_context``, after
search and before the theme.
"""

from __future__ import annotations

import gc
import uuid
from dataclasses import replace
from functools import partial
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from .background import MIN_INCIDENTS, Job, Shared, Worker, cache_key, usable_cores
from .loader import incident_files
from .options import PostmortemsConfig, prefix, settings_from
from .figures import substitute
from .pages import Planned, TemplateProblem, Wiki
from .site_files import IncidentFile, IncidentPage, LaterFile, LiveFile
from . import page_sections, worker_html
from .uptime import compute
from .urls import Layout

log = get_plugin_logger(__name__)

ASSETS = Path(__file__).parent / "assets"
ASSET_URIS = {"css": "assets/postmortems/postmortems.css", "js": "assets/postmortems/postmortems.js"}


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):
    supports_multiple_instances = False

    def __init__(self):
        self.wiki: Wiki | None = None
        self.worker = Worker()
        self.command, self.dirty = None, False  # set by on_startup when MkDocs' command line runs
        self.cache: tuple[tuple | None, dict] = (None, {})  # (what loading depends on, loaded files)
        self.setup: worker_html.Setup | None = None  # how the worker converts incident pages to HTML
        self.converted_by_worker = 0  # incident pages whose HTML came from the worker (for tests)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup keeps one plugin object across `mkdocs serve` rebuilds.
        self.command, self.dirty = command, dirty

    def on_config(self, config):
        if not self.config.enabled:
            return config
        self.wiki, self.converted_by_worker = None, 0
        self.settings = settings_from(self.config)
        self.root = root = Path(config.config_file_path or ".").resolve().parent
        self.incidents_dir = (root / self.config.incidents_dir).resolve()
        self.templates_dir = (root / self.config.templates_dir).resolve()
        self.layout = Layout(prefix(self.config), config.use_directory_urls)
        for uri, target in ((ASSET_URIS["css"], config.extra_css), (ASSET_URIS["js"], config.extra_javascript)):
            if uri not in [str(item) for item in target]:
                target.append(uri)
        return config

    def on_files(self, files: Files, *, config) -> Files:
        if not self.config.enabled:
            return files
        if not self.incidents_dir.is_dir():
            log.warning(f"incidents_dir '{self.config.incidents_dir}' is not a folder ({self.incidents_dir}); the wiki has no incidents")
        try:  # one instant for every page, and for the worker process
            settings = replace(self.settings, as_of=self.settings.resolve_as_of())
        except ValueError as error:
            raise PluginError(f"postmortems: {error}") from None
        paths = incident_files(self.incidents_dir)
        job = Job(uuid.uuid4().hex, self.incidents_dir, self.root, settings, self.layout, self.templates_dir,
                  config.site_url or "", config.site_name)
        if self.cache[0] != cache_key(job):  # loaded files are kept across `mkdocs serve` rebuilds
            self.cache = (cache_key(job), {})
        self.shared = Shared(self.worker if self._parallel(len(paths)) else None, paths, job, note=log.info,
                             incidents=not self.dirty, cache=self.cache[1] if self.command == "serve" else None)
        collection = self.shared.load()
        for problem in collection.problems:
            log.warning(str(problem))
        if collection.left_out:
            log.warning(
                f"{len(collection.left_out)} incident file(s) left out of the wiki until fixed: {', '.join(collection.left_out)}"
            )
        try:
            report = compute(collection.incidents, settings, unverified=collection.unverified,
                             uncounted=collection.uncounted)
            for line in report.caveats():
                log.warning(line)
            self.wiki = Wiki(collection.incidents, report, settings, self.layout, self.templates_dir,
                             site_url=config.site_url or "", site_name=config.site_name, secret=job.token)
            self.wiki.check_templates()
            for problem in self.wiki.figure_problems():
                log.warning(str(problem))
            planned = self.wiki.plan()
            if not self.shared.started:  # render now, so a template error stops the build here
                planned = [Planned(item.uri, partial(str, item.make()), item.nav) for item in planned]
        except (TemplateProblem, ValueError) as error:
            raise PluginError(f"postmortems: {error}") from None
        self.shared.loaded(self.wiki)

        # Incident files inside docs_dir would be published twice: the generated page replaces them.
        for file in list(files):
            if file.abs_src_path and _inside(Path(file.abs_src_path), self.incidents_dir):
                files.remove(file)
        for incident in collection.incidents:
            file = IncidentFile.generated(config, self.wiki.incident_uri(incident),
                                          abs_src_path=str(collection.files[incident.id]),
                                          inclusion=InclusionLevel.NOT_IN_NAV)
            file.render = partial(_plugin_errors, self.shared.incident, incident)
            IncidentPage(file, config, self._converted)
            self._add(files, file)
        # After the incidents: MkDocs reads these last, when the worker has long finished them.
        for item in planned:
            self._add(files, LaterFile.planned(config, item.uri, partial(_plugin_errors, self.shared.text, item), item.nav))
        if self.dirty:  # pages with live figures go stale with any incident: rebuild them too
            for file in [file for file in files.documentation_pages() if file.generated_by is None and file.abs_src_path]:
                if _shows_figures(file):
                    files.remove(file)
                    files.append(LiveFile.of(file, config))
        for kind, uri in ASSET_URIS.items():
            self._add(files, File.generated(config, uri, abs_src_path=str(ASSETS / Path(uri).name)))
        self.headings = page_sections.Headings(config)  # for the incidents' sections, after Markdown
        # The loaded wiki lives until the build ends: keep the garbage collector from walking
        # its objects again at every full collection while MkDocs renders thousands of pages.
        gc.freeze()
        return files

    @event_priority(-100)  # after other plugins' on_files and on_nav: the file list is final
    def on_nav(self, nav, /, *, config, files):
        if self.wiki is None:
            return nav
        self.setup = worker_html.setup_from(config, files) if self.shared.started and not self.dirty else None
        if self.setup is None:  # the worker fills in the incident template ahead of this process
            self.shared.queue()
        else:  # and converts pages to HTML, from the last one, while this process works from the first
            self.shared.queue(worker_html.convert_pages, worker_html.remember, self.shared.token, self.setup,
                              chunk=worker_html.CHUNK, backwards=True)
        return nav

    def _converted(self, page, config):
        html = worker_html.fitting(self.shared.extra(page.file.src_uri), self.setup, page, config)
        self.converted_by_worker += html is not None
        return html

    def _parallel(self, count: int) -> bool:
        choice = self.config.parallel
        return choice == "always" or (choice == "auto" and count >= MIN_INCIDENTS and usable_cores() > 1)

    def on_post_build(self, *, config) -> None:
        gc.unfreeze()
        if self.command != "serve":  # `mkdocs serve` keeps its worker for the next rebuild
            self.worker.close()

    def on_build_error(self, *, error) -> None:
        gc.unfreeze()
        self.worker.close()

    def on_shutdown(self) -> None:
        self.worker.close()

    def _add(self, files: Files, file: File) -> None:
        existing = files.get_file_from_path(file.src_uri)
        if existing is not None:
            if existing.generated_by is None and file.src_uri.endswith(".md"):
                log.info(f"docs/{file.src_uri} is your own page; the generated one is not used")
                return
            files.remove(existing)
        files.append(file)

    def on_page_markdown(self, markdown: str, /, *, page, config, files) -> str:
        if self.wiki is None or isinstance(page.file, IncidentFile):
            return markdown  # an incident's Markdown comes from the wiki, already complete
        markdown, problems = substitute(markdown, self.wiki.report, f"{config.docs_dir}/{page.file.src_uri}")
        for problem in problems:
            log.warning(_relative(problem, config))
        return markdown

    @event_priority(100)  # before search (and other plugins) read the HTML
    def on_page_content(self, html: str, /, *, page, config, files) -> str:
        if self.wiki is None:
            return html
        uri = page.file.src_uri
        if later := self.wiki.after_markdown(uri):  # an incident's card and sections
            html = page_sections.place(page, html, later, self.headings)
        return self.wiki.searchable(uri, html)

    @event_priority(-100)  # after search has indexed the light placeholders, before the theme renders
    def on_page_context(self, context, /, *, page, config, nav):
        if self.wiki is not None:
            page.content = self.wiki.fill(page.file.src_uri, page.content)
        return context

    def on_serve(self, server, /, *, config, builder):
        if self.config.enabled:
            for folder in (self.incidents_dir, self.templates_dir):
                if folder.is_dir():
                    server.watch(str(folder))
        return server


def _shows_figures(file: File) -> bool:
    try:
        return "uptime(" in Path(file.abs_src_path).read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return False


def _relative(problem, config) -> str:
    """A problem in a page of ``docs_dir``, named from the folder of mkdocs.yml as the writer sees it."""
    root = Path(config.config_file_path or ".").resolve().parent
    try:
        return str(problem).replace(problem.path, Path(problem.path).relative_to(root).as_posix(), 1)
    except ValueError:
        return str(problem)


def _plugin_errors(make, *args):
    try:
        return make(*args)
    except TemplateProblem as error:
        raise PluginError(f"postmortems: {error}") from None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False

