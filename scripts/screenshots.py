"""Make the README's screenshots of the example wiki: python scripts/screenshots.py

Builds the example with ``mkdocs build`` into a temporary folder, serves it on 127.0.0.1 and takes each
picture with Playwright driving Debian's Chromium (``apt-get install -y chromium``), as the browser tests
do. Each picture is reduced to a 256-colour palette and saved as an optimized PNG into docs/images/;
the script fails if one comes out at 200 KB or more.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
LIMIT = 200_000  # bytes

# name: (path, scheme, viewport width and height in CSS pixels, device pixels per CSS pixel)
SHOTS = {
    "dashboard.png": ("/uptime/", "light", 1100, 1600, 1),
    "incident-dark.png": ("/incidents/2012-08-14-schema-upgrade-stale-replica/", "dark", 1100, 1300, 1),
    "index-phone.png": ("/incidents/", "light", 390, 844, 2),
}


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def build(site: Path) -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "plugins"), os.environ.get("PYTHONPATH")])))
    # Never -q with --strict: quiet mode hides the warnings that --strict counts.
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"mkdocs build failed:\n{result.stderr}")


def save(png: bytes, path: Path) -> int:
    """``png`` with at most 256 colours (octree keeps the few pixels of a legend's colours), optimized; its size
    in bytes."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(path, optimize=True)
    return path.stat().st_size


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("Chromium is needed: apt-get install -y chromium", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        build(site)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        server = f"http://127.0.0.1:{httpd.server_address[1]}"
        too_big = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                                     args=["--no-sandbox", "--disable-gpu", "--hide-scrollbars"])
                for name, (path, scheme, width, height, scale) in SHOTS.items():
                    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": height},
                                                  device_scale_factor=scale)
                    page = context.new_page()
                    page.goto(server + path)
                    page.wait_for_load_state("networkidle")
                    size = save(page.screenshot(), IMAGES / name)
                    print(f"{IMAGES / name}: {width}x{height}, {scheme}, {size:,} bytes")
                    if size >= LIMIT:
                        too_big.append(name)
                    context.close()
                browser.close()
        finally:
            httpd.shutdown()
            httpd.server_close()
    if too_big:
        print(f"{', '.join(too_big)}: 200 KB or more; make the viewport smaller", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
