"""Wikis the tests build in several places: many small incidents, and incidents with awkward bodies."""

from __future__ import annotations

from sitebuilder import incident

SERVICES = ["web", "api", "database", "cdn", "search"]
CAUSES = ["database", "deploy", "provider", "config"]


def many_incidents(count: int = 36) -> dict[str, str]:
    files = {}
    for n in range(count):
        month, day = 1 + n % 6, 1 + (n * 7) % 27
        services = [SERVICES[n % 5], SERVICES[(n + 2) % 5]][: 1 + n % 2]
        extra = "\n".join([
            "cause:", f"  category: {CAUSES[n % 4]}", f'  summary: "cause number {n} & <friends>"',
            f"tags: [t{n % 3}, shared]",
            "action_items:", f'  - title: "Follow-up {n}"', "    owner: Ana",
            f"    status: {'open' if n % 3 else 'done'}", f"    due: 2013-0{month}-28",
            *([f"related: [2013-{1 + (n - 7) % 6:02d}-x{n - 7:02d}]"] if n >= 7 and n % 7 == 0 else []),
        ])
        files[f"2013-{month:02d}-x{n:02d}.md"] = incident(
            title=f'"Incident {n}: {services[0]} trouble"', severity=f"SEV{1 + n % 4}",
            started=f"2013-{month:02d}-{day:02d} {n % 24:02d}:05", resolved=f"2013-{month:02d}-{day:02d} {n % 24:02d}:50",
            services="[" + ", ".join(services) + "]", downtime=n % 40, extra=extra)
    return files


def with_links(incidents: dict[str, str]) -> dict[str, str]:
    """Bodies that link to another incident (with an anchor), to the home page and to themselves."""
    names = sorted(incidents)
    return {name: text.replace("Too many app servers.\n", f"Too many app servers, like [before]({names[n - 1]}#summary).\n\n"
                               f"See [home](../index.md) and [this summary](#summary).\n\n### Notes\n\n- `code` & <b>bold</b>\n")
            for n, (name, text) in enumerate(sorted(incidents.items()))}


BODIES = {
    "plain": "## Summary\n\nToo many app servers.\n",
    "own timeline": "## Summary\n\nSee [the timeline](#timeline) and [ours](#timeline_1).\n\n## Timeline\n\nOur own notes.\n",
    "deep end": "## Summary\n\nText.\n\n### Details\n\n#### Even deeper\n\nMore.\n",
    "h1 inside": "Intro.\n\n# Appendix\n\n### Loose\n\nText.\n",
    "taken ids": "## Follow-up actions\n\n## Follow-up actions\n\nTwice.\n\n## Timeline_1\n",
    "no headings": "Just a paragraph & <b>bold</b>.\n",
}


def awkward_incidents() -> dict[str, str]:
    extra = """
    contributing_factors: [One, "Two & <three>"]
    action_items:
      - title: Fix it
    related: [2013-06-01-plain]
    """
    return {f"2013-06-{n + 1:02d}-{name.replace(' ', '-')}.md":
            incident(title=f'"Case {name}"', started=f"2013-06-{n + 1:02d} 10:00", resolved=f"2013-06-{n + 1:02d} 11:00",
                     extra=extra if n else "", body=body)
            for n, (name, body) in enumerate(BODIES.items())}
