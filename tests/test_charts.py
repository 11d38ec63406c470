"""Inline SVG charts and standalone badges: well-formed, escaped, offline, deterministic."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from postmortems.site import badges

from postmortems.site import charts

NS = {"svg": "http://www.w3.org/2000/svg"}
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
HOSTILE = [SCRIPT, BREAKOUT, "]]>", "</script>", "a'b\"c&d"]
RAW_HOSTILE = [SCRIPT, BREAKOUT, "<img", "</script>", "]]>"]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def assert_offline(svg: str) -> None:
    """The only absolute URL in the SVG is the SVG namespace; nothing is fetched."""
    urls = re.findall(r"(?i)(?:https?:)?//[^\s\"'<>)]+", svg)
    assert urls == ["http://www.w3.org/2000/svg"]
    for banned in ("<image", "<use", "@import", "<style", "<script", "<foreignObject", "xlink"):
        assert banned not in svg


def all_text(root: ET.Element) -> str:
    return "\n".join("".join(el.itertext()) for el in root.iter() if el.text)


def day(date, minutes, display="99.99%", incidents=()):
    return {"date": date, "downtime_minutes": minutes, "display": display, "incidents": list(incidents)}


DAYS = [
    day("2013-06-26", None, "n/a"),
    day("2013-06-27", 0, "100%"),
    day("2013-06-28", 3.5, "99.76%", [{"title": "Slow DNS", "url": "../incidents/2013-06-28-dns/"}]),
    day("2013-06-29", 5, "99.65%"),
    day("2013-06-30", 42.5, "97.05%", [{"title": "DB failover", "url": "https://status.example.org/x"}]),
    day("2013-07-01", 60.01, "95.83%", [{"title": "Outage A", "url": "/a/"}, {"title": "Outage B", "url": "/b/"}]),
]


def rects(root):
    return root.findall(".//svg:rect", NS)


# status_bar -----------------------------------------------------------------


def test_status_bar_has_one_rect_per_day_in_order_with_classes_and_fills():
    root = parse(charts.status_bar(DAYS, title="API uptime, last 90 days"))
    found = rects(root)
    assert len(found) == len(DAYS)
    classes = [r.get("class") for r in found]
    assert classes == [
        "pm-day pm-none", "pm-day pm-ok", "pm-day pm-minor", "pm-day pm-minor", "pm-day pm-major", "pm-day pm-critical",
    ]
    assert [r.get("fill") for r in found] == [charts.DAY_FILLS[c.split()[1]] for c in classes]
    xs = [float(r.get("x")) for r in found]
    assert xs == sorted(xs) and len({r.get("width") for r in found}) == 1
    assert root.get("role") == "group" and root.get("aria-label") == "API uptime, last 90 days"  # links stay reachable
    assert root.get("preserveAspectRatio") == "none" and root.get("width") == "100%"
    assert "pm-statusbar" in root.get("class") and root.get("viewBox").startswith("0 0 ")


@pytest.mark.parametrize(
    ("minutes", "display", "css"),
    [(0, "100%", "pm-ok"), (0.01, "", "pm-minor"), (5, "", "pm-minor"), (5.01, "", "pm-major"),
     (60, "", "pm-major"), (61, "", "pm-critical"), (None, "n/a", "pm-none"), (0, "n/a", "pm-none"),
     (float("nan"), "", "pm-none")],
)
def test_day_class_thresholds(minutes, display, css):
    assert charts.day_class(minutes, display) == css


def test_status_bar_tooltips_and_links():
    root = parse(charts.status_bar(DAYS, title="t"))
    titles = [r.find("svg:title", NS).text for r in rects(root)]
    assert titles[0] == "2013-06-26: n/a (no data)"
    assert titles[1] == "2013-06-27: 100% uptime, 0 min downtime"
    assert titles[4] == "2013-06-30: 97.05% uptime, 42.5 min downtime\nDB failover"
    assert titles[5].splitlines()[1:] == ["Outage A", "Outage B"]
    bare = parse(charts.status_bar([day("2013-07-02", 1, "")], title="t"))
    assert rects(bare)[0].find("svg:title", NS).text == "2013-07-02: 1 min downtime"
    links = root.findall("svg:a", NS)
    assert [a.get("href") for a in links] == ["../incidents/2013-06-28-dns/", "https://status.example.org/x", "/a/"]
    assert all(len(rects(a)) == 1 for a in links)


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
                                 "data:text/html,<b>x</b>", "vbscript:x", "", None])
def test_status_bar_refuses_unsafe_links(url):
    svg = charts.status_bar([day("2013-06-30", 10, "99%", [{"title": "x", "url": url}])], title="t")
    root = parse(svg)
    assert root.findall(".//svg:a", NS) == [] and "href" not in svg
    assert "javascript" not in svg.lower()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_status_bar_escapes_hostile_text(hostile):
    days = [day(hostile, 10, hostile, [{"title": hostile, "url": f"/x?q={hostile}"}])]
    svg = charts.status_bar(days, title=hostile)
    for raw in RAW_HOSTILE:
        assert raw not in svg
    root = parse(svg)
    assert root.get("aria-label") == hostile
    tip = rects(root)[0].find("svg:title", NS).text
    assert tip == f"{hostile}: {hostile} uptime, 10 min downtime\n{hostile}"
    assert root.find("svg:a", NS).get("href") == f"/x?q={hostile}"


def test_status_bar_empty_and_deterministic():
    assert parse(charts.status_bar([], title="none")).get("viewBox") == "0 0 1 34"
    assert charts.status_bar(DAYS, title="t") == charts.status_bar(DAYS, title="t")
    local = [d for d in DAYS if not any("://" in i["url"] for i in d["incidents"])]
    assert_offline(charts.status_bar(local, title="t"))


def test_status_bar_absolute_incident_link_is_only_an_href():
    """An http(s) incident URL is kept as navigation (a link is never fetched), nowhere else."""
    svg = charts.status_bar(DAYS, title="t")
    root = parse(svg)
    assert svg.count("https://status.example.org/x") == 1
    assert root.findall("svg:a", NS)[1].get("href") == "https://status.example.org/x"


# monthly_downtime -----------------------------------------------------------

MONTHS = [
    {"month": "2013-04", "downtime_minutes": 0, "display": "100%", "url": None},
    {"month": "2013-05", "downtime_minutes": 12, "display": ">99.97%", "url": "../2013-05/"},
    {"month": "2013-06", "downtime_minutes": 42.5, "display": ">99.90%", "url": "javascript:alert(1)"},
]


def month_groups(root):
    return root.findall(".//svg:g[@class='pm-month']", NS)


def test_monthly_downtime_structure():
    svg = charts.monthly_downtime(MONTHS, title="Downtime per month")
    root = parse(svg)
    assert root.get("font-family") == "system-ui, sans-serif" and root.get("role") == "group"
    groups = month_groups(root)
    assert len(groups) == 3
    assert [g.find("svg:title", NS).text for g in groups] == [
        "2013-04: 0 min downtime, uptime 100%",
        "2013-05: 12 min downtime, uptime >99.97%",
        "2013-06: 42.5 min downtime, uptime >99.90%",
    ]
    heights = [float(g.find("svg:rect[@class='pm-bar']", NS).get("height")) for g in groups]
    assert heights[0] == 0 and 0 < heights[1] < heights[2]
    values = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "pm-value"]
    assert values == ["12", "42.5"]
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "pm-label"]
    assert labels == ["Apr 13", "May 13", "Jun 13"]
    assert [a.get("href") for a in root.findall("svg:a", NS)] == ["../2013-05/"]
    assert "javascript" not in svg
    ticks = [t.text for t in root.find("svg:g[@class='pm-axis']", NS).iter("{http://www.w3.org/2000/svg}text")]
    assert ticks == ["0", "10", "20", "30", "40", "50", "min"]
    assert_offline(svg)


def test_monthly_downtime_all_zero_and_empty():
    zeros = [{"month": f"2013-{m:02d}", "downtime_minutes": 0, "display": "100%", "url": None} for m in (1, 2)]
    root = parse(charts.monthly_downtime(zeros, title="z"))
    assert len(month_groups(root)) == 2
    assert all(float(r.get("height")) == 0 for r in root.findall(".//svg:rect[@class='pm-bar']", NS))
    parse(charts.monthly_downtime([], title="empty"))


def test_monthly_downtime_thins_labels_after_twelve_months():
    months = [{"month": f"{2012 + i // 12}-{i % 12 + 1:02d}", "downtime_minutes": i, "display": "", "url": None}
              for i in range(36)]
    root = parse(charts.monthly_downtime(months, title="3y"))
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "pm-label"]
    assert labels == ["Jan 12", "Apr 12", "Jul 12", "Oct 12", "Jan 13", "Apr 13", "Jul 13", "Oct 13",
                      "Jan 14", "Apr 14", "Jul 14", "Oct 14"]
    assert month_groups(root)[5].find("svg:title", NS).text == "2012-06: 5 min downtime"


@pytest.mark.parametrize(("top", "ticks"), [(0, [0, 1]), (42.5, [0, 10, 20, 30, 40, 50]), (7, [0, 2, 4, 6, 8]), (-5, [0, 1]),
                                            (0.3, [0, 0.1, 0.2, 0.3]), (1000, [0, 200, 400, 600, 800, 1000]),
                                            (float("nan"), [0, 1]), (3, [0, 1, 2, 3])])
def test_nice_ticks(top, ticks):
    assert charts.nice_ticks(top) == ticks


@pytest.mark.parametrize("hostile", HOSTILE)
def test_monthly_downtime_escapes_hostile_text(hostile):
    months = [{"month": hostile, "downtime_minutes": 5, "display": hostile, "url": f"/m/{hostile}"}]
    svg = charts.monthly_downtime(months, title=hostile)
    for raw in RAW_HOSTILE:
        assert raw not in svg
    root = parse(svg)
    assert root.get("aria-label") == hostile
    group = month_groups(root)[0]
    assert group.find("svg:title", NS).text == f"{hostile}: 5 min downtime, uptime {hostile}"
    assert root.find("svg:a", NS).get("href") == f"/m/{hostile}"
    assert charts.monthly_downtime(months, title=hostile) == svg


# bars -----------------------------------------------------------------------


def test_bars_structure_and_values():
    items = [("critical", 2), ("major", 5), ("minor", 0), ("a very long cause category name " * 3, 1.5)]
    svg = charts.bars(items, title="By severity", unit="incidents")
    root = parse(svg)
    rows = root.findall("svg:g[@class='pm-row']", NS)
    assert len(rows) == 4
    assert [r.find("svg:title", NS).text for r in rows][:3] == [
        "critical: 2 incidents", "major: 5 incidents", "minor: 0 incidents"]
    widths = [float(r.find("svg:rect", NS).get("width")) for r in rows]
    assert widths[2] == 0 and widths[1] == max(widths)
    assert [r.find("svg:text[@class='pm-value']", NS).text for r in rows] == [
        "2 incidents", "5 incidents", "0 incidents", "1.5 incidents"]
    assert rows[3].find("svg:text", NS).text.endswith("\u2026")
    assert_offline(svg)
    assert charts.bars(items, title="By severity", unit="incidents") == svg


def test_bars_all_zero_empty_and_hostile():
    parse(charts.bars([("a", 0), ("b", 0)], title="zero"))
    parse(charts.bars([], title="empty"))
    for hostile in HOSTILE:
        svg = charts.bars([(hostile, 3)], title=hostile, unit=hostile)
        for raw in RAW_HOSTILE:
            assert raw not in svg
        root = parse(svg)
        assert root.get("aria-label") == hostile
        assert root.find(".//svg:title", NS).text == f"{hostile}: 3 {hostile}"


# HTML beside the charts: what the tooltips say, as text -----------------------


def html(fragment: str) -> ET.Element:
    """An HTML fragment of ours, read as XML: well-formed, every value escaped."""
    return ET.fromstring(f"<root>{fragment}</root>")


def test_status_axis_names_the_first_and_last_day_and_the_months_between():
    days = [day(f"2013-04-{d:02d}", 0, "100%") for d in range(2, 31)] + \
        [day(f"2013-05-{d:02d}", 0, "100%") for d in range(1, 32)] + [day(f"2013-06-{d:02d}", 0, "100%") for d in range(1, 31)]
    axis = html(charts.status_axis(days)).find("div")
    spans = axis.findall("span")
    assert [s.get("class") for s in spans] == ["pm-axis-start", "pm-axis-month", "pm-axis-month", "pm-axis-end"]
    assert [s.text for s in spans] == ["2013-04-02", "May 1", "Jun 1", "2013-06-30"]
    # each month starts where its day's rect starts in the bar (rects 10 wide, 2 apart, 898 in all)
    assert spans[1].get("style") == f"left: {round(29 * 10 / 898 * 100, 2)}%"
    assert spans[2].get("style") == f"left: {round(60 * 10 / 898 * 100, 2)}%"
    near_edges = [day("2013-05-01", 0, "100%")] + [day(f"2013-05-{d:02d}", 0, "100%") for d in range(2, 32)] + \
        [day("2013-06-01", 0, "100%")]
    assert [s.text for s in html(charts.status_axis(near_edges)).iter("span")] == ["2013-05-01", "2013-06-01"]
    assert charts.status_axis([]) == ""


def test_status_legend_has_every_colour_of_the_bars_in_threshold_order():
    items = html(charts.status_legend()).find("ul").findall("li")
    assert ["".join(li.itertext()) for li in items] == [label for _, label in charts.DAY_LEGEND]
    assert [li.find("svg/rect").get("fill") for li in items] == \
        [charts.DAY_FILLS[css] for css, _ in charts.DAY_LEGEND]
    assert {css for css, _ in charts.DAY_LEGEND} == set(charts.DAY_FILLS)
    # the labels say what day_class does: 5 minutes is minor, 60 major, a minute more critical
    assert [charts.day_class(m) for m in (0, 5, 60, 61)] == [css for css, _ in charts.DAY_LEGEND[:4]]


def test_status_days_lists_the_days_with_downtime_as_the_tooltips_say():
    block = html(charts.status_days(DAYS)).find("details")
    assert block.find("summary").text == "4 days with downtime"
    items = block.findall("ul/li")
    assert ["".join(li.itertext()) for li in items] == [
        "2013-06-28: 3.5 min downtime (99.76% uptime): Slow DNS",
        "2013-06-29: 5 min downtime (99.65% uptime)",
        "2013-06-30: 42.5 min downtime (97.05% uptime): DB failover",
        "2013-07-01: 60.01 min downtime (95.83% uptime): Outage A, Outage B",
    ]
    assert [a.get("href") for a in block.iter("a")] == ["../incidents/2013-06-28-dns/", "https://status.example.org/x",
                                                         "/a/", "/b/"]  # every incident of a day, not just the first
    tips = [r.find("svg:title", NS).text for r in rects(parse(charts.status_bar(DAYS, title="t")))]
    for li in items:
        date, minutes = li.find("time").text, li.find("time").tail.split(" min")[0].lstrip(": ")
        assert any(tip.startswith(date) and f", {minutes} min downtime" in tip for tip in tips)
    calm = charts.status_days([day("2013-06-27", 0, "100%"), day("2013-06-26", None, "n/a")])
    assert html(calm).find("p").text == "No downtime on any of these days."


@pytest.mark.parametrize("hostile", HOSTILE)
def test_status_days_and_axis_escape_hostile_text_and_refuse_unsafe_links(hostile):
    days = [day(hostile, 10, hostile, [{"title": hostile, "url": "javascript:alert(1)"}])]
    for fragment in (charts.status_days(days), charts.status_axis(days), charts.status_block(days, title=hostile)):
        for raw in RAW_HOSTILE:
            assert raw not in fragment
        assert "javascript" not in fragment.lower()
        html(fragment)
    item = html(charts.status_days(days)).find("details/ul/li")
    assert "".join(item.itertext()) == f"{hostile}: 10 min downtime ({hostile} uptime): {hostile}"


def test_monthly_table_has_the_charts_figures():
    root = html(charts.monthly_table(MONTHS, title="Downtime per month"))
    assert root.find("details/summary").text == "Downtime per month, as a table"
    rows = [["".join(td.itertext()) for td in tr.findall("td")] for tr in root.iter("tr") if tr.find("td") is not None]
    assert rows == [["2013-04", "0 min", "100%"], ["2013-05", "12 min", ">99.97%"], ["2013-06", "42.5 min", ">99.90%"]]
    titles = [g.find("svg:title", NS).text for g in month_groups(parse(charts.monthly_downtime(MONTHS, title="t")))]
    assert titles == [f"{month}: {minutes} downtime, uptime {uptime}" for month, minutes, uptime in rows]
    assert [a.get("href") for a in root.iter("a")] == ["../2013-05/"]  # no javascript: link


def test_monthly_values_too_wide_for_their_slot_are_left_to_the_table():
    months = [{"month": f"{2012 + i // 12}-{i % 12 + 1:02d}", "downtime_minutes": 1234.5 if i == 3 else i, "display": "",
               "url": None} for i in range(24)]
    root = parse(charts.monthly_downtime(months, title="2y"))
    assert root.get("font-size") == "11"
    values = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "pm-value"]
    assert "1234.5" not in values and "23" in values and all(t.get("font-size") is None
                                                              for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "1234.5 min" in charts.monthly_table(months, title="2y")


# badges ---------------------------------------------------------------------


def test_badge_structure():
    svg = badges.badge("uptime", ">99.98%", badges.GREEN)
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "uptime: >99.98%"
    assert root.find("svg:title", NS).text == "uptime: >99.98%"
    assert int(root.get("width")) == sum(int(r.get("width")) for r in root.findall("svg:g/svg:rect", NS)[:2])
    assert root.findall("svg:g/svg:rect", NS)[1].get("fill") == "#4c1"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["uptime", "uptime", ">99.98%", ">99.98%"]
    assert_offline(svg)
    assert badges.badge("uptime", ">99.98%", badges.GREEN) == svg


def test_badge_width_grows_with_text():
    short = int(parse(badges.badge("uptime", "100%", "#4c1")).get("width"))
    long = int(parse(badges.badge("uptime", "99.9999% this quarter", "#4c1")).get("width"))
    assert 80 < short < 100 and long > short + 60
    assert badges.text_width("iiii") < badges.text_width("MMMM")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_badge_escapes_hostile_text_and_color(hostile):
    svg = badges.badge(hostile, hostile, hostile)
    for raw in RAW_HOSTILE:
        assert raw not in svg
    root = parse(svg)
    assert root.get("aria-label") == f"{hostile}: {hostile}"
    assert root.find("svg:title", NS).text == f"{hostile}: {hostile}"
    assert root.findall("svg:g/svg:rect", NS)[1].get("fill") == badges.GREY


def test_badge_without_label():
    root = parse(badges.badge("", "ok", "green"))
    assert root.get("aria-label") == "ok" and len(list(root.iter("{http://www.w3.org/2000/svg}text"))) == 2


@pytest.mark.parametrize(
    ("uptime", "colour"),
    [(99.9, "#4c1"), (99.95, "#4c1"), (99.5, "#dfb317"), (99.4, "#dfb317"), (99.39, "#e05d44"),
     (None, "#9f9f9f"), (float("nan"), "#9f9f9f")],
)
def test_color_for(uptime, colour):
    assert badges.color_for(uptime, 99.9) == colour


def test_modules_do_not_import_mkdocs():
    import inspect

    for module in (charts, badges):
        source = inspect.getsource(module)
        assert "mkdocs" not in re.findall(r"^\s*(?:from|import)\s+([\w.]+)", source, re.M)
