"""MkDocs ``File`` objects whose content the wiki makes when MkDocs first reads it (adapter side)."""

from __future__ import annotations

from collections.abc import Callable

from mkdocs.structure.files import File, InclusionLevel
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
