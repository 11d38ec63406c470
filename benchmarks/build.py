"""Build benchmark: an N-incident wiki with the plugin against the same pages as plain Markdown.

    NO_MKDOCS_2_WARNING=1 python benchmarks/build.py N [--repeat R] [--corpus rich|plain] [--cpu N]
                                                       [--keep DIR] [--profile] [--phases] [--seed S]

Generates N synthetic incidents (deterministic for a seed and corpus) and writes two sites:

* ``wiki/``:  mkdocs.yml (Material, search, postmortems), docs/index.md, incidents/*.md
* ``floor/``: the same incident files as plain pages in docs/incidents/, not in the nav,
  Material + search and the same Markdown extensions, no postmortems plugin.

``--corpus rich`` (the default) is the project's usual corpus with its Markdown extensions;
``--corpus plain`` has plain Markdown bodies of about 4 KB, exactly 5 timeline entries and one
action item per incident, and ``markdown_extensions: []`` on both sides.

Then times ``python -m mkdocs build -q`` as a fresh subprocess pinned to one core
(``taskset -c N``, ``--cpu``, default 0), three sides alternating in each of R repeats:
``wiki`` (cold: the loading cache in ``wiki/.cache`` is deleted first), ``warm`` (the same
wiki with the loading cache a previous build left; primed once before timing) and ``floor``.
It prints the medians, the ratios wiki/floor and warm/floor, each side's peak RSS (from
``os.wait4``), whether the warm site is the cold one byte for byte, and the sizes of the
big generated pages.

``--profile`` instead builds the wiki once (cold) in a forked process under cProfile
(``load_config`` + ``build``) and prints the top 30 functions by cumulative and by
total time, the postmortems functions, the big MkDocs/Markdown/search phases and the
total time per package. The raw profile is saved as ``plugin.prof`` in the work dir.

``--phases`` instead builds the wiki cold, the wiki warm and the floor once each in a forked
process pinned to the core, without a profiler, and prints the seconds per MkDocs phase and
page kind, the plugin's steps (``build.load``, ``build.report``, ``Wiki.plan``,
``Wiki.render``), garbage collector pauses, peak RSS and the slowest pages. See
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

TZ_NAME = "America/New_York"
TZ = ZoneInfo(TZ_NAME)
SINCE = datetime(2019, 1, 1, tzinfo=TZ)
AS_OF = datetime(2024, 1, 1, tzinfo=TZ)  # 5 years
SERVICES = ["web", "api", "checkout", "search", "auth", "payments", "notifications", "database", "cdn", "workers"]
SEVERITIES = [("SEV1", 8), ("SEV2", 22), ("SEV3", 40), ("SEV4", 30)]
CAUSES = {
    "deploy": ["a release shipped a regression that the canary did not catch",
               "a deploy went out with a migration that locked a hot table",
               "a rollback script reverted only half of the services"],
    "config": ["a configuration push set a timeout to zero",
               "a feature flag was flipped for every customer instead of one percent",
               "a typo in the load balancer config sent traffic to a drained pool"],
    "capacity": ["traffic grew past what the connection pools could hold",
                 "a batch job and peak traffic competed for the same workers",
                 "autoscaling lagged behind a sudden spike by several minutes"],
    "dependency": ["a third-party API started timing out and we retried without backoff",
                   "an upstream SDK update changed its default retry policy"],
    "provider": ["our cloud provider lost an availability zone",
                 "the hosting provider throttled disk IO on shared volumes"],
    "network": ["packet loss between two datacenters broke replication",
                "a BGP change at the transit provider blackholed part of our traffic"],
    "database": ["a replica fell behind and served stale reads",
                 "autovacuum could not keep up and a table bloated until queries stalled",
                 "a long-running query held locks that blocked every write"],
    "certificate": ["a TLS certificate expired because the renewal job had been failing silently"],
    "dns": ["a DNS record was deleted during a cleanup",
            "a low TTL change was not propagated before the cutover"],
    "hardware": ["a disk controller failed on the primary storage node",
                 "a memory fault on one host corrupted cache entries"],
    "human-error": ["a manual command ran against production instead of staging",
                    "an operator restarted the wrong cluster during maintenance"],
    "security": ["a credential was rotated without updating every consumer",
                 "an aggressive WAF rule blocked legitimate requests"],
}
CATEGORIES = list(CAUSES)
TAGS = ["postgresql", "redis", "kafka", "kubernetes", "aws", "gcp", "tls", "dns", "cdn", "deploy", "rollback",
        "feature-flag", "timeouts", "retries", "autoscaling", "disk", "memory", "cpu", "queue", "cron", "migration",
        "cache", "load-balancer", "rate-limit", "oncall", "customer-facing", "data-loss", "third-party",
        "monitoring-gap", "runbook"]
PEOPLE = ["Priya", "Dan", "Marcus", "Aiko", "Lena", "Tomás", "Noor", "Sam", "Oluwaseun", "Ines", "Jakob", "Mei"]
SYMPTOMS = ["returns 502s", "times out", "serves stale data", "drops requests", "is slow", "rejects logins",
            "loses messages", "fails health checks", "runs out of connections", "serves errors to a region",
            "double-charges some customers", "stops sending email", "fills its disk", "crash-loops"]
TRIGGERS = ["after a deploy", "during a traffic spike", "after a config push", "during maintenance",
            "after a certificate expiry", "during a provider outage", "after a schema migration",
            "after a dependency upgrade", "during a failover", "after a cron job overran"]
VERBS = ["noticed", "saw", "confirmed", "suspected", "ruled out", "traced", "found", "rolled back", "restarted",
         "scaled up", "drained", "paged", "patched", "throttled", "failed over"]
OBJECTS = ["the connection pool", "the primary database", "the cache cluster", "the load balancer", "the worker queue",
           "the canary hosts", "the edge nodes", "the message broker", "the session store", "the search index",
           "the payment gateway client", "the DNS zone", "the ingress controller", "the batch scheduler"]
METRICS = ["p99 latency", "error rate", "queue depth", "replication lag", "CPU steal", "open connections",
           "5xx responses", "GC pause time", "disk IO wait", "cache hit ratio"]
FIXES = ["restart", "drain", "scale up", "fail over", "roll back", "throttle", "patch", "rebuild"]
ADVERBS = ["quickly", "eventually", "only after a second look", "within minutes", "after some confusion",
           "late in the evening", "while the pager kept firing", "with help from the vendor"]
FACTORS = ["The alert threshold was set too high to fire before customers noticed.",
           "The runbook described a setup we retired last year.",
           "Two teams assumed the other one owned the component.",
           "The dashboard aggregated away the one host that was failing.",
           "Retries multiplied the load on an already struggling dependency.",
           "The staging environment had a tenth of production's data.",
           "Nobody had tested the failover path since it was built.",
           "The change was merged late on a Friday without a second reviewer."]
ACTIONS = ["Add an alert on {m} for {s}", "Write a runbook for failing over {o}", "Load test {s} at twice peak traffic",
           "Cap retries with exponential backoff in {s}", "Move {o} to its own hosts", "Automate renewal checks for {s}",
           "Add a canary stage for {s} deploys", "Document ownership of {o}", "Review timeouts between {s} and {o}",
           "Practice restoring {o} from backup"]


def weighted(rng: random.Random, pairs):
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def stamp(moment: datetime, rng: random.Random) -> str:
    """A YAML timestamp: mostly ISO with an offset (YAML datetime), some naive text in the site zone."""
    local = moment.astimezone(TZ)
    naive = rng.random() < 0.2
    if naive and local.replace(fold=0).utcoffset() == local.replace(fold=1).utcoffset():  # not in a DST fold
        return f'"{local:%Y-%m-%d %H:%M}"'
    return local.isoformat()


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


class Sentences:
    def __init__(self, rng: random.Random, services: list[str], category: str, related: list[str]):
        self.rng, self.services, self.category, self.related = rng, services, category, related

    def one(self) -> str:
        r = self.rng
        s, o, m = r.choice(self.services), r.choice(OBJECTS), r.choice(METRICS)
        options = [
            f"{r.choice(PEOPLE)} {r.choice(VERBS)} {o} {r.choice(ADVERBS)}, and {m} on `{s}` moved within minutes.",
            f"The {m} for **{s}** climbed to {r.randint(2, 40)} times its usual value before anyone looked at {o}.",
            f"We first thought {o} was to blame, but the graphs for {s} showed the {m} rising earlier.",
            f"Customers using {s} saw errors for about {r.randint(3, 90)} minutes; support received {r.randint(2, 300)} tickets.",
            f"Nothing in the deploy log explained it, so {r.choice(PEOPLE)} compared `{s}` hosts one by one.",
            f"The fix was to {r.choice(FIXES)} {o} and wait for the {m} to settle back under its threshold.",
            f"In hindsight the {self.category} signal was visible in the {m} panel {r.randint(5, 45)} minutes before the page.",
            "We kept a log of every command in the incident channel, which made this write-up much easier.",
            f"Rolling back took longer than expected because the previous build of {s} had already been garbage-collected.",
            f"About {r.randint(1, 60)}% of requests to {s} were affected at the worst point, mostly from the {r.choice(['EU', 'US', 'APAC'])} region.",
        ]
        if self.related:
            other = r.choice(self.related)
            options.append(f"This looked a lot like [an earlier incident]({other}.md), so we tried the same mitigation first.")
        return r.choice(options)

    def paragraph(self, n: int) -> str:
        return textwrap.fill(" ".join(self.one() for _ in range(n)), 88)


def body(rng: random.Random, services: list[str], category: str, summary: str, related: list[str], words: int) -> str:
    say = Sentences(rng, services, category, related)
    parts = ["## Summary", "", textwrap.fill(f"{summary[0].upper()}{summary[1:]}. " + " ".join(say.one() for _ in range(2)), 88), "",
             "## Impact", "", say.paragraph(rng.randint(2, 4)), "",
             "## Root cause", "", say.paragraph(rng.randint(2, 4)), ""]
    if rng.random() < 0.3:
        s = rng.choice(services)
        parts += ["```text", f"{s}-{rng.randint(1, 40):02d} ERROR upstream timed out after {rng.randint(1, 30)}s",
                  f"{s}-{rng.randint(1, 40):02d} WARN pool exhausted: {rng.randint(50, 500)} waiting", "```", ""]
    parts += ["## Resolution", "", say.paragraph(rng.randint(2, 3)), ""]
    if rng.random() < 0.2:
        parts += ["!!! note", "", "    " + say.one(), ""]
    parts += ["## What went well", ""] + [f"- {say.one()}" for _ in range(rng.randint(1, 3))] + [""]
    parts += ["## What went wrong", ""] + [f"- {say.one()}" for _ in range(rng.randint(1, 3))] + [""]
    text = "\n".join(parts)
    # Pad with "Where we got lucky" until the target word count.
    lucky = []
    while len(text.split()) + sum(len(s.split()) for s in lucky) < words:
        lucky.append(say.one())
    if lucky:
        text += "\n## Where we got lucky\n\n" + textwrap.fill(" ".join(lucky), 88) + "\n"
    return text


def plain_body(rng: random.Random, services: list[str], category: str, summary: str, related: list[str],
               chars: int) -> str:
    """A body of plain Markdown (headings, paragraphs, lists, inline code, bold, links) of about
    ``chars`` characters: no fenced code, no admonition, nothing an extension would be needed for."""
    say = Sentences(rng, services, category, related)
    parts = ["## Summary", "", textwrap.fill(f"{summary[0].upper()}{summary[1:]}. " + " ".join(say.one() for _ in range(2)), 88), "",
             "## Impact", "", say.paragraph(rng.randint(3, 5)), "",
             "## Root cause", "", say.paragraph(rng.randint(4, 7)), "",
             "## Resolution", "", say.paragraph(rng.randint(3, 5)), ""]
    parts += ["## What went well", ""] + [f"- {say.one()}" for _ in range(rng.randint(2, 4))] + [""]
    parts += ["## What went wrong", ""] + [f"- {say.one()}" for _ in range(rng.randint(2, 4))] + [""]
    text = "\n".join(parts)
    lucky: list[str] = []
    while len(text) + len(" ".join(lucky)) + 25 < chars:  # "## Where we got lucky" and its blank lines
        lucky.append(say.one())
    if lucky:
        text += "\n## Where we got lucky\n\n" + textwrap.fill(" ".join(lucky), 88) + "\n"
    return text


CORPORA = ("rich", "plain")


def generate(n: int, seed: int = 1, corpus: str = "rich") -> list[tuple[str, str]]:
    """``(file name, text)`` for N incidents, oldest first.

    ``rich``: bodies of 300 to 600 words with fenced code and admonitions, 3 to 8 timeline
    entries and 0 to 5 action items. ``plain``: the same kind of frontmatter with exactly 5
    timeline entries and exactly one action item, and bodies of plain Markdown of about 4 KB."""
    if corpus not in CORPORA:
        raise ValueError(f"corpus must be one of {CORPORA}, not {corpus!r}")
    plain = corpus == "plain"
    rng = random.Random(seed)
    since, as_of = SINCE.astimezone(timezone.utc), AS_OF.astimezone(timezone.utc)  # exact arithmetic across DST
    span = int((AS_OF - SINCE).total_seconds() // 60) - 2 * 24 * 60
    starts: list[datetime] = []
    for _ in range(n):
        if starts and rng.random() < 0.12:  # a follow-on incident overlapping an earlier one
            starts.append(rng.choice(starts[-20:]) + timedelta(minutes=rng.randint(0, 90)))
        else:
            starts.append(since + timedelta(minutes=rng.randrange(span)))
    starts.sort()
    files, ids = [], []
    for index, started in enumerate(starts):
        is_open = index >= n - 2 and n >= 10  # the two newest are still open
        if is_open:
            started = as_of - timedelta(hours=rng.randint(2, 30), minutes=rng.randint(0, 59))
        services = rng.sample(SERVICES, weighted(rng, [(1, 60), (2, 30), (3, 10)]))
        severity = weighted(rng, SEVERITIES)
        maintenance = rng.random() < 0.04
        category = rng.choice(CATEGORIES)
        summary = rng.choice(CAUSES[category])
        title = (f"Planned maintenance on {services[0]} overruns" if maintenance else
                 f"{services[0].capitalize()} {rng.choice(SYMPTOMS)} {rng.choice(TRIGGERS)}")
        local = started.astimezone(TZ)
        slug = "-".join(title.lower().replace(":", "").split())[:60].rstrip("-")
        stem = f"{local:%Y-%m-%d}-{slug}-{index:05d}"
        length = min(max(int(rng.lognormvariate(3.8, 1.0)), 3), 48 * 60)
        detected = started + timedelta(minutes=rng.randint(0, min(30, length // 3)))
        acknowledged = detected + timedelta(minutes=rng.randint(0, min(15, length // 3)))
        resolved = None if is_open else started + timedelta(minutes=length)
        mitigated = None if is_open else acknowledged + (resolved - acknowledged) * rng.uniform(0.3, 0.9)
        mitigated = mitigated.replace(second=0, microsecond=0) if mitigated else None
        end = resolved or as_of
        lines = ["---", f"title: {q(title)}", f"severity: {severity}",
                 f"status: {rng.choice(['investigating', 'identified', 'monitoring']) if is_open else 'resolved'}",
                 f"started: {stamp(started, rng)}"]
        if rng.random() < 0.9:
            lines.append(f"detected: {stamp(detected, rng)}")
        lines.append(f"acknowledged: {stamp(acknowledged, rng)}")
        if mitigated:
            lines.append(f"mitigated: {stamp(mitigated, rng)}")
        if resolved:
            lines.append(f"resolved: {stamp(resolved, rng)}")
        lines += [f"detection: {rng.choice(['monitoring', 'monitoring', 'customer', 'internal'])}",
                  f"services: [{', '.join(services)}]"]
        if is_open or rng.random() < 0.5:
            lines.append("impact:")
            total = max(int((end - started).total_seconds() // 60), 1)
            for service in services:
                for _ in range(rng.choice((1, 1, 2))):
                    level = weighted(rng, [("outage", 40), ("partial", 35), ("degraded", 25)])
                    a = rng.randint(0, total - 1)
                    b = rng.randint(a + 1, total)
                    lines += [f"  - service: {service}", f"    level: {level}",
                              f"    start: {stamp(started + timedelta(minutes=a), rng)}"]
                    if resolved or rng.random() < 0.5:
                        lines.append(f"    end: {stamp(started + timedelta(minutes=b), rng)}")
                    if level == "partial" and rng.random() < 0.2:
                        lines.append(f"    fraction: {rng.choice([0.1, 0.25, 0.5])}")
        else:
            lines.append(f"downtime_minutes: {round(length * rng.uniform(0, 1) * 2) / 2:g}")
        lines.append(f"maintenance: {'true' if maintenance else 'false'}")
        if rng.random() < 0.05:
            lines.append(f"cause: {q(summary)}")
        else:
            lines += ["cause:", f"  category: {category}", f"  summary: {q(summary)}"]
        lines.append(f"trigger: {q(rng.choice(TRIGGERS).capitalize() + ' on ' + services[0] + '.')}")
        factors = rng.sample(FACTORS, rng.randint(0, 3))
        if factors:
            lines.append("contributing_factors:")
            lines += [f"  - {q(factor)}" for factor in factors]
        lines.append("timeline:")
        say = Sentences(rng, services, category, [])
        for _ in range(5 if plain else rng.randint(3, 8)):
            offset = rng.randint(-30, max(int((end - started).total_seconds() // 60), 1))
            at = started + timedelta(minutes=offset)
            if 0 <= offset < 24 * 60 - 1 and rng.random() < 0.6:
                written = f'"{at.astimezone(TZ):%H:%M}"'
            else:
                written = stamp(at, rng)
            lines += [f"  - at: {written}", f"    event: {q(say.one())}"]
        items = 1 if plain else rng.randint(0, 5)
        if items:
            lines.append("action_items:")
        base_day = (resolved or started).astimezone(TZ).date()
        for _ in range(items):
            s, o, m = rng.choice(services), rng.choice(OBJECTS), rng.choice(METRICS)
            status = weighted(rng, [("done", 55), ("open", 35), ("wontfix", 10)])
            lines += [f"  - title: {q(rng.choice(ACTIONS).format(s=s, o=o, m=m))}", f"    owner: {rng.choice(PEOPLE)}",
                      f"    type: {rng.choice(['detect', 'mitigate', 'prevent', 'process'])}", f"    status: {status}"]
            if rng.random() < 0.85:
                lines.append(f"    due: {base_day + timedelta(days=rng.randint(1, 60))}")  # open + past = overdue
            if rng.random() < 0.2:
                lines.append(f"    link: https://tracker.example.com/OPS-{rng.randint(100, 9999)}")
        lines.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 4)))}]")
        lines.append(f"authors: [{', '.join(rng.sample(PEOPLE, rng.randint(1, 2)))}]")
        related = []
        if ids and rng.random() < 0.3:
            related = sorted(set(rng.choice(ids[-300:]) for _ in range(rng.randint(1, 3))))
            lines.append(f"related: [{', '.join(related)}]")
        lines.append("---")
        if plain:
            text = "\n".join(lines) + "\n\n" + plain_body(rng, services, category, summary, related, rng.randint(3800, 4200))
        else:
            text = "\n".join(lines) + "\n\n" + body(rng, services, category, summary, related, rng.randint(300, 600))
        files.append((f"{stem}.md", text))
        ids.append(stem)
    return files


MARKDOWN_EXTENSIONS = [{"toc": {"permalink": True}}, "admonition", "attr_list", "md_in_html"]
THEME = {"name": "material", "font": False, "features": ["navigation.indexes"]}
WIKI_INDEX = """# Synthetic postmortems

