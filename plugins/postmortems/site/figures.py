"""Live figures in Markdown: ``{{ uptime("90d") }}`` or ``{{ uptime("all", service="web") }}``, and the
current status, ``{{ status() }}`` or ``{{ status("web") }}``.

One rule for every page, hand-written or an incident's body: a figure is the
report's display (marked ``(incomplete)`` while some incident file cannot be
counted), its ``>`` written ``&gt;`` so that no line starts a quote; the status is the
block of ``site.status`` (finished HTML on one line, set apart by blank lines when it stands
alone on its line, so Markdown takes it as a raw block). Code spans,
fenced code blocks, HTML comments and ``<pre>``/``<code>`` elements are left as written; a figure that
names an unknown window or service becomes ``n/a`` with a problem.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..incidents.problems import Problem
from .status import status_html

NAMES = ("uptime(", "status(")  # a page without either has no live figure
_FIGURE = (r"""\{\{\s*uptime\(\s*(?P<q1>["'])(?P<window>[^"'\n]*)(?P=q1)\s*"""
           r"""(?:,\s*(?:service\s*=\s*)?(?P<q2>["'])(?P<service>[^"'\n]*)(?P=q2)\s*)?\)\s*\}\}""")
_STATUS = (r"""\{\{\s*status\(\s*(?:(?:service\s*=\s*)?(?P<q3>["'])(?P<scope>[^"'\n]*)(?P=q3)\s*)?\)\s*\}\}""")
# Fenced code blocks and code spans first, so a figure inside them is never replaced.
_TOKENS = re.compile(
    r"(?P<fence>^[ \t]{0,3}(?P<mark>`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}(?P=mark)[ \t]*$|\Z))"
    r"|(?P<span>(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`))"
    r"|(?P<html><!--.*?-->|<(?P<tag>pre|code|script|style)\b[^>]*>.*?</(?P=tag)\s*>)"
    r"|(?P<figure>" + _FIGURE + ")"
    r"|(?P<status>" + _STATUS + ")"
    r"|(?P<broken>\{\{\s*(?P<name>uptime|status)\s*\()",
    re.MULTILINE | re.DOTALL,
)


def has_figures(markdown: str) -> bool:
    """Whether ``markdown`` may hold a live figure (a cheap test before ``substitute``)."""
    return any(name in markdown for name in NAMES)


def substitute(markdown: str, report, path: str = "", first_line: int = 1, *, layout=None,
               page: str | None = None) -> tuple[str, list[Problem]]:
    """``markdown`` with every live figure in place, and a problem for each that cannot be shown.

    ``path`` and ``first_line`` say where the text comes from, for the problems' ``file:line``;
    ``layout`` and ``page`` (the page's source path) make the status block's links (from the
    site's root when ``page`` is None)."""
    if not has_figures(markdown):
        return markdown, []
    problems: list[Problem] = []

    def replace(match: re.Match) -> str:
        if match.group("figure") is None and match.group("broken") is None and match.group("status") is None:
            return match.group(0)
        line = first_line + markdown.count("\n", 0, match.start())
        if match.group("broken") is not None:
            example = ('{{ status() }} or {{ status("web") }}' if match.group("name") == "status"
                       else '{{ uptime("90d") }} or {{ uptime("all", service="web") }}')
            problems.append(Problem(path, f"{{{{ {match.group('name')}( that does not read as a figure: write {example}",
                                    "body", line))
            return match.group(0)
        if match.group("status") is not None:
            try:
                block = status_html(report, layout, page, match.group("scope"))
            except KeyError as error:
                problems.append(Problem(path, f"{match.group('status')}: {error.args[0]}", "body", line))
                return "n/a"
            return _block(markdown, match, block)
        try:  # '>' as an entity: at the start of a line Markdown would read it as a quote
            return report.figure(match.group("window"), match.group("service")).replace(">", "&gt;")
        except KeyError as error:
            problems.append(Problem(path, f"{match.group('figure')}: {error.args[0]}", "body", line))
            return "n/a"

    return _TOKENS.sub(replace, markdown), problems


def _block(markdown: str, match: re.Match, html: str) -> str:
    """The status block where ``match`` stood: with blank lines around it when it stands alone on its
    line (unindented), so Markdown reads it as a raw HTML block; else as it is, inline."""
    before = markdown.rfind("\n", 0, match.start()) + 1
    after = markdown.find("\n", match.end())
    after = len(markdown) if after < 0 else after
    if before == match.start() and not markdown[match.end():after].strip():
        return f"\n{html}\n"
    return html


def body_problems(incidents, report) -> list[Problem]:
    """Live figures in incident bodies that cannot be shown, each naming its line in the body."""
    return [replace(problem, message=f"body line {problem.line}: {problem.message}", line=None)
            for incident in incidents if has_figures(incident.body)
            for problem in substitute(incident.body, report, incident.file)[1]]
