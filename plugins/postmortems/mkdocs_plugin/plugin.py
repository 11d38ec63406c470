"""The MkDocs plugin: a thin front end from MkDocs events to the core.

``on_files`` asks the application service (``postmortems.build``) for the wiki: loaded
incidents, their uptime report and the pages. Overview pages are rendered there; an
incident's page is rendered when MkDocs first reads it, and points at the incident's own
file so other plugins (and ``--dirty``) see where it comes from. Generated HTML waits
outside Markdown behind empty placeholders that travel with each page's file: search reads
each as a paragraph of its words (``on_page_content``), and the HTML is put back in
``on_page_context``, after search and before the theme.
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
from mkdocs.structure.files import File, Files

from .. import build
from ..incidents.cache import LoadCache
from ..incidents.loader import display_path
from ..incidents.settings import source_date_epoch_problem
from ..site import ASSETS
from ..site.figures import has_figures, substitute
from ..site.leaks import report as leak_report
from ..site.layout import Layout
from ..site.templating import Rendered
from ..site.wiki import TemplateProblem, Wiki
from .files import IncidentFile, LiveFile, WikiFile, taken
from .options import PostmortemsConfig, folder_problem, prefix, settings_from, templates_warning

log = get_plugin_logger(__name__)

ASSET_URIS = {"css": Layout.ASSET.format("postmortems.css"), "js": Layout.ASSET.format("postmortems.js")}


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):
    supports_multiple_instances = False

    def __init__(self):
        self.wiki: Wiki | None = None
        self.command, self.dirty = None, False  # set by on_startup when MkDocs' command line runs
        self.cache: LoadCache | None = None  # loaded incident files, by content (kept across `mkdocs serve` rebuilds)
        self.built: dict[str, str] = {}  # under --dirty: each generated page's fingerprint as the last build wrote it
        self.making: dict[str, str] = {}  # and as this build writes it (``built`` once it has finished)
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
        self.wiki, self.off = None, False
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
        for name, macro in (("uptime", self._uptime_macro), ("status", self._status_macro)):
            try:
                register({name: macro})
            except KeyError:  # another one is defined already (a main.py of the wiki's): that one stays
                log.info(f"mkdocs-macros already has a {name} macro: the wiki's figures are left to it in pages it renders")

    def _status_macro(self, service: str | None = None) -> str:
        try:
            return self.wiki.status(None, service) if self.wiki is not None else "n/a"
        except KeyError as error:
            log.warning(f"{{{{ status({service!r}) }}}} in a page mkdocs-macros rendered: {error.args[0]}")
            return "n/a"

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
            return self._wiki_files(files, config)
        except PluginError as error:
            if self.command != "serve":
                raise
            log.warning(f"{str(error).removeprefix('postmortems: ')} (the wiki is left out until this is fixed)")
            self.wiki = None
            return files

    def _wiki_files(self, files: Files, config) -> Files:
        if not _is_dir(self.incidents_dir):
            log.warning(f"incidents_dir '{self.config.incidents_dir}' is not a folder ({self.incidents_dir}); the wiki has no incidents")
        try:  # one instant for every page
            settings = self.settings.fixed()
        except ValueError as error:
            raise PluginError(f"postmortems: {error}") from None
        self.making = {}
        source = build.Source(self.incidents_dir, self.root, settings, self.layout, self.templates_dir,
                              config.site_url or "", config.site_name,
                              taken(files, config, self.incidents_dir, self.layout.prefix))
        try:
            planned = build.plan(source, self._cache(), secret=uuid.uuid4().hex)
            wiki = self.wiki = planned.wiki
            for skipped in planned.found.skipped:
                log.info(f"skipped: {display_path(skipped.path, self.root)} ({skipped.reason})")
            collection = planned.collection
            for problem in collection.problems:
                log.warning(str(problem))
            if collection.left_out:
                log.warning(f"{len(collection.left_out)} incident file(s) left out of the wiki until fixed: "
                            f"{', '.join(collection.left_out)}")
            for line in planned.report.caveats():
                log.warning(line)
            for problem in wiki.figure_problems():
                log.warning(str(problem))
            pages = [(item, item.make()) for item in wiki.plan()]  # a template error stops the build here
        except (TemplateProblem, ValueError) as error:
            self.wiki = None
            raise PluginError(f"postmortems: {error}") from None

        # Incident files inside docs_dir would be published twice: the generated page replaces them.
        for file in list(files):
            if file.abs_src_path and _inside(Path(file.abs_src_path), self.incidents_dir):
                files.remove(file)
        for incident in collection.incidents:
            self._add(files, IncidentFile.of(config, wiki.incident_uri(incident), collection.files[incident.id],
                                             partial(self._plugin_errors, wiki.incident_page, incident)))
        for item, rendered in pages:
            if item.uri.endswith(".md"):
                self._add(files, WikiFile.planned(config, item.uri, rendered, item.nav,
                                                  self.built if self.dirty else None, self.making))
            else:
                self._add(files, File.generated(config, item.uri, content=rendered.text))
        for file in [file for file in files.documentation_pages() if file.generated_by is None and file.abs_src_path]:
            text, reason = _page_text(file)
            if reason:  # MkDocs would stop the whole build with a traceback
                log.warning(f"{display_path(Path(file.abs_src_path), self.root)} {reason}: left out of the site until fixed")
                files.remove(file)
            elif self.dirty and has_figures(text):  # its live figures go stale with any incident: rebuild it too
                files.remove(file)
                files.append(LiveFile.of(file, config))
        for kind, uri in ASSET_URIS.items():
            self._add(files, File.generated(config, uri, abs_src_path=str(ASSETS / Path(uri).name)))
        # The loaded wiki lives until the build ends: keep the garbage collector from walking
        # its objects again at every full collection while MkDocs renders thousands of pages.
        gc.freeze()
        return files

    def _cache(self) -> LoadCache | None:
        """The loading cache: in memory under ``mkdocs serve``, and on disk when ``cache`` is on."""
        folder = (self.root / self.config.cache_dir).resolve() if self.config.cache else None
        if self.cache is None or self.cache.folder != folder:
            if self.cache is not None:
                self.cache.flush()
            # Under `mkdocs serve` the cache lives in memory; it is written to disk when the server stops.
            self.cache = (LoadCache(folder, deferred=self.command == "serve")
                          if folder is not None or self.command == "serve" else None)
        return self.cache

    def on_post_build(self, *, config) -> None:
        gc.unfreeze()
        self.built, self.making = self.making, {}
        if self.wiki is not None and (leaks := self.wiki.leaks(Path(config.site_dir))):  # the public site only
            if self.command != "serve":
                raise PluginError(f"postmortems: {leak_report(leaks)}")
            log.warning(leak_report(leaks))

    def on_build_error(self, *, error) -> None:
        gc.unfreeze()
        self.built, self.making = {}, {}  # what was written is not known: the next build writes every page

    def on_shutdown(self) -> None:
        if self.cache is not None:
            self.cache.flush()
        if self.watcher is not None:
            self.watcher.close()

    def _plugin_errors(self, make, *args) -> Rendered:
        try:
            return make(*args)
        except TemplateProblem as error:
            if self.command != "serve":
                raise PluginError(f"postmortems: {error}") from None
            log.warning(f"{error} (this page shows the error until it is fixed)")
            return Rendered(f"# Template error\n\n    {str(error).replace(chr(10), chr(10) + '    ')}\n")

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
        if isinstance(page.file, WikiFile):
            # The wiki's own pages are complete: writers' text in them (`{{ user.name }}` in a code span)
            # is not a template. mkdocs-macros honours this key.
            page.meta["render_macros"] = False
            return markdown
        path = display_path(Path(config.docs_dir) / page.file.src_uri, self.root)
        live = partial(substitute, markdown, self.wiki.report, path, layout=self.layout, page=page.file.src_uri)
        text, problems = live()
        if problems and page.meta:  # name the lines as the file has them, meta block included
            skipped = page.file.content_string.count("\n") - markdown.count("\n")
            problems = live(1 + max(skipped, 0))[1]
        for problem in problems:
            log.warning(str(problem))
        return text

    @event_priority(100)  # before search (and other plugins) read the HTML
    def on_page_content(self, html: str, /, *, page, config, files) -> str:
        if isinstance(page.file, WikiFile) and page.file.rendered is not None:
            return page.file.rendered.searchable(html)  # each island as a paragraph of its words
        return html

    @event_priority(-100)  # after search has indexed the light placeholders, before the theme renders
    def on_page_context(self, context, /, *, page, config, nav):
        if isinstance(page.file, WikiFile) and page.file.rendered is not None:
            page.content = page.file.rendered.filled(page.content)
            if isinstance(page.file, IncidentFile):
                page.file.rendered = None  # its islands are in place: let the page's HTML be all that stays
        return context

    def on_post_page(self, output: str, /, *, page, config) -> str:
        # Every page announces the Atom feeds in its head (a service's page its own too).
        return self.wiki.with_feed_links(output, page.file.src_uri) if self.wiki is not None else output

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

