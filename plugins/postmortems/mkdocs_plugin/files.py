"""MkDocs ``File`` objects whose content the wiki makes when MkDocs first reads it (adapter side)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page


class IncidentFile(File):
    """An incident's page. MkDocs reads the Markdown the wiki renders from the loaded
    incident, so it never parses the frontmatter a second time; ``abs_src_path`` stays
    the incident's own file, so ``--dirty`` and other plugins see where it comes from."""

    render: Callable[[], str]

    @property
    def content_string(self) -> str:
        return self.render()


class IncidentPage(Page):
    """An incident's page, whose HTML the worker process may have made already (see ``worker_html``)."""

    def __init__(self, file: IncidentFile, config, converted: Callable[[Page, object], object | None]):
        super().__init__(None, file, config)
        self.converted = converted  # the worker's HTML for this page and config, if it fits

    def render(self, config, files) -> None:
        html = self.converted(self, config)
        if html is None or not html.apply(self, files):
            super().render(config, files)


class LaterFile(File):
    """A generated page or file whose text is made (or fetched from the worker process)
    when MkDocs first reads it. MkDocs reads pages in the order of ``files``, so pages
    added last are read after every incident page."""

    make: Callable[[], str]
    _text: str | None = None

    @classmethod
    def planned(cls, config, uri: str, make: Callable[[], str], nav: bool) -> LaterFile:
        file = cls.generated(config, uri, content="",
                             inclusion=InclusionLevel.INCLUDED if nav else InclusionLevel.NOT_IN_NAV)
        file._text, file.make = None, make
        return file

    @property
    def _content(self) -> str:  # what File.content_string, copy_file and is_modified read
        if self._text is None:
            self._text = self.make()
        return self._text

    @_content.setter
    def _content(self, value: str | bytes | None) -> None:
        self._text = value


class LiveFile(File):
    """A page of ``docs_dir`` that shows live figures: always rebuilt, ``--dirty`` or not, since its
    figures change when any incident does."""

    @classmethod
    def of(cls, file: File, config) -> LiveFile:
        return cls(file.src_uri, config.docs_dir, config.site_dir, config.use_directory_urls,
                   dest_uri=file.dest_uri, inclusion=file.inclusion)

    def is_modified(self) -> bool:
        return True


def taken(files: Files, config, incidents_dir: Path, prefix: str) -> dict[str, str]:
    """The builder's own outputs that an incident could clash with (output path -> what it is):
    pages and files of docs_dir and of other plugins, the theme's files and templates
    (``sitemap.xml``, ``404.html``). Files of the incidents folder do not count: the wiki
    replaces them. Only paths under ``prefix``, or folders above it, can clash."""
    docs_dir = Path(config.docs_dir)
    root = Path(config.config_file_path or ".").resolve().parent
    docs = os.path.relpath(docs_dir, root) if docs_dir.is_relative_to(root) else str(docs_dir)
    outputs = {}
    for file in files:
        if file.inclusion.is_excluded() or (file.abs_src_path and Path(file.abs_src_path).resolve().is_relative_to(incidents_dir)):
            continue
        if file.generated_by:
            outputs[file.dest_uri] = f"{file.src_uri} (made by the plugin {file.generated_by})"
        elif file.src_dir and Path(file.src_dir).resolve() == docs_dir.resolve():
            outputs[file.dest_uri] = f"your {'page' if file.is_documentation_page() else 'file'} {docs}/{file.src_uri}"
        else:
            outputs[file.dest_uri] = f"the theme's {file.src_uri}"
    for name in config.theme.static_templates:
        outputs[name] = f"the theme's {name}"
        if name == "sitemap.xml":
            outputs["sitemap.xml.gz"] = "the theme's sitemap.xml.gz"
    for name in config.extra_templates:
        outputs[name] = f"the extra template {name}"
    return {path: what for path, what in outputs.items()
            if not prefix or path.startswith(prefix) or prefix.startswith(path + "/")}
