"""Incident pages converted from Markdown to HTML in the worker process, as MkDocs would (adapter side).

MkDocs converts every page in the builder, one after the other; at thousands of incidents
that is half of the build. The worker converts the incident pages from the last one while
the builder works from the first, and the builder takes each page the worker has finished
(``IncidentPage``). The worker runs MkDocs' own ``Page.render`` with the site's Markdown
extensions and a copy of its file list, so links resolve to the same pages.

The builder converts a page again itself when the worker's conversion logged anything (a
broken link: the builder then logs it, once) or failed, when another plugin changed the
page's Markdown in ``on_page_markdown``, or when the Markdown extensions changed since.
"""

from __future__ import annotations

import logging
import pickle
from dataclasses import dataclass
from types import SimpleNamespace

from mkdocs.structure.files import Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data
from mkdocs.structure.toc import TableOfContents

from .background import incident_pages

CHUNK = 50  # pages per message: small, so little is lost where the two processes meet
PAGES_LOG = "mkdocs.structure.pages"


@dataclass(frozen=True)
class Target:
    """What resolving a link reads of a ``File``."""

    src_uri: str
    url: str
    inclusion: InclusionLevel


@dataclass(frozen=True)
class Setup:
    """What converting a page depends on besides its Markdown."""

    extensions: list
    configs: dict
    use_directory_urls: bool
    links: dict  # config.validation.links
    files: tuple[Target, ...]
    level: int  # records from this level up make the builder convert the page itself

    def same_markdown(self, config) -> bool:
        return config.markdown_extensions == self.extensions and (config.mdx_configs or {}) == self.configs


@dataclass
class Html:
    """One page converted by the worker: what ``Page.render`` sets."""

    markdown: str
    content: str
    toc: TableOfContents
    title: str | None
    anchors: set[str]
    links_to_anchors: dict[str, dict[str, str]]  # by the linked file's src_uri

    def apply(self, page: Page, files) -> bool:
        """Fill in the page as ``Page.render`` would; False when a linked file is no longer there."""
        links = {}
        for uri, anchors in self.links_to_anchors.items():
            if (file := files.get_file_from_path(uri)) is None:
                return False
            links[file] = anchors
        page.content, page.toc, page._title_from_render = self.content, self.toc, self.title
        page.present_anchor_ids, page.links_to_anchors = self.anchors, links  # set above debug level (see setup_from)
        return True


def setup_from(config, files) -> Setup | None:
    """What the worker needs to convert pages like this build, or None when it cannot."""
    level = logging.getLogger(PAGES_LOG).getEffectiveLevel()
    if level <= logging.DEBUG or not all(isinstance(name, str) for name in config.markdown_extensions):
        return None  # debug logging, or extension objects added by a plugin: convert here
    links = config.validation.links
    setup = Setup(list(config.markdown_extensions), dict(config.mdx_configs or {}), bool(config.use_directory_urls),
                  {"absolute_links": links.absolute_links, "unrecognized_links": links.unrecognized_links,
                   "not_found": links.not_found},
                  tuple(Target(file.src_uri, file.url, file.inclusion) for file in files), min(level, logging.WARNING))
    try:
        pickle.dumps((setup.extensions, setup.configs, setup.links))
    except Exception:  # e.g. a function an extension's options name that cannot be sent
        return None
    return setup


def fitting(html: Html | None, setup: Setup | None, page: Page, config) -> Html | None:
    """The worker's HTML if it was made from this Markdown (no plugin changed it since) and these extensions."""
    if html is None or setup is None or html.markdown != page.markdown or not setup.same_markdown(config):
        return None
    return html


# In the worker process ---------------------------------------------------------
class _Config(dict):
    """The part of MkDocs' config that ``Page.render`` and its link processor read."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


_setups: dict[str, tuple[Setup, _Config, Files]] = {}


def remember(token: str, setup: Setup) -> None:
    config = _Config(markdown_extensions=setup.extensions, mdx_configs=setup.configs,
                     use_directory_urls=setup.use_directory_urls,
                     validation=SimpleNamespace(links=SimpleNamespace(**setup.links)))
    _setups.clear()  # one build at a time
    _setups[token] = (setup, config, Files(setup.files))


def convert_pages(token: str, start: int, stop: int) -> dict:
    """``background.incident_pages``, each with its ``Html`` (or None: the builder converts it)."""
    pages = incident_pages(token, start, stop)
    if token not in _setups:
        return pages
    setup, config, files = _setups[token]
    records = _Records()
    root = logging.getLogger()
    root.setLevel(setup.level)
    root.addHandler(records)
    try:
        for uri, (markdown, islands, _) in pages.items():
            pages[uri] = (markdown, islands, _convert(markdown, files.get_file_from_path(uri), config, files, records))
    finally:
        root.removeHandler(records)
    return pages


def _convert(markdown: str, file, config, files, records: _Records) -> Html | None:
    if file is None:
        return None
    markdown, _meta = get_data(markdown)  # as MkDocs' Page.read_source leaves it: without the meta block
    page = Page.__new__(Page)  # only what Page.render reads: its file and Markdown
    page.file, page.markdown = file, markdown
    records.count = 0
    try:
        page.render(config, files)
    except Exception:
        return None
    if records.count:
        return None
    links = {target.src_uri: anchors for target, anchors in (page.links_to_anchors or {}).items()}
    return Html(markdown, page.content, page.toc, page._title_from_render, page.present_anchor_ids, links)


class _Records(logging.Handler):
    """Counts what a conversion logs."""

    count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
