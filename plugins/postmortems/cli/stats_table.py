"""``postmortems stats``: the displayed figures as a terminal table."""

from __future__ import annotations

from ..incidents.timeparse import local_text
from ..uptime.report import Report


def table(report: Report) -> str:
    """Windows down, the site and each service across."""
    tz = report.settings.tz
    columns = [("all services", report.site)] + list(report.services.items())
    header = ["window"] + [name for name, _ in columns]
    rows = [header]
    for key in report.site.windows:
        label = "all time" if key == "all" else f"last {key[:-1]} days"
        rows.append([label] + [scope.windows[key].display for _, scope in columns])
    rows.append(["incidents (all)"] + [str(scope.windows["all"].incidents) for _, scope in columns])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        f"Uptime as of {local_text(report.as_of, tz)} since {local_text(report.since, tz)} ({report.settings.timezone})",
        "",
    ]
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)

