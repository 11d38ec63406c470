"""MkDocs ``File`` objects for the wiki's pages, and for pages of ``docs_dir`` that show live figures."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from mkdocs.structure.files import File, Files, InclusionLevel

from ..site.templating import Rendered


class WikiFile(File):
    """A page the wiki generates, with the islands of HTML its Markdown leaves placeholders for
    (``rendered``): an overview page (rendered before the build) or an incident's page."""

    rendered: Rendered | None = None
    unchanged: bool = False  # under `--dirty`: the same page as the last build wrote, so MkDocs may skip it

    @classmethod
    def planned(cls, config, uri: str, rendered: Rendered, nav: bool, built: dict | None = None,
                making: dict | None = None) -> WikiFile:
        """The page of ``uri``. ``built``: what the last build under ``--dirty`` wrote (page -> fingerprint);
        a page it wrote the same, and whose HTML is still there, is not built again. This page's
        fingerprint goes into ``making``, what this build writes."""
        file = cls.generated(config, uri, content=rendered.text,
                             inclusion=InclusionLevel.INCLUDED if nav else InclusionLevel.NOT_IN_NAV)
        file.rendered = replace(rendered, text="")  # MkDocs holds the text; the file, the islands
        if built is not None and making is not None:
            making[uri] = rendered.fingerprint()
            file.unchanged = built.get(uri) == making[uri] and os.path.isfile(file.abs_dest_path)
        return file

    def is_modified(self) -> bool:
        return not self.unchanged and super().is_modified()


class IncidentFile(WikiFile):
    """An incident's page. Its Markdown is rendered from the loaded incident when MkDocs first reads
    it, so the frontmatter is never parsed a second time; ``abs_src_path`` stays the incident's own
    file, so ``--dirty`` and other plugins see where it comes from."""

    make: Callable[[], Rendered]

    @classmethod
    def of(cls, config, uri: str, path: Path, make: Callable[[], Rendered]) -> IncidentFile:
        file = cls.generated(config, uri, abs_src_path=str(path), inclusion=InclusionLevel.NOT_IN_NAV)
        file.make = make
        return file

    @property
    def content_string(self) -> str:
        made = self.make()  # rendered again if read again: the page keeps the Markdown, this file only its islands
        self.rendered = replace(made, text="")
        return made.text


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
