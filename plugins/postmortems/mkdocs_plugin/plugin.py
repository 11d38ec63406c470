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
import logging
import os
import shutil
import tempfile
import uuid
from functools import partial
from pathlib import Path

from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from .background import MIN_INCIDENTS, Job, Shared, Worker, cache_key, usable_cores
from ..incidents.loader import display_path, find_incidents
from .options import PostmortemsConfig, folder_problem, prefix, settings_from, templates_warning
from ..incidents.settings import source_date_epoch_problem
from ..site.figures import substitute
from ..site.leaks import report as leak_report
from ..site.wiki import Planned, TemplateProblem, Wiki
from .files import IncidentFile, IncidentPage, LaterFile, LiveFile, taken
from . import sections as page_sections
from . import worker_html
from ..uptime.report import compute
from ..site.layout import Layout

log = get_plugin_logger(__name__)

from ..site import ASSETS
ASSET_URIS = {"css": Layout.ASSET.format("postmortems.css"), "js": Layout.ASSET.format("postmortems.js")}


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):
    supports_multiple_instances = False

    def __init__(self):
        self.wiki: Wiki | None = None
        self.worker = Worker()
        self.command, self.dirty = None, False  # set by on_startup when MkDocs' command line runs
        self.cache: tuple[tuple | None, dict] = (None, {})  # (what loading depends on, loaded files)
        self.setup: worker_html.Setup | None = None  # how the worker converts incident pages to HTML
        self.converted_by_worker = 0  # incident pages whose HTML came from the worker (for tests)
        self.good_config: PostmortemsConfig | None = None  # the last options that were valid
        self.watcher: FolderWatch | None = None
        self.off = False  # under `mkdocs serve`, after a problem that would have stopped the build

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup keeps one plugin object across `mkdocs serve` rebuilds.
        self.command, self.dirty = command, dirty

    def load_config(self, options, config_file_path=None):
        """Under ``mkdocs serve``, a wrong option no longer stops the rebuilds: it is logged, and the
        last good options stay in force until it is fixed (a build still fails with a config error)."""
        errors, warnings = super().load_config(options, config_file_path)
        if not errors:
            self.good_config = self.config
        elif self.command == "serve" and self.good_config is not None:
            for key, error in errors:
                log.warning(f"option '{key}': {error} (serving with the last good options until this is fixed)")
            self.config, errors = self.good_config, []
        return errors, warnings

    def on_config(self, config):
        if not self.config.enabled:
            return config
        self._offer_macros(config)
        self.wiki, self.converted_by_worker, self.off = None, 0, False
        self.settings = settings_from(self.config)
        self.root = root = Path(config.config_file_path or ".").resolve().parent
        self.incidents_dir = (root / self.config.incidents_dir).resolve()
        self.templates_dir = (root / self.config.templates_dir).resolve()
        self.layout = Layout(prefix(self.config), config.use_directory_urls)
        problem = folder_problem("incidents_dir", self.incidents_dir, Path(config.docs_dir).resolve())
        if problem:
            self._stop(f"Config value 'plugins': Plugin 'postmortems' option 'incidents_dir': {problem}")
            return config
        if problem := source_date_epoch_problem(os.environ):  # MkDocs itself would stop with a traceback
            self._stop(f"Configuration error: {problem}")
            return config
        if message := templates_warning(self.config.templates_dir, self.templates_dir):
            log.warning(message)
        for uri, target in ((ASSET_URIS["css"], config.extra_css), (ASSET_URIS["js"], config.extra_javascript)):
            if uri not in [str(item) for item in target]:
                target.append(uri)
        return config

    def _offer_macros(self, config) -> None:
        """Give mkdocs-macros the ``uptime`` macro, so a page it renders before this plugin reads it
        (or a figure this plugin leaves as written, in code) is no undefined name. A guess about
        another plugin: when the guess fails, say so."""
        macros = config.plugins.get("macros")
        if macros is None:
            return
        register = getattr(macros, "register_macros", None)
        if not callable(register):
            log.warning("mkdocs-macros is listed, but offers no register_macros(): it will not know "
                        "{{ uptime() }}; list postmortems before macros, or upgrade mkdocs-macros-plugin")
            return
        try:
            register({"uptime": self._uptime_macro})
        except KeyError:  # another uptime() is defined already (a main.py of the wiki's): that one stays
            log.info("mkdocs-macros already has an uptime macro: the wiki's figures are left to it in pages it renders")

    def _uptime_macro(self, window: str = "all", service: str | None = None) -> str:
        if self.wiki is None:
            return "n/a"
        try:
            return self.wiki.figure(window, service).replace(">", "&gt;")  # no quote at a line's start
        except KeyError as error:
            log.warning(f"{{{{ uptime({window!r}{', ' + repr(service) if service else ''}) }}}} in a page "
                        f"mkdocs-macros rendered: {error.args[0]}")
            return "n/a"

    def _stop(self, message: str) -> None:
        """A configuration error only MkDocs' whole config shows (docs_dir): stop as MkDocs stops on one;
        under ``mkdocs serve``, say so and serve the site without the wiki until it is fixed."""
        if self.command == "serve":
            log.warning(f"{message} (the wiki is left out until this is fixed)")
            self.off = True
            return
        logging.getLogger("mkdocs.config").error(message)
        raise Abort("Aborted with a configuration error!")

    def on_files(self, files: Files, *, config) -> Files:
        if not self.config.enabled or self.off:
            return files
        try:
            return self._files(files, config)
        except PluginError as error:
            if self.command != "serve":
                raise
            log.warning(f"{str(error).removeprefix('postmortems: ')} (the wiki is left out until this is fixed)")
            self.wiki = None
            return files

    def _files(self, files: Files, config) -> Files:
        if not _is_dir(self.incidents_dir):
            log.warning(f"incidents_dir '{self.config.incidents_dir}' is not a folder ({self.incidents_dir}); the wiki has no incidents")
        try:  # one instant for every page, and for the worker process
            settings = self.settings.fixed()
        except ValueError as error:
            raise PluginError(f"postmortems: {error}") from None
        found = find_incidents(self.incidents_dir)
        for skipped in found.skipped:
            log.info(f"skipped: {display_path(skipped.path, self.root)} ({skipped.reason})")
        paths = found.paths
        job = Job(uuid.uuid4().hex, self.incidents_dir, self.root, settings, self.layout, self.templates_dir,
                  config.site_url or "", config.site_name, taken(files, config, self.incidents_dir, self.layout.prefix))
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
            file.render = partial(self._plugin_errors, self.shared.incident, incident)
            IncidentPage(file, config, self._converted)
            self._add(files, file)
        # After the incidents: MkDocs reads these last, when the worker has long finished them.
        for item in planned:
            self._add(files, LaterFile.planned(config, item.uri, partial(self._plugin_errors, self.shared.text, item), item.nav))
        for file in [file for file in files.documentation_pages() if file.generated_by is None and file.abs_src_path]:
            text, reason = _page_text(file)
            if reason:  # MkDocs would stop the whole build with a traceback
                log.warning(f"{display_path(Path(file.abs_src_path), self.root)} {reason}: left out of the site until fixed")
                files.remove(file)
            elif self.dirty and "uptime(" in text:  # its live figures go stale with any incident: rebuild it too
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
        if self.wiki is not None and (leaks := self.wiki.leaks(Path(config.site_dir))):  # the public site only
            if self.command != "serve":
                raise PluginError(f"postmortems: {leak_report(leaks)}")
            log.warning(leak_report(leaks))

    def on_build_error(self, *, error) -> None:
        gc.unfreeze()
        self.worker.close()

    def on_shutdown(self) -> None:
        self.worker.close()
        if self.watcher is not None:
            self.watcher.close()

    def _plugin_errors(self, make, *args):
        try:
            return make(*args)
        except TemplateProblem as error:
            if self.command != "serve":
                raise PluginError(f"postmortems: {error}") from None
            log.warning(f"{error} (this page shows the error until it is fixed)")
            return f"# Template error\n\n    {str(error).replace(chr(10), chr(10) + '    ')}\n"

    def _add(self, files: Files, file: File) -> None:
        existing = files.get_file_from_path(file.src_uri)
        if existing is not None:
            if existing.generated_by is None and file.src_uri.endswith(".md"):
                log.info(f"docs/{file.src_uri} is your own page; the generated one is not used")
                return
            files.remove(existing)
        files.append(file)

    @event_priority(50)  # before plugins that render pages as templates (mkdocs-macros), whatever their order
    def on_page_markdown(self, markdown: str, /, *, page, config, files) -> str:
        if self.wiki is None:
            return markdown
        if isinstance(page.file, (IncidentFile, LaterFile)):
            # The wiki's own pages are complete: writers' text in them (`{{ user.name }}` in a code span)
            # is not a template. mkdocs-macros honours this key.
            page.meta["render_macros"] = False
            return markdown
        path = display_path(Path(config.docs_dir) / page.file.src_uri, self.root)
        text, problems = substitute(markdown, self.wiki.report, path)
        if problems and page.meta:  # name the lines as the file has them, meta block included
            skipped = page.file.content_string.count("\n") - markdown.count("\n")
            problems = substitute(markdown, self.wiki.report, path, 1 + max(skipped, 0))[1]
        for problem in problems:
            log.warning(str(problem))
        return text

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
        if self.config.enabled and self.watcher is None:
            self.watcher = FolderWatch(server, [self.incidents_dir, self.templates_dir])
        return server


