"""mkdocs-macros and this plugin in one wiki, in both orders: live figures work, incident bodies stay as written."""

from __future__ import annotations

import json

import pytest

from sitebuilder import build_and_capture, incident, write_site

BODY = "## Summary\n\nThe template said `{{ user.name }}` and {% raw %}nothing else{% endraw %}.\n"
HOME = '# Home\n\nWe kept {{ uptime("all") }}; web {{ uptime("30d", "web") }}. Code: `{{ uptime("7d") }}`\n'


@pytest.mark.parametrize("order", [["search", "macros", "postmortems"], ["search", "postmortems", "macros"]])
def test_macros_in_either_order(tmp_path, order):
    options = {"timezone": "UTC", "since": "2013-01-01 00:00", "as_of": "2013-07-01 00:00"}
    plugins = [name if name != "postmortems" else {"postmortems": options} for name in order]
    config = write_site(tmp_path, {"2013-06-20-x.md": incident(body=BODY)}, docs={"index.md": HOME},
                        config={"plugins": plugins})
    site, warnings = build_and_capture(config, strict=True)
    assert warnings == []
    document = json.loads((site / "uptime.json").read_text())
    home = (site / "index.html").read_text()
    figure = document["site"]["windows"]["all"]["display"].replace(">", "&gt;")
    web = document["services"]["web"]["windows"]["30d"]["display"].replace(">", "&gt;")
    assert f"We kept {figure}; web {web}." in home
    page = (site / "incidents" / "2013-06-20-x" / "index.html").read_text()
    assert "<code>{{ user.name }}</code>" in page and "{% raw %}nothing else{% endraw %}" in page
    assert "Macro Rendering Error" not in page and "Macro Rendering Error" not in home
