"""Live figures in Markdown: ``{{ uptime("90d") }}`` or ``{{ uptime("all", service="web") }}``.

One rule for every page, hand-written or an incident's body: a figure is the
report's display (marked ``(incomplete)`` while some incident file cannot be
counted), its ``>`` written ``&gt;`` so that no line starts a quote; code spans,
fenced code blocks, HTML comments and ``<pre>``/``<code>`` elements are left as written; a figure that
names an unknown window or service becomes ``n/a`` with a problem.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..incidents.problems import Problem

_FIGURE = (r"""\{\{\s*uptime\(\s*(?P<q1>["'])(?P<window>[^"'\n]*)(?P=q1)\s*"""
           r"""(?:,\s*(?:service\s*=\s*)?(?P<q2>["'])(?P<service>[^"'\n]*)(?P=q2)\s*)?\)\s*\}\}""")
# Fenced code blocks and code spans first, so a figure inside them is never replaced.
_TOKENS = re.compile(
    r"(?P<fence>^[ \t]{0,3}(?P<mark>`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}(?P=mark)[ \t]*$|\Z))"
    r"|(?P<span>(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`))"
    r"|(?P<html><!--.*?-->|<(?P<tag>pre|code|script|style)\b[^>]*>.*?</(?P=tag)\s*>)"
    r"|(?P<figure>" + _FIGURE + ")"
    r"|(?P<broken>\{\{\s*uptime\s*\()",
    re.MULTILINE | re.DOTALL,
)


def substitute(markdown: str, report, path: str = "", first_line: int = 1) -> tuple[str, list[Problem]]:
    """``markdown`` with every live figure in place, and a problem for each that cannot be shown.

    ``path`` and ``first_line`` say where the text comes from, for the problems' ``file:line``."""
    if "uptime(" not in markdown:
        return markdown, []
    problems: list[Problem] = []

    def replace(match: re.Match) -> str:
        if match.group("figure") is None and match.group("broken") is None:
            return match.group(0)
        line = first_line + markdown.count("\n", 0, match.start())
        if match.group("broken") is not None:
            problems.append(Problem(path, "{{ uptime( that does not read as a figure: write {{ uptime(\"90d\") }} "
                                    "or {{ uptime(\"all\", service=\"web\") }}", "body", line))
            return match.group(0)
        try:  # '>' as an entity: at the start of a line Markdown would read it as a quote
            return report.figure(match.group("window"), match.group("service")).replace(">", "&gt;")
        except KeyError as error:
            problems.append(Problem(path, f"{match.group('figure')}: {error.args[0]}", "body", line))
            return "n/a"

    return _TOKENS.sub(replace, markdown), problems


def body_problems(incidents, report) -> list[Problem]:
    """Live figures in incident bodies that cannot be shown, each naming its line in the body."""
    return [replace(problem, message=f"body line {problem.line}: {problem.message}", line=None)
            for incident in incidents if "uptime(" in incident.body
            for problem in substitute(incident.body, report, incident.file)[1]]
