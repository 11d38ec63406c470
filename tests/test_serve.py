"""`mkdocs serve` rebuilds when an incident or a template changes, appears or goes away."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import ROOT
from sitebuilder import incident, write_site


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


def _wait_for(url: str, check, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = _get(url)
        if check(status, body):
            return body
        time.sleep(0.3)
    raise AssertionError(f"{url} did not change as expected within {timeout}s (last status {status})")


@pytest.fixture
def served(tmp_path):
    yield from _serve(tmp_path)



def _serve(tmp_path):
    config = write_site(tmp_path, {"2013-06-01-first.md": incident(title="First incident", started="2013-06-01 10:00",
                                                                    resolved="2013-06-01 11:00")})
    (tmp_path / "templates").mkdir()
    port = _free_port()
    # The server runs this working tree's plugin, as the tests in this process do (conftest.py).
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1",
               PYTHONPATH=os.pathsep.join([str(ROOT / "plugins"), *filter(None, [os.environ.get("PYTHONPATH")])]))
    process = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
                               cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/incidents/", lambda status, body: status == 200 and "First incident" in body)
        yield tmp_path, base
    finally:
        process.send_signal(signal.SIGINT)  # as Ctrl-C: MkDocs and the plugin clean up after themselves
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def test_serve_picks_up_new_changed_and_deleted_incidents_and_templates(served):
    root, base = served
    new = root / "incidents" / "2013-06-02-second.md"
    new.write_text(incident(title="Second incident", started="2013-06-02 10:00", resolved="2013-06-02 11:00"))
    _wait_for(f"{base}/incidents/2013-06-02-second/", lambda status, body: status == 200 and "Second incident" in body)
    assert "Second incident" in _get(f"{base}/incidents/")[1]

    new.write_text(incident(title="Second incident, retitled", started="2013-06-02 10:00", resolved="2013-06-02 11:00"))
    _wait_for(f"{base}/incidents/", lambda status, body: "Second incident, retitled" in body)

    new.unlink()
    _wait_for(f"{base}/incidents/2013-06-02-second/", lambda status, body: status == 404)

    (root / "templates" / "incident.md").write_text("# {{ md(incident.title) }}\n\nFROM-THE-OVERRIDE\n")
    _wait_for(f"{base}/incidents/2013-06-01-first/", lambda status, body: "FROM-THE-OVERRIDE" in body)
    assert not list((root / "docs").rglob("*.json")), "nothing is written into docs_dir"


def test_serve_keeps_serving_when_incidents_go_and_come_back_and_when_input_is_wrong(served):
    root, base = served
    incidents = root / "incidents"
    shutil.rmtree(incidents)  # MkDocs' own watcher would stop here for good
    _wait_for(f"{base}/incidents/2013-06-01-first/", lambda status, body: status == 404)
    incidents.mkdir()
    page = incidents / "2013-06-03-back.md"
    page.write_text(incident(title="Back again", started="2013-06-03 10:00", resolved="2013-06-03 11:00"))
    _wait_for(f"{base}/incidents/2013-06-03-back/", lambda status, body: status == 200 and "Back again" in body)
    page.write_text(incident(title="Edited after", started="2013-06-03 10:00", resolved="2013-06-03 11:00"))
    _wait_for(f"{base}/incidents/2013-06-03-back/", lambda status, body: "Edited after" in body)

    config = root / "mkdocs.yml"  # a wrong option: logged, and the last good options stay in force
    config.write_text(config.read_text().replace("timezone: UTC", "timezone: UTC\n    windows: [7, month]"))
    page.write_text(incident(title="Edited with a wrong option", started="2013-06-03 10:00", resolved="2013-06-03 11:00"))
    _wait_for(f"{base}/incidents/2013-06-03-back/", lambda status, body: "Edited with a wrong option" in body)

    (root / "templates" / "incident.md").write_text("# {{ md(incident.title) }}\n\n{{ incident.nothing.here }}\n")
    _wait_for(f"{base}/incidents/2013-06-03-back/", lambda status, body: "Template error" in body and "nothing" in body)
    assert _get(f"{base}/uptime/")[0] == 200


def test_serve_keeps_the_loading_cache_in_memory_and_writes_it_when_it_stops(tmp_path):
    serving = _serve(tmp_path)
    root, base = next(serving)
    cache = root / ".cache" / "postmortems" / "incidents.pickle"
    (root / "incidents" / "2013-06-02-second.md").write_text(
        incident(title="Second incident", started="2013-06-02 10:00", resolved="2013-06-02 11:00"), encoding="utf-8")
    _wait_for(f"{base}/incidents/", lambda status, body: status == 200 and "Second incident" in body)
    assert not cache.exists()  # no 30 MB write at every save
    next(serving, None)  # Ctrl-C
    assert cache.is_file()
