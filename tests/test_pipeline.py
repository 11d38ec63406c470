"""One build in one process: template errors, other plugins' changes, the loading cache on disk,
the retired ``parallel`` option, and no process left behind by ``mkdocs serve``."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from conftest import ROOT
from sitebuilder import Captured, write_site
from wikis import many_incidents


def _build(config_file: Path, site_dir: Path, strict: bool = True):
    config = load_config(str(config_file), site_dir=str(site_dir), strict=strict)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return config.plugins["postmortems"]


def _messages(config_file: Path, site_dir: Path, level: int = logging.ERROR, aborts: bool = True) -> list[str]:
    """What a build logs at ``level`` and above; it must abort (``aborts``) or finish."""
    handler = Captured()
    handler.setLevel(level)
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        if aborts:
            with pytest.raises(Abort):
                _build(config_file, site_dir)
        else:
            _build(config_file, site_dir, strict=False)
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    return handler.messages


def _tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_a_template_error_while_rendering_stops_the_build_with_its_message(tmp_path):
    config = write_site(tmp_path, many_incidents(6))
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "tags.md").write_text("# Tags\n\n{{ no_such_thing.name }}\n")
    assert "postmortems: template tags.md: 'no_such_thing' is undefined" in _messages(config, tmp_path / "site")
    assert not (tmp_path / "site" / "index.html").exists()  # stopped before any page was written


def test_a_template_syntax_error_stops_the_build_before_any_page(tmp_path):
    config = write_site(tmp_path, many_incidents(6))
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "ledger.md").write_text("# Ledger\n{% if %}\n")
    assert _messages(config, tmp_path / "site") == [
        "postmortems: template ledger.md:2: Expected an expression, got 'end of statement block' "
        f"(in {tmp_path / 'templates' / 'ledger.md'})"]


def test_markdown_another_plugin_changes_is_what_the_page_shows(tmp_path):
    config = write_site(tmp_path, many_incidents(8), config={"hooks": ["hook.py"]})
    (tmp_path / "hook.py").write_text(
        "def on_page_markdown(markdown, page, config, files):\n"
        "    return markdown + '\\n\\nAdded by *a hook*.\\n' if page.file.src_uri.endswith('x03.md') else markdown\n")
    _build(config, tmp_path / "site")
    assert "Added by <em>a hook</em>." in (tmp_path / "site" / "incidents" / "2013-04-x03" / "index.html").read_text()
    assert "Added by" not in (tmp_path / "site" / "incidents" / "2013-05-x04" / "index.html").read_text()


def test_the_loading_cache_is_kept_on_disk_and_changes_nothing_in_the_site(tmp_path):
    incidents = many_incidents(20)
    config = write_site(tmp_path / "wiki", incidents)
    cache = tmp_path / "wiki" / ".cache" / "postmortems"
    first = _build(config, tmp_path / "cold")
    assert first.cache.misses == 20 and (cache / "incidents.pickle").is_file()
    first.cache = None  # what the next CI run's process starts from (MkDocs keeps one plugin object per process)
    warm = _build(config, tmp_path / "warm")
    assert (warm.cache.hits, warm.cache.misses) == (20, 0)
    assert _tree(tmp_path / "cold") == _tree(tmp_path / "warm")
    edited = tmp_path / "wiki" / "incidents" / "2013-02-x07.md"
    edited.write_text(edited.read_text().replace("Incident 7: database trouble", "Incident 7, renamed"))
    assert "Incident 7, renamed" in edited.read_text()
    after = _build(config, tmp_path / "edited")
    assert (after.cache.hits, after.cache.misses) == (19, 1)
    assert "Incident 7, renamed" in (tmp_path / "edited" / "incidents" / "index.html").read_text()
    # Off, or elsewhere, as the options say; and the same site without it.
    off = write_site(tmp_path / "off", incidents, options={"cache": False})
    assert _build(off, tmp_path / "site-off").cache is None and not (tmp_path / "off" / ".cache").exists()
    assert _tree(tmp_path / "site-off") == _tree(tmp_path / "cold")
    moved = write_site(tmp_path / "moved", incidents, options={"cache_dir": "build-cache"})
    _build(moved, tmp_path / "site-moved")
    assert (tmp_path / "moved" / "build-cache" / "incidents.pickle").is_file()


def test_the_retired_parallel_option_warns_and_changes_nothing(tmp_path):
    config = write_site(tmp_path, many_incidents(4), options={"parallel": "never"})
    messages = _messages(config, tmp_path / "site", logging.WARNING, aborts=False)
    assert any("The option 'parallel' no longer does anything" in message for message in messages), messages
    assert (tmp_path / "site" / "incidents" / "2013-01-x00" / "index.html").is_file()


def _children(pid: int) -> set[int]:
    """Every process below ``pid``, read from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def test_killing_mkdocs_serve_leaves_no_process_behind(tmp_path):
    """SIGTERM, as `timeout`, an editor or a process manager sends it: nothing of the wiki keeps running."""
    config = write_site(tmp_path, many_incidents(400))  # enough incidents that a worker would have started
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1",
               PYTHONPATH=os.pathsep.join([str(ROOT / "plugins"), *filter(None, [os.environ.get("PYTHONPATH")])]))
    process = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
                               cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError("mkdocs serve did not start")
        children = _children(process.pid)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        time.sleep(1)
        assert children == set() and _children(process.pid) == set()
        assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _dirty_build(config_file: Path, site_dir: Path):
    config = load_config(str(config_file), site_dir=str(site_dir))
    config.plugins.on_startup(command="serve", dirty=True)  # as `mkdocs serve --dirty` rebuilds, in one process
    try:
        build(config, dirty=True)
    finally:  # MkDocs keeps the plugin object for the process: the next test's builds are plain builds again
        config.plugins.on_startup(command="build", dirty=False)
    return config.plugins["postmortems"]