Since {since} we have kept {{{{ uptime("all") }}}} uptime overall and {{{{ uptime("30d", service="web") }}}}
for the website over the last 30 days. See the [incident index](incidents/index.md) and [uptime](uptime/index.md).
"""
FLOOR_INDEX = """# Synthetic postmortems

The same incidents as plain pages, for comparison. There is no index of them.
"""


def write_sites(root: Path, incidents: list[tuple[str, str]], corpus: str = "rich") -> tuple[Path, Path]:
    """``(wiki mkdocs.yml, floor mkdocs.yml)`` under ``root``. Both sides get the same Markdown
    extensions: today's set for the ``rich`` corpus, none (``markdown_extensions: []``) for ``plain``."""
    import yaml

    wiki, floor = root / "wiki", root / "floor"
    for folder in (wiki / "docs", wiki / "incidents", floor / "docs" / "incidents"):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    for name, text in incidents:
        (wiki / "incidents" / name).write_text(text, encoding="utf-8")
        (floor / "docs" / "incidents" / name).write_text(text, encoding="utf-8")
    (wiki / "docs" / "index.md").write_text(WIKI_INDEX.format(since=SINCE.date()), encoding="utf-8")
    (floor / "docs" / "index.md").write_text(FLOOR_INDEX, encoding="utf-8")
    common = {"site_name": "Synthetic postmortems", "site_url": "https://status.example.com/", "docs_dir": "docs",
              "theme": THEME, "markdown_extensions": MARKDOWN_EXTENSIONS if corpus == "rich" else []}
    wiki_config = dict(common, plugins=["search", {"postmortems": {
        "incidents_dir": "incidents", "timezone": TZ_NAME, "since": SINCE.isoformat(), "as_of": AS_OF.isoformat(), "slo": 99.9}}],
        nav=[{"Home": "index.md"}, {"Uptime": "uptime/index.md"}, {"Incidents": "incidents/index.md"},
             {"Services": "services/index.md"}, {"Action items": "action-items.md"}, {"Causes": "causes/index.md"},
             {"Tags": "tags/index.md"}])
    floor_config = dict(common, plugins=["search"], nav=[{"Home": "index.md"}], not_in_nav="/incidents/")
    (wiki / "mkdocs.yml").write_text(yaml.safe_dump(wiki_config, sort_keys=False), encoding="utf-8")
    (floor / "mkdocs.yml").write_text(yaml.safe_dump(floor_config, sort_keys=False), encoding="utf-8")
    return wiki / "mkdocs.yml", floor / "mkdocs.yml"


