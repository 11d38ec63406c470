"""Rebuild benchmark: edit one incident of an N-incident wiki, then rebuild.

    NO_MKDOCS_2_WARNING=1 python benchmarks/serve.py N [--repeat R] [--keep DIR] [--floor] [--seed S]

Generates the same wiki as ``build.py`` (same seed, same incidents), builds it once,
then R times (default 1) alternates:

(i)  edit one incident, ``python -m mkdocs build -q`` (a full rebuild, MkDocs cleans the site dir);
(ii) edit one incident, ``python -m mkdocs build -q --dirty`` (MkDocs rebuilds only pages whose
     source is newer than their HTML, plus every page with in-memory content).

For each it prints the time, the peak RSS, how many HTML files under the site dir changed
mtime (or appeared), whether the edit reached the incident's page, and how many documents
the search index holds (a ``--dirty`` build only indexes the pages it rebuilt).
``--floor`` does the same for the plain-pages floor site, for comparison.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path

from build import fingerprint, mb, others, prepare, run_build


def snapshot(site: Path) -> dict[str, int]:
    return {str(p.relative_to(site)): p.stat().st_mtime_ns for p in site.rglob("*.html")} if site.exists() else {}


def changed(before: dict[str, int], after: dict[str, int]) -> int:
    return sum(1 for path, mtime in after.items() if before.get(path) != mtime)


def search_docs(site: Path) -> int:
    index = site / "search" / "search_index.json"
    return len(json.loads(index.read_text(encoding="utf-8"))["docs"]) if index.exists() else 0


def edit(path: Path, step: int) -> str:
    marker = f"Benchmark edit number {step}."
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text}\n\n{marker}\n", encoding="utf-8")
    return marker


def incident_html(site: Path, source: Path, prefix: str) -> Path:
    return site / prefix / source.stem / "index.html"


def rebuilds(label: str, config: Path, source: Path, prefix: str, repeat: int) -> None:
    site = config.parent / "site"
    seconds, rss = run_build(config, site)
    total_html = len(snapshot(site))
    print(f"\n{label}: initial full build {seconds:.2f} s, max RSS {mb(rss)}, {total_html} HTML files, "
          f"{search_docs(site)} search documents")
    print(f"  editing {source.name}")
    results: dict[str, list[tuple[float, int, int]]] = {"full": [], "dirty": []}
    step = 0
    code = fingerprint()
    for _ in range(repeat):
        for mode in ("full", "dirty"):
            step += 1
            time.sleep(0.05)  # the edit's mtime is strictly newer than the HTML written before
            marker = edit(source, step)
            before = snapshot(site)
            extra = ("--dirty",) if mode == "dirty" else ()
            busy = others()
            seconds, rss = run_build(config, site, *extra, clean=False)
            busy += others()
            if busy:
                print(f"  (CONTENDED: also running {sorted(set(busy))[0]})")
            after = snapshot(site)
            page = incident_html(site, source, prefix)
            shown = page.exists() and marker in page.read_text(encoding="utf-8")
            count = changed(before, after)
            results[mode].append((seconds, rss, count))
            command = "mkdocs build --dirty" if mode == "dirty" else "mkdocs build"
            now = fingerprint()
            if now != code:
                print(f"  (the package changed: now {now})")
                code = now
            print(f"  ({'ii' if mode == 'dirty' else 'i'}) {command:21} {seconds:7.2f} s  max RSS {mb(rss):>7}  "
                  f"{count:5} of {len(after)} HTML files changed  edit shown: {'yes' if shown else 'NO'}  "
                  f"search documents: {search_docs(site)}", flush=True)
    full = statistics.median(s for s, _, _ in results["full"])
    dirty = statistics.median(s for s, _, _ in results["dirty"])
    print(f"  {label} medians: full rebuild {full:.2f} s, --dirty {dirty:.2f} s "
          f"({full / dirty:.2f}x faster; HTML files rewritten: {results['full'][-1][2]} vs {results['dirty'][-1][2]})")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of incidents")
    parser.add_argument("--repeat", type=int, default=1, help="full/--dirty rebuild pairs (default 1)")
    parser.add_argument("--keep", metavar="DIR", help="write the sites to DIR and keep them")
    parser.add_argument("--floor", action="store_true", help="also measure the plain-pages floor site")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    workdir, wiki, floor = prepare(args.n, args.seed, args.keep)
    try:
        sources = sorted((wiki.parent / "incidents").glob("*.md"))
        middle = sources[len(sources) // 2]
        rebuilds(f"N={args.n} wiki", wiki, middle, "incidents", args.repeat)
        if args.floor:
            rebuilds(f"N={args.n} floor", floor, floor.parent / "docs" / "incidents" / middle.name, "incidents", args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
