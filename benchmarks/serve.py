"""Rebuild benchmark: edit one incident under a real ``mkdocs serve``, against the floor.

    NO_MKDOCS_2_WARNING=1 python benchmarks/serve.py N [--repeat R] [--corpus rich|plain] [--cpu N]
                                                       [--keep DIR] [--seed S]

Generates the same two sites as ``build.py`` (same seed and corpus, same incidents). For each
mode, plain ``mkdocs serve`` and ``mkdocs serve --dirty``, it starts the wiki's server and the
floor's, one after the other, each as ``python -m mkdocs serve -f ... -a 127.0.0.1:PORT`` pinned
to one core (``taskset -c N``, ``--cpu``, default 0), reads its log (stderr) and waits for the
first "Documentation built in" line and for "Serving on" (MkDocs watches files from then on).
Then R times (default 3), alternating wiki and floor: change one word in the body of one
incident (for the floor, the same file in ``docs/incidents/``) and time from the write to the
next "Documentation built in" line. After each rebuild it fetches the incident's page from the
server and checks that the changed word is there. The servers are stopped with SIGINT.

It prints each rebuild (the time from the write, and MkDocs' own "built in" figure), the
median of R per cell, the table wiki against floor, and the ratios against the goal of 1.25.
Only one server builds at a time; both are pinned to the same core.
"""

from __future__ import annotations

import argparse
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from build import CORPORA, GOAL_RATIO, check_cpu, child_env, drop_cache, fingerprint, mb, others, pinned, prepare

