"""``{{ uptime("90d") }}`` and ``{{ status() }}`` as a Python-Markdown extension (a front end, like the plugin and the CLI).

For builders that run Markdown extensions but not MkDocs plugins (Zensical), or pages the
plugin does not see. In ``mkdocs.yml``::

    markdown_extensions:
      - postmortems.markdown            # or: postmortems.markdown: {config_file: mkdocs.yml}

It finds the wiki's configuration as the command line does, loads the incidents once per
process (again only when an incident file changes) and replaces every live figure before
any other extension reads the page, leaving code spans and fenced code as written. Under
``mkdocs build`` with the plugin, the plugin has already replaced the figures of every page,
so this finds none left: both may be listed. A status block's links to incident pages are written
from the site's root (an extension does not know the page it converts).
"""

from __future__ import annotations

import logging
from pathlib import Path

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from ..site.figures import has_figures, substitute

log = logging.getLogger("mkdocs.plugins.postmortems.markdown")  # under MkDocs, strict mode counts these
_reports: dict[tuple, tuple] = {}  # (config file, incident files and versions) -> (uptime report, layout)


def report_for(config_file: str | None):
    """The uptime report of the wiki configured in ``config_file`` (default: found in the working folder)."""
    return live_for(config_file)[0]


def live_for(config_file: str | None) -> tuple:
    """The uptime report and the site's layout of the wiki configured in ``config_file``."""
    from .. import build
    from ..incidents.loader import file_version, find_incidents
    from ..mkdocs_plugin.config import read_wiki_config

    wiki = read_wiki_config(Path(config_file) if config_file else None)
    found = find_incidents(wiki.incidents_dir)
    key = (str(wiki.config_file), tuple((str(path), file_version(path)) for path in found.paths))
    if key not in _reports:
        _reports.clear()
        source = wiki.source(wiki.settings.fixed())
        _reports[key] = (build.report(source, build.load(source)), wiki.layout)
    return _reports[key]


class FigurePreprocessor(Preprocessor):
    def __init__(self, md: Markdown, config_file: str):
        super().__init__(md)
        self.config_file = config_file or None

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if not has_figures(text):
            return lines
        try:
            report, layout = live_for(self.config_file)
        except Exception as error:  # a front end: say what went wrong, keep the page
            log.warning(f"postmortems: live figures are left as written: {error}")
            return lines
        text, problems = substitute(text, report, layout=layout)
        for problem in problems:
            log.warning(f"postmortems: line {problem.line}: {problem.message}")
        return text.split("\n")


class UptimeExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {"config_file": ["", "the wiki's mkdocs.yml (default: the first of properdocs.yml, "
                                           "properdocs.yaml, mkdocs.yml, mkdocs.yaml, zensical.toml in the working folder)"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        # After whitespace is normalised (30), before fenced code (25) and raw HTML (20) are set aside.
        md.preprocessors.register(FigurePreprocessor(md, self.getConfig("config_file")), "postmortems_figures", 28)


def makeExtension(**kwargs) -> UptimeExtension:  # noqa: N802 (Python-Markdown's name)
    return UptimeExtension(**kwargs)
