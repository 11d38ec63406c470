"""`mkdocs serve` rebuilds when an incident or a template changes, appears or goes away."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

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


@pytest.fixture(params=["auto", "always"])  # always: the worker process renders pages, across rebuilds
def served(tmp_path, request):
    config = write_site(tmp_path, {"2013-06-01-first.md": incident(title="First incident", started="2013-06-01 10:00",
                                                                    resolved="2013-06-01 11:00")},
                        options={"parallel": request.param})
    (tmp_path / "templates").mkdir()
    port = _free_port()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    process = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
                               cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/incidents/", lambda status, body: status == 200 and "First incident" in body)
        yield tmp_path, base
    finally:
        process.terminate()
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