def _mtimes(site: Path) -> dict[str, int]:
    """The pages' modification times (the theme's 404.html aside: MkDocs writes it at every build)."""
    return {path.relative_to(site).as_posix(): path.stat().st_mtime_ns for path in site.rglob("*.html")
            if path.name != "404.html" or path.parent != site}


def test_dirty_rebuilds_write_only_the_generated_pages_that_changed(tmp_path):
    config = write_site(tmp_path, many_incidents(12))
    site = tmp_path / "site"
    _dirty_build(config, site)
    before = _mtimes(site)
    time.sleep(0.05)
    edited = tmp_path / "incidents" / "2013-02-x07.md"
    edited.write_text(edited.read_text().replace("Too many app servers.", "Too many app servers, again."))
    _dirty_build(config, site)
    after = _mtimes(site)
    rewritten = sorted(name for name in after if after[name] != before.get(name))
    assert rewritten == ["incidents/2013-02-x07/index.html"]  # the body changed; no list shows it
    assert "Too many app servers, again." in (site / "incidents" / "2013-02-x07" / "index.html").read_text()
    time.sleep(0.05)
    edited.write_text(edited.read_text().replace("Incident 7: database trouble", "Incident 7, renamed"))
    _dirty_build(config, site)
    again = _mtimes(site)
    rewritten = {name for name in again if again[name] != after.get(name)}
    for page in ("incidents/index.html", "services/database/index.html", "causes/config/index.html",
                 "incidents/2013-02-x07/index.html"):  # every page that lists the incident, with its new title
        assert page in rewritten and "Incident 7, renamed" in (site / page).read_text(), page
    assert "uptime/index.html" not in rewritten and "tags/t0/index.html" not in rewritten
    # A page whose HTML is gone is written again, unchanged or not.
    (site / "uptime" / "index.html").unlink()
    _dirty_build(config, site)
    assert (site / "uptime" / "index.html").is_file()