BUILT = re.compile(r"Documentation built in ([0-9.]+) seconds")
STARTUP_TIMEOUT = 1800  # seconds for the first build (5,000 incidents take about a minute alone)
REBUILD_TIMEOUT = 900


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One ``mkdocs serve`` process and the lines of its log, each with the time it arrived."""

    def __init__(self, label: str, config: Path, dirty: bool, cpu: int):
        self.label, self.port = label, free_port()
        command = [*pinned(cpu), sys.executable, "-m", "mkdocs", "serve", "-f", str(config),
                   "-a", f"127.0.0.1:{self.port}", *(["--dirty"] if dirty else [])]
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.log: list[str] = []
        self.problems: list[str] = []
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        env=dict(child_env(), PYTHONUNBUFFERED="1"), text=True, errors="replace")
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            now = time.perf_counter()
            line = line.rstrip("\n")
            self.log.append(line)
            if "WARNING" in line or "ERROR" in line or "Traceback" in line:
                self.problems.append(line)
            self.lines.put((now, line))
        self.lines.put((time.perf_counter(), ""))  # the log closed: the server has stopped

    def drain(self) -> None:
        while True:
            try:
                self.lines.get_nowait()
            except queue.Empty:
                return

    def wait_for(self, pattern: re.Pattern | str, timeout: float) -> tuple[float, re.Match | str]:
        """The arrival time and match of the next log line matching ``pattern``."""
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                self.fail(f"no line matching {pattern!r} within {timeout:.0f} s")
            try:
                at, line = self.lines.get(timeout=min(left, 5))
            except queue.Empty:
                if self.process.poll() is not None:
                    self.fail(f"the server stopped (exit code {self.process.returncode})")
                continue
            if not line and self.process.poll() is not None:
                self.fail(f"the server stopped (exit code {self.process.returncode})")
            found = pattern.search(line) if isinstance(pattern, re.Pattern) else (line if pattern in line else None)
            if found:
                return at, found

    def fail(self, why: str):
        self.stop()
        sys.exit(f"{self.label}: {why}; its log ended with:\n" + "\n".join(self.log[-30:]))

    def peak_rss(self) -> int:
        """KiB: the server's peak resident memory so far (VmHWM), 0 when unknown."""
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                return next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
        except OSError:
            return 0

    def get(self, path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=120) as response:
            return response.read().decode("utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                print(f"  {self.label}: still running 60 s after SIGINT, terminating it")
                self.process.terminate()
                try:
                    self.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        self.reader.join(timeout=10)


class Editor:
    """Changes one word in an incident's body: the first word of its Impact paragraph becomes
    ``benchedit1``, then ``benchedit2``, and so on (the file's size stays about the same)."""

    def __init__(self, path: Path):
        self.path, self.step = path, 0
        text = path.read_text(encoding="utf-8")
        head, body = text.split("\n---\n", 1)
        found = re.search(r"## Impact\n\n([A-Za-z]+)", body)
        if not found:
            sys.exit(f"{path} has no Impact paragraph to edit")
        self.word = found.group(1)
        self.head, self.body, self.at = head, body, found.start(1)

    def edit(self) -> str:
        """Write the file with the next word; returns that word."""
        self.step += 1
        word = f"benchedit{self.step}"
        body = self.body[:self.at] + word + self.body[self.at + len(self.word):]
        self.path.write_text(f"{self.head}\n---\n{body}", encoding="utf-8")
        return word


def start(label: str, config: Path, dirty: bool, cpu: int) -> tuple[Server, float]:
    server = Server(label, config, dirty, cpu)
    at, found = server.wait_for(BUILT, STARTUP_TIMEOUT)
    server.wait_for("Serving on", 120)  # the file watcher runs from here
    print(f"  {label}: first build {found.group(1)} s (MkDocs), {at - server.started:.1f} s from start; "
          f"serving on port {server.port}", flush=True)
    return server, float(found.group(1))


def rebuild(server: Server, editor: Editor, page: str) -> tuple[float, float, bool]:
    """Edit, then ``(seconds from the write to "Documentation built", MkDocs' own figure, edit shown)``."""
    time.sleep(1.0)  # let the server settle (the previous rebuild's browser reload, the watcher)
    server.drain()
    word = editor.edit()
    written = time.perf_counter()
    at, found = server.wait_for(BUILT, REBUILD_TIMEOUT)
    seconds = at - written
    shown = word in server.get(page)
    return seconds, float(found.group(1)), shown


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of incidents")
    parser.add_argument("--repeat", type=int, default=3, help="edits per server (default 3)")
    parser.add_argument("--corpus", choices=CORPORA, default="rich", help="as for build.py (default rich)")
    parser.add_argument("--cpu", type=int, default=0, help="the core both servers run on (default 0)")
    parser.add_argument("--keep", metavar="DIR", help="write the sites to DIR and keep them")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    check_cpu(args.cpu)
    workdir, wiki, floor = prepare(args.n, args.seed, args.keep, args.corpus)
    print(f"  cpu: both servers run on core {args.cpu} (taskset -c {args.cpu})", flush=True)
    if others():
        print(f"  WARNING: other builds or benchmarks are running, timings will be off: {others()[0]}")
    code = fingerprint()
    sources = sorted((wiki.parent / "incidents").glob("*.md"))
    middle = sources[len(sources) // 2]
    page = f"/incidents/{middle.stem}/"
    print(f"  editing {middle.name} (page {page}), the same file in floor/docs/incidents/ for the floor")
    editors = {"wiki": Editor(middle), "floor": Editor(floor.parent / "docs" / "incidents" / middle.name)}
    results: dict[tuple[str, str], list[float]] = {}
    firsts: dict[tuple[str, str], float] = {}
    peaks: dict[tuple[str, str], int] = {}
    all_shown = True
    try:
        for mode in ("serve", "serve --dirty"):
            dirty = mode.endswith("--dirty")
            print(f"\n{mode}:", flush=True)
            drop_cache(wiki)  # the first build is cold; rebuilds use what the server keeps
            servers = {}
            try:
                for side, config in (("wiki", wiki), ("floor", floor)):
                    servers[side], firsts[(mode, side)] = start(f"{side} ({mode})", config, dirty, args.cpu)
                for step in range(args.repeat):
                    for side in ("wiki", "floor"):
                        busy = others()
                        seconds, own, shown = rebuild(servers[side], editors[side], page)
                        busy += others()
                        all_shown &= shown
                        results.setdefault((mode, side), []).append(seconds)
                        note = f"  (CONTENDED: also running {sorted(set(busy))[0]})" if busy else ""
                        print(f"  edit {step + 1} {side:5}: {seconds:7.2f} s from the write to 'Documentation built' "
                              f"(MkDocs: built in {own:.2f} s)  edit shown: {'yes' if shown else 'NO'}{note}", flush=True)
                for side, server in servers.items():
                    peaks[(mode, side)] = server.peak_rss()
                    if server.problems:
                        print(f"  {side} logged {len(server.problems)} warnings or errors, e.g. {server.problems[0]}")
            finally:
                for server in servers.values():
                    server.stop()
        now = fingerprint()
        print(f"\nN={args.n} corpus={args.corpus} repeat={args.repeat} cpu={args.cpu} ({code}"
              f"{'' if now == code else f'; the package changed meanwhile: now {now}'})")
        print("  rebuild after one edit, seconds from the write to 'Documentation built' (median of "
              f"{args.repeat}); first build; peak RSS of the server")
        print(f"  {'':16} {'wiki':>8} {'floor':>8} {'ratio':>6}   goal <= {GOAL_RATIO}   first build wiki / floor   "
              "peak RSS wiki / floor")
        for mode in ("serve", "serve --dirty"):
            wiki_s, floor_s = (statistics.median(results[(mode, side)]) for side in ("wiki", "floor"))
            ratio = wiki_s / floor_s
            verdict = "met" if ratio <= GOAL_RATIO else f"missed by {100 * (ratio / GOAL_RATIO - 1):.0f}%"
            print(f"  {mode:16} {wiki_s:7.2f}s {floor_s:7.2f}s {ratio:6.2f}   {verdict:12}   "
                  f"{firsts[(mode, 'wiki')]:6.1f} / {firsts[(mode, 'floor')]:5.1f} s"
                  f"{'':12}{mb(peaks[(mode, 'wiki')]):>7} / {mb(peaks[(mode, 'floor')])}")
        print(f"  every edit reached its page: {'yes' if all_shown else 'NO'}")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