def child_env() -> dict:
    return dict(os.environ, NO_MKDOCS_2_WARNING="1")


def others() -> list[str]:
    """Other processes that would skew a timing: builds and benchmarks not started by this one."""
    me = os.getpid()
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit() or int(entry.name) in (me, os.getppid()):  # the shell that started this one
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == me:
            continue
        if "mkdocs" in command or "benchmarks/" in command or "pytest" in command:
            found.append(f"{entry.name}: {command.strip()[:80]}")
    return found


def pinned(cpu: int | None) -> list[str]:
    """The command prefix that runs a program on one core (``taskset -c N``); none when ``cpu`` is None."""
    return [] if cpu is None else ["taskset", "-c", str(cpu)]


def check_cpu(cpu: int) -> None:
    if shutil.which("taskset") is None:
        sys.exit("taskset (util-linux) is needed to pin the builds to one core")
    if cpu not in os.sched_getaffinity(0):
        sys.exit(f"--cpu {cpu}: this process may only run on cores {sorted(os.sched_getaffinity(0))}")


def run_build(config: Path, site: Path, *extra: str, clean: bool = True, cpu: int | None = None) -> tuple[float, int]:
    """``(seconds, peak RSS in KiB)`` of ``python -m mkdocs build -q`` in a fresh process, on core
    ``cpu`` (``taskset -c``, which runs the build in its own process). The peak is the build's own
    ``ru_maxrss`` (``os.wait4``), or the largest sum of it and any child process it starts, sampled
    every 0.2 s from ``/proc``, when that is larger (the plugin starts none)."""
    if clean and site.exists():
        shutil.rmtree(site)
    with tempfile.TemporaryFile() as err:
        began = time.perf_counter()
        child = subprocess.Popen([*pinned(cpu), sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site), *extra],
                                 stdout=subprocess.DEVNULL, stderr=err, env=child_env())
        peak = [0]
        sampler = threading.Thread(target=_sample_rss, args=(child.pid, peak), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            err.seek(0)
            sys.exit(f"mkdocs build -f {config} failed ({child.returncode}):\n{err.read().decode(errors='replace')}")
    return seconds, max(usage.ru_maxrss, peak[0])


def _tree_rss(pid: int) -> int:
    """KiB resident in ``pid`` and its descendants (Linux /proc), 0 when it is gone."""
    total = 0
    try:
        with open(f"/proc/{pid}/status") as status:
            total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            total += sum(_tree_rss(int(child)) for child in children.read().split())
    except (OSError, ValueError):
        pass
    return total


def _sample_rss(pid: int, peak: list[int]) -> None:
    while os.path.exists(f"/proc/{pid}") and not _zombie(pid):
        peak[0] = max(peak[0], _tree_rss(pid))
        time.sleep(0.2)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def check_incidents(config: Path) -> str:
    """How many incidents the plugin's loader accepts, and its problems (not timed)."""
    from postmortems.incidents.loader import load_directory
    from postmortems.incidents.settings import Settings

    settings = Settings.from_options({"timezone": TZ_NAME, "since": SINCE, "as_of": AS_OF})
    collection = load_directory(config.parent / "incidents", settings)
    errors = [str(p) for p in collection.problems if p.is_error]
    if errors or collection.left_out:
        sys.exit("generated incidents have errors:\n" + "\n".join(errors[:20]))
    warnings = [str(p) for p in collection.problems]
    note = f"; e.g. {warnings[0]}" if warnings else ""
    return f"{len(collection.incidents)} incidents load, {len(warnings)} warnings{note}"


def size(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.2f} MB" if path.exists() else "missing"


def tree_size(site: Path) -> str:
    files = [p for p in site.rglob("*") if p.is_file()]
    html = [p for p in files if p.suffix == ".html"]
    return f"{len(files)} files ({len(html)} HTML), {sum(p.stat().st_size for p in files) / 1e6:.1f} MB"


def mb(kib: int) -> str:
    return f"{kib / 1024:.0f} MB"


def cache_file(wiki: Path) -> Path:
    """The loading cache the wiki's build writes (the plugin's default ``cache_dir``)."""
    return wiki.parent / ".cache" / "postmortems" / "incidents.pickle"


def drop_cache(wiki: Path) -> None:
    shutil.rmtree(wiki.parent / ".cache", ignore_errors=True)


def same_sites(one: Path, other: Path) -> str:
    """Whether two builds of the same wiki wrote the same files (``sitemap.xml.gz`` aside: it is
    compressed with a time stamp)."""
    def files(site: Path) -> dict[str, Path]:
        return {p.relative_to(site).as_posix(): p for p in site.rglob("*") if p.is_file() and p.name != "sitemap.xml.gz"}

    a, b = files(one), files(other)
    differ = sorted(name for name in a.keys() & b.keys() if a[name].read_bytes() != b[name].read_bytes())
    missing = sorted(a.keys() ^ b.keys())
    if not differ and not missing:
        return f"yes, {len(a)} files byte for byte"
    return f"NO: {len(differ)} files differ (e.g. {differ[:3]}), {len(missing)} in one only (e.g. {missing[:3]})"


GOAL_RATIO, GOAL_RSS_MB = 1.25, 500


def timed(args, wiki: Path, floor: Path) -> None:
    """Three sides alternating in each repeat: the wiki built cold (no loading cache), the same
    wiki with the loading cache a previous build left (warm), and the floor."""
    cache = cache_file(wiki)
    sides = [("wiki", wiki, wiki.parent / "site"), ("warm", wiki, wiki.parent / "site-warm"),
             ("floor", floor, floor.parent / "site")]
    code = fingerprint()
    drop_cache(wiki)
    seconds, rss = run_build(wiki, wiki.parent / "site-warm", cpu=args.cpu)
    if not cache.exists():
        sys.exit(f"the priming build wrote no loading cache at {cache}")
    print(f"  priming build of the wiki (writes the loading cache, not counted): {seconds:.2f} s, max RSS {mb(rss)}, "
          f"cache {size(cache)}", flush=True)
    samples: dict[str, list[tuple[float, int]]] = {side: [] for side, _, _ in sides}
    for repeat in range(args.repeat):
        for side, config, site_dir in sides:
            note = ""
            if side == "wiki":
                drop_cache(wiki)
            elif side == "warm":
                if not cache.exists():
                    sys.exit(f"no loading cache at {cache} for the warm build")
                before = cache.stat().st_mtime_ns
            busy = others()
            seconds, rss = run_build(config, site_dir, cpu=args.cpu)
            busy += others()
            if side == "warm" and cache.stat().st_mtime_ns != before:
                note += "  (the cache was written again: some files were loaded afresh)"
            samples[side].append((seconds, rss))
            now = fingerprint()
            if now != code:
                note += f"  (the package changed: now {now})"
            if busy:
                note += f"  (CONTENDED: also running {sorted(set(busy))[0]})"
            code = now
            print(f"  run {repeat + 1} {side:6}: {seconds:7.2f} s  max RSS {mb(rss)}{note}", flush=True)
    median = {side: statistics.median(s for s, _ in runs) for side, runs in samples.items()}
    peak = {side: max(r for _, r in runs) for side, runs in samples.items()}

    def verdict(ratio: float) -> str:
        return "met" if ratio <= GOAL_RATIO else f"missed by {100 * (ratio / GOAL_RATIO - 1):.0f}%"

    print(f"\nN={args.n} corpus={args.corpus} repeat={args.repeat} cpu={args.cpu} ({code})")
    for side, label in (("wiki", "wiki, cold (no loading cache)"), ("warm", "wiki, warm (loading cache)"),
                        ("floor", "floor (plain pages)")):
        runs = ", ".join(f"{s:.2f}" for s, _ in samples[side])
        print(f"  {label:30}: median {median[side]:7.2f} s  (runs {runs})  peak RSS {mb(peak[side])}")
    for side in ("wiki", "warm"):
        ratio = median[side] / median["floor"]
        print(f"  ratio {side}/floor: {ratio:.2f}  (goal <= {GOAL_RATIO}: {verdict(ratio)})")
    worst = max(peak["wiki"], peak["warm"]) / 1024
    print(f"  peak RSS of the wiki: {worst:.0f} MB  (goal < {GOAL_RSS_MB} MB: "
          f"{'met' if worst < GOAL_RSS_MB else f'missed by {worst - GOAL_RSS_MB:.0f} MB'})")
    site = wiki.parent / "site"
    print(f"  warm site the same as the cold one: {same_sites(site, wiki.parent / 'site-warm')}")
    print(f"  loading cache: {size(cache)}")
    print(f"  incident index  site/incidents/index.html: {size(site / 'incidents/index.html')}  (goal < 2 MB)")
    print(f"  dashboard       site/uptime/index.html:    {size(site / 'uptime/index.html')}")
    for name in ("action-items/index.html", "uptime/ledger/site/index.html", "search/search_index.json", "incidents.json"):
        print(f"  {name:42} {size(site / name)}")
    print(f"  floor search/search_index.json: {size(floor.parent / 'site/search/search_index.json')}")
    print(f"  wiki site:  {tree_size(site)}")
    print(f"  floor site: {tree_size(floor.parent / 'site')}")


def short(filename: str) -> str:
    for marker in ("site-packages/", "/plugins/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return re.sub(r"^.*/lib/python3[.0-9]*/", "", filename)


def package(filename: str) -> str:
    path = short(filename)
    if "/plugins/postmortems/" in filename:
        return "postmortems"
    if filename.startswith("<") or filename == "~":
        return "builtins"
    top = path.split("/", 1)[0]
    if top == "material" and "/plugins/search/" in path:
        return "material.search"
    if top == "mkdocs" and "/contrib/search/" in path:
        return "mkdocs.search"
    return top if "site-packages/" in filename else ("stdlib" if "/lib/python3" in filename else top)


def charge(func, table, memo, depth: int = 0) -> dict[str, float]:
    """Shares of ``func``'s own time per responsible package: itself, or for builtins and the
    standard library, whoever called them (split by cumulative time per caller, recursively)."""
    name = package(func[0])
    if name not in ("builtins", "stdlib") or depth > 40:
        return {name: 1.0}
    if func in memo:
        return memo[func]
    memo[func] = {name: 1.0}  # a recursion guard, replaced below
    callers = {caller: edge[3] for caller, edge in table[func][4].items() if caller in table}
    weight = sum(callers.values())
    if not weight:
        return memo[func]
    shares: dict[str, float] = {}
    for caller, cumulative in callers.items():
        for owner, part in charge(caller, table, memo, depth + 1).items():
            shares[owner] = shares.get(owner, 0) + part * cumulative / weight
    memo[func] = shares
    return shares


def print_rows(rows, title: str, limit: int) -> None:
    print(f"\n{title}")
    print(f"{'ncalls':>10} {'tottime':>8} {'cumtime':>8}  function")
    for (filename, line, func), (cc, nc, tt, ct, _) in rows[:limit]:
        calls = f"{nc}/{cc}" if nc != cc else str(nc)
        where = func if filename == "~" else f"{short(filename)}:{line}({func})"
        print(f"{calls:>10} {tt:8.2f} {ct:8.2f}  {where}")


def profile(args, wiki: Path, workdir: Path) -> None:
    import cProfile
    import logging
    import pstats

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    site = wiki.parent / "site"
    if site.exists():
        shutil.rmtree(site)
    counts: dict[int, int] = {}

    class Count(logging.Handler):
        def emit(self, record):
            counts[record.levelno] = counts.get(record.levelno, 0) + 1

    logging.getLogger("mkdocs").addHandler(Count(logging.WARNING))
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    config = load_config(str(wiki), site_dir=str(site))
    build(config)
    profiler.disable()
    seconds = time.perf_counter() - began
    out = workdir / "plugin.prof" if args.keep else Path(tempfile.gettempdir()) / f"postmortems-plugin-{args.n}.prof"
    profiler.dump_stats(str(out))
    print(f"\nN={args.n}: in-process wiki build under cProfile took {seconds:.1f} s "
          f"({counts.get(logging.WARNING, 0)} warnings, {counts.get(logging.ERROR, 0)} errors); profile saved to {out}")
    stats = pstats.Stats(profiler)
    entries = list(stats.stats.items())
    total = stats.total_tt
    print_rows(sorted(entries, key=lambda kv: -kv[1][3]), "Top 30 by cumulative time", 30)
    print_rows(sorted(entries, key=lambda kv: -kv[1][2]), "Top 30 by total (own) time", 30)
    ours = [kv for kv in entries if package(kv[0][0]) == "postmortems"]
    print_rows(sorted(ours, key=lambda kv: -kv[1][3]), "postmortems functions by cumulative time", 30)
    phases = ["_populate_page", "_build_page", "on_files", "on_page_markdown", "on_page_context", "on_post_build",
              "render", "convert", "_build_theme_template", "get_files", "load_config", "write_file"]
    interesting = [kv for kv in entries if kv[0][2] in phases and package(kv[0][0]) in
                   ("mkdocs", "mkdocs.search", "material", "material.search", "markdown", "postmortems", "jinja2")]
    print_rows(sorted(interesting, key=lambda kv: -kv[1][3]), "MkDocs phases, plugin events, Markdown and Jinja entry points", 25)
    by_package: dict[str, float] = {}
    charged: dict[str, float] = {}
    memo: dict = {}
    for func, (_, _, tt, _, _) in entries:
        by_package[package(func[0])] = by_package.get(package(func[0]), 0) + tt
        for name, share in charge(func, stats.stats, memo).items():
            charged[name] = charged.get(name, 0) + tt * share
    print(f"\nOwn time by package (total {total:.1f} s under the profiler); "
          "'charged' counts builtins and the standard library (re, html.parser, json ...) to the package calling them")
    print(f"  {'package':20} {'own':>8} {'charged':>8}")
    for name, tt in sorted(charged.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {name:20} {by_package.get(name, 0):7.2f}s {tt:7.2f}s  {100 * tt / total:5.1f}%")
    print(f"  incident index site/incidents/index.html: {size(site / 'incidents/index.html')}; "
          f"dashboard site/uptime/index.html: {size(site / 'uptime/index.html')}")


def fingerprint() -> str:
    """Which code was measured: the commit and a hash of the package's working-tree sources."""
    import hashlib

    import postmortems

    package_dir = Path(postmortems.__file__).parent
    digest = hashlib.sha1()
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".md", ".html", ".css", ".js"):
            digest.update(path.relative_to(package_dir).as_posix().encode() + path.read_bytes())
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=package_dir, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = "?"
    return f"commit {commit or '?'}, package sources {digest.hexdigest()[:10]}"


# The plugin's own steps, wrapped by ``--phases``: (module, owner, attribute, label). ``build.plan``
# calls ``load`` and ``report`` by their global names, so wrapping the module's attributes times them.
PLUGIN_STEPS = (
    ("postmortems.build", None, "load", "  on_files: build.load (read, parse, or the cache)"),
    ("postmortems.build", None, "report", "  on_files: build.report (the uptime report)"),
    ("postmortems.site.wiki", "Wiki", "plan", "  on_files: Wiki.plan (list the overview pages)"),
    ("postmortems.site.wiki", "Wiki", "render", "  Wiki.render (every page's template)"),
)
STEP_LABELS = tuple(label for *_, label in PLUGIN_STEPS)
ON_FILES_REST = "  on_files: the rest (Wiki(), checks, files)"


def phases(config_file: Path, label: str) -> dict[str, float]:
    """One in-process build of ``config_file`` without a profiler, timing MkDocs' phases per page kind.

    Page kinds: ``incident`` (an incident page), ``generated`` (another page the plugin adds),
    ``docs`` (docs/index.md). Returns the totals per phase and prints them with the slowest pages.
    """
    import logging
    from collections import defaultdict

    import mkdocs.commands.build as B
    import mkdocs.utils
    from mkdocs.config import load_config
    from mkdocs.structure.pages import Page

    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    site = config_file.parent / "site"
    if site.exists():
        shutil.rmtree(site)
    spent: dict[tuple[str, str], float] = defaultdict(float)
    per_page: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    current: list[Page | None] = [None]
    kind_of_uri: dict[str, str] = {}
    dest_of_uri: dict[str, str] = {}

    def kind(page) -> str:
        if page is None:
            return "site"
        uri, generated = page.file.src_uri, page.file.generated_by
        if uri.startswith("incidents/") and uri != "incidents/index.md" and (not generated or page.file.abs_src_path):
            return "incident"
        return "generated" if generated else "docs"

    def timer(name: str, function, page_arg: int | None = None, page_kwarg: bool = True):
        depth = [0]  # a call inside another of the same step is counted once, in the outer one

        def timed_call(*args, **kwargs):
            if depth[0]:
                return function(*args, **kwargs)
            page = (kwargs.get("page") if page_kwarg else None) or \
                (args[page_arg] if page_arg is not None and len(args) > page_arg else None) or current[0]
            depth[0] += 1
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                depth[0] -= 1
                seconds = time.perf_counter() - began
                spent[(name, kind(page))] += seconds
                if page is not None:
                    per_page[page.file.src_uri][name] += seconds
                    kind_of_uri[page.file.src_uri], dest_of_uri[page.file.src_uri] = kind(page), page.file.abs_dest_path
        return timed_call

    import resource

    rss: dict[str, int] = {}

    def mark(label: str) -> None:
        if label not in rss:
            rss[label] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def page_step(name: str, function):
        def timed_page(page, *args, **kwargs):
            if name == BUILD:
                mark("after every page is read and rendered to HTML")
            previous, current[0] = current[0], page
            try:
                return timer(name, function, 0)(page, *args, **kwargs)
            finally:
                current[0] = previous
        return timed_page

    saved = (B._populate_page, B._build_page, B.get_context, mkdocs.utils.write_file, Page.read_source, Page.render)
    POPULATE, BUILD = "populate page (read, events, markdown)", "build page (context, events, theme, write)"
    B._populate_page = page_step(POPULATE, B._populate_page)
    B._build_page = page_step(BUILD, B._build_page)
    B.get_context = timer("  get_context", B.get_context)
    mkdocs.utils.write_file = timer("  write_file", mkdocs.utils.write_file)
    Page.read_source = page_step("  read_source (file + meta YAML)", Page.read_source)
    Page.render = page_step("  markdown render", Page.render)
    page_events = {"pre_page", "page_markdown", "page_content", "page_context", "post_page"}
    plugin_parts = []  # (owner, attribute, original): the plugin's own steps
    import importlib

    for module_name, class_name, attribute, step in PLUGIN_STEPS:
        try:
            owner = importlib.import_module(module_name)
            owner = getattr(owner, class_name) if class_name else owner
            original = owner.__dict__[attribute] if class_name else getattr(owner, attribute)
        except (ImportError, AttributeError, KeyError):
            print(f"  (no {module_name}.{class_name + '.' if class_name else ''}{attribute} in this code: not timed)")
            continue
        plugin_parts.append((owner, attribute, original))
        # Wiki.render(template, page, ...) takes the page's address as a string: the page being
        # read (an incident's) or none (the overview pages, rendered in on_files) says its kind.
        setattr(owner, attribute, timer(step, original, page_kwarg=False))
    import gc

    pauses = {"seconds": 0.0, "count": 0, "began": 0.0}

    def on_gc(phase, info):
        if phase == "start":
            pauses["began"] = time.perf_counter()
        else:
            pauses["seconds"] += time.perf_counter() - pauses["began"]
            pauses["count"] += info["generation"] == 2

    gc.collect()
    gc.callbacks.append(on_gc)
    try:
        began = time.perf_counter()
        config = load_config(str(config_file), site_dir=str(site))
        spent[("load_config", "site")] += time.perf_counter() - began
        mark("after load_config")
        for event, methods in config.plugins.events.items():
            indent = "  " if event in page_events else ""
            config.plugins.events[event] = [
                timer(f"{indent}on_{event} [{type(getattr(m, '__self__', m)).__module__.split('.')[0]}]", m) for m in methods]
        config.plugins.events["nav"].insert(0, lambda nav, **_: mark("after on_files"))
        began = time.perf_counter()
        B.build(config)
        mark("end of build")
        total = time.perf_counter() - began + spent[("load_config", "site")]
    finally:
        gc.callbacks.remove(on_gc)
        for owner, attribute, original in plugin_parts:
            setattr(owner, attribute, original)
        B._populate_page, B._build_page, B.get_context, mkdocs.utils.write_file, Page.read_source, Page.render = saved
    kinds = ["incident", "generated", "docs", "site"]
    for k in kinds:  # what the wrappers do not see
        inside = sum(v for (name, kk), v in spent.items() if kk == k and name.startswith("  ") and
                     name.split(" [")[0].strip() in ("get_context", "write_file", "on_page_context", "on_post_page"))
        spent[("  theme template render (rest)", k)] = spent[(BUILD, k)] - inside
    if ("on_files [postmortems]", "site") in spent:  # what the wrapped steps do not cover
        covered = sum(spent.get((label, "site"), 0.0) for label in STEP_LABELS)
        spent[(ON_FILES_REST, "site")] = spent[("on_files [postmortems]", "site")] - covered
    top = sum(v for (name, _), v in spent.items() if not name.startswith(" "))
    spent[("rest (files, nav, static files, search index ...)", "site")] = total - top
    names = sorted({name for name, _ in spent}, key=lambda name: -sum(spent[(name, k)] for k in kinds))
    names = [n for n in names if not n.startswith(" ")]
    nested = sorted({name for name, _ in spent if name.startswith(" ")}, key=lambda name: -sum(spent[(name, k)] for k in kinds))
    order = []
    for name in names:
        order.append(name)
        if name == POPULATE:
            order += [n for n in nested if any(x in n for x in ("read_source", "markdown", "pre_page", "page_markdown", "page_content"))]
        if name.startswith("on_files [postmortems]"):
            order += [n for n in (*STEP_LABELS, ON_FILES_REST) if n in nested and "on_files" in n]
        if name == POPULATE:
            order += [n for n in STEP_LABELS if n in nested and "on_files" not in n]
        if name == BUILD:
            order += [n for n in nested if any(x in n for x in ("get_context", "page_context", "post_page", "write_file", "theme"))]
    print(f"\n{label}: in-process build {total:.1f} s (no profiler); seconds per phase and page kind")
    print(f"  {'phase':52} {'total':>7} " + " ".join(f"{k:>9}" for k in kinds))
    for name in order:
        row = [spent[(name, k)] for k in kinds]
        print(f"  {name:52} {sum(row):7.2f} " + " ".join(f"{v:9.2f}" for v in row))
    if any(label.startswith("  Wiki.render") for label in order):
        print("  (Wiki.render: the 'incident' column is inside read_source, the 'site' column inside on_files)")
    plugin = config.plugins.get("postmortems")
    cache = getattr(plugin, "cache", None)
    if cache is not None:
        print(f"  loading cache: {cache.hits} files from the cache, {cache.misses} loaded "
              f"({'in memory only' if cache.folder is None else cache.folder})")
    counts = defaultdict(int)
    for uri in per_page:
        counts[kind_of_uri.get(uri, "?")] += 1
    print("  pages: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    print("  peak RSS so far (this process): " + ", ".join(f"{label} {mb(kib)}" for label, kib in rss.items()))
    print(f"  garbage collector pauses (inside the phases above): {pauses['seconds']:.2f} s, "
          f"{pauses['count']} full collections")
    slow = sorted(per_page.items(), key=lambda kv: -(kv[1][POPULATE] + kv[1][BUILD]))[:12]
    print("  slowest pages: populate + build page seconds (of which markdown), HTML size")
    for uri, row in slow:
        print(f"    {uri[:56]:56} {row[POPULATE]:6.2f} + {row[BUILD]:6.2f} ({row['  markdown render']:5.2f})  "
              f"{size(Path(dest_of_uri[uri]))}")
    totals = {name: sum(spent[(name, k)] for k in kinds) for name in names}
    totals.update({label.strip(): sum(spent[(label, k)] for k in kinds) for label in STEP_LABELS})
    totals["total"] = total
    totals["gc"] = pauses["seconds"]
    return totals


def in_child(function, *args, cpu: int | None = None):
    """``function(*args)`` in a forked process (its own heap, peak RSS and garbage collector), on core
    ``cpu`` when given (``os.sched_setaffinity``); returns its result."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def run():
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})
        try:
            send.send(function(*args))
        finally:
            sys.stdout.flush()

    child = context.Process(target=run)
    child.start()
    result = receive.recv()
    child.join()
    return result


def prepare(n: int, seed: int, keep: str | None, corpus: str = "rich") -> tuple[Path, Path, Path]:
    workdir = Path(keep).resolve() if keep else Path(tempfile.mkdtemp(prefix="postmortems-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    incidents = generate(n, seed, corpus)
    wiki, floor = write_sites(workdir, incidents, corpus)
    bodies = [text.split("\n---\n", 1)[1] for _, text in incidents]
    words = statistics.mean(len(body.split()) for body in bodies)
    kb = statistics.mean(len(body.encode()) for body in bodies) / 1000
    extensions = "today's Markdown extensions" if corpus == "rich" else "no Markdown extensions"
    print(f"generated {n} incidents (corpus {corpus}, {extensions}; seed {seed}, mean body {words:.0f} words, "
          f"{kb:.1f} KB; {sum(len(t) for _, t in incidents) / 1e6:.1f} MB of Markdown) in {workdir} "
          f"in {time.perf_counter() - began:.1f} s")
    print(f"  check: {check_incidents(wiki)}")
    print(f"  code: {fingerprint()}", flush=True)
    return workdir, wiki, floor


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of incidents")
    parser.add_argument("--repeat", type=int, default=3, help="alternating wiki/warm/floor builds (default 3)")
    parser.add_argument("--corpus", choices=CORPORA, default="rich",
                        help="rich: today's incidents and Markdown extensions (default); plain: plain Markdown, "
                             "no extensions, 4 KB bodies, 5 timeline entries, one action item")
    parser.add_argument("--cpu", type=int, default=0, help="the core every timed build runs on (default 0)")
    parser.add_argument("--keep", metavar="DIR", help="write the sites to DIR and keep them (default: a temp dir, removed)")
    parser.add_argument("--profile", action="store_true", help="profile one in-process wiki build instead of timing")
    parser.add_argument("--phases", action="store_true",
                        help="time MkDocs' phases per page kind in one in-process build of each site (no profiler)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    check_cpu(args.cpu)
    workdir, wiki, floor = prepare(args.n, args.seed, args.keep, args.corpus)
    print(f"  cpu: every timed build runs on core {args.cpu} (taskset -c {args.cpu}; "
          f"this machine has {os.cpu_count()} cores)", flush=True)
    if others():
        print(f"  WARNING: other builds or benchmarks are running, timings will be off: {others()[0]}")
    try:
        if args.profile:
            drop_cache(wiki)
            in_child(profile, args, wiki, workdir, cpu=args.cpu)
        if args.phases:
            drop_cache(wiki)
            cold = in_child(phases, wiki, f"N={args.n} {args.corpus} wiki, cold (postmortems, no loading cache)", cpu=args.cpu)
            warm = in_child(phases, wiki, f"N={args.n} {args.corpus} wiki, warm (the loading cache of the build above)",
                            cpu=args.cpu)
            floor_totals = in_child(phases, floor, f"N={args.n} {args.corpus} floor (plain pages)", cpu=args.cpu)
            print(f"\nin-process ratios (one build each): wiki/floor {cold['total'] / floor_totals['total']:.2f}, "
                  f"warm/floor {warm['total'] / floor_totals['total']:.2f}")
        if not (args.profile or args.phases):
            timed(args, wiki, floor)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