class FolderWatch:
    """Keeps ``mkdocs serve`` watching the incidents and templates folders when they are deleted and
    made again, or made after it started: MkDocs' watcher stops for good when a watched folder goes.
    A watch on the folder above (not recursive) sees them come and go; then the folder is watched
    afresh, and a rebuild is asked for by touching a file in a temporary folder MkDocs watches."""

    def __init__(self, server, folders: list[Path]):
        from watchdog.events import FileSystemEventHandler

        self.server, self.folders = server, {folder: None for folder in folders}  # folder -> (device, inode) watched
        self.nudge = Path(tempfile.mkdtemp(prefix="postmortems-serve-"))
        server.watch(str(self.nudge))
        for folder in folders:
            self.refresh(folder)
        handler = FileSystemEventHandler()
        handler.on_any_event = self.changed
        for parent in {folder.parent for folder in folders}:
            if _is_dir(parent):
                server.observer.schedule(handler, str(parent), recursive=False)

    def changed(self, event) -> None:
        paths = {os.fsdecode(event.src_path), os.fsdecode(getattr(event, "dest_path", "") or "")}
        for folder in self.folders:
            if str(folder) in paths and self.refresh(folder):
                (self.nudge / "changed").write_text(uuid.uuid4().hex)

    def refresh(self, folder: Path) -> bool:
        """Watch ``folder`` as it is now; whether it changed (appeared, went, or was made again)."""
        try:
            stat = folder.stat()
            now = (stat.st_dev, stat.st_ino) if _is_dir(folder) else None
        except OSError:
            now = None
        before = self.folders[folder]
        if now == before:
            return False
        if before is not None:
            self.server.unwatch(str(folder))
        if now is not None:
            self.server.watch(str(folder))
        self.folders[folder] = now
        return True

    def close(self) -> None:
        shutil.rmtree(self.nudge, ignore_errors=True)


def _page_text(file: File) -> tuple[str, str]:
    """A page of docs_dir's text, and why it cannot be read ('' when it can)."""
    try:
        return Path(file.abs_src_path).read_bytes().decode("utf-8-sig"), ""
    except UnicodeDecodeError as error:
        return "", f"is not UTF-8 text (byte {error.start}); save it as UTF-8"
    except OSError as error:
        return "", f"cannot be read ({error.strerror})"


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # e.g. a name too long
        return False



def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False

