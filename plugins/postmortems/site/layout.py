"""Where every generated page lives, and relative links between them (no MkDocs needed)."""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from ..incidents.slugs import name_slug

URL_SAFE = "/.-_~"  # kept as they are in a percent-encoded path


class Layout:
    """Source paths (as MkDocs ``src_uri``) of generated pages, and their URLs."""

    # Where each kind of page or file goes; ``{}`` is a name made by ``slug`` (or a year, a window).
    INDEX, YEAR = "index.md", "years/{}.md"  # under the prefix, like the incidents
    dashboard = "uptime/index.md"
    services = "services/index.md"
    causes = "causes/index.md"
    tags = "tags/index.md"
    action_items = "action-items.md"
    backlog = "backlog/index.md"
    SITE_LEDGER, LEDGER = "uptime/ledger/site.md", "uptime/ledger/service-{}.md"
    SERVICE, CAUSE, TAG = "services/{}.md", "causes/{}.md", "tags/{}.md"
    BADGE, SERVICE_BADGE = "badges/uptime-{}.svg", "badges/{}/uptime-{}.svg"
    SERVICE_FEED = "services/{}/feed.xml"
    uptime_json, incidents_json, feed = "uptime.json", "incidents.json", "feed.xml"
    status_summary, status_incidents = "api/v2/summary.json", "api/v2/incidents.json"  # the public site's (Statuspage's shape)
    ASSET = "assets/postmortems/{}"

    def __init__(self, prefix: str = "incidents/", directory_urls: bool = True, source_links: bool = False):
        self.prefix = prefix
        self.directory_urls = directory_urls
        # Links between source files (``../uptime/index.md``) instead of URLs (``../uptime/``): for builders
        # that rewrite every relative href against the page's source file, raw HTML included (Zensical).
        self.source_links = source_links
        self._slugs: dict[tuple[str, str], str] = {}
        self._links: dict[tuple[str, str], str] = {}

    # Pages -------------------------------------------------------------
    def incident(self, incident_id: str) -> str:
        return f"{self.prefix}{incident_id}.md"

    @property
    def index(self) -> str:
        return self.prefix + self.INDEX

    def year(self, year: int) -> str:
        """The page of one year's incidents (when the index shows only the recent years)."""
        return self.prefix + self.YEAR.format(year)

    def ledger(self, scope: str | None) -> str:
        return self.SITE_LEDGER if scope is None else self.LEDGER.format(self.slug("service", scope))

    def service(self, name: str) -> str:
        return self.SERVICE.format(self.slug("service", name))

    def cause(self, name: str) -> str:
        return self.CAUSE.format(self.slug("cause", name))

    def tag(self, name: str) -> str:
        return self.TAG.format(self.slug("tag", name))

    def badge(self, window: str, service: str | None = None) -> str:
        if service is None:
            return self.BADGE.format(window)
        return self.SERVICE_BADGE.format(self.slug("service", service), window)

    def service_feed(self, name: str) -> str:
        """The Atom feed of one service's incidents, next to its page."""
        return self.SERVICE_FEED.format(self.slug("service", name))

    def asset(self, name: str) -> str:
        return self.ASSET.format(name)

    def generated(self) -> dict[str, str]:
        """Every kind of generated page and file, by source path (``{}`` for a name), and what it is."""
        return {
            self.index: "the incident index", self.prefix + self.YEAR: "the page of a year's incidents",
            self.dashboard: "the uptime dashboard", self.SITE_LEDGER: "the site's ledger",
            self.LEDGER: "a service's ledger", self.services: "the services page", self.SERVICE: "a service's page",
            self.causes: "the causes page", self.CAUSE: "a cause's page", self.tags: "the tags page",
            self.TAG: "a tag's page", self.action_items: "the action items page",
            self.backlog: "the postmortem backlog", self.uptime_json: "uptime.json",
            self.incidents_json: "incidents.json", self.feed: "the Atom feed", self.BADGE: "a badge",
            self.status_summary: "the public site's api/v2/summary.json",
            self.status_incidents: "the public site's api/v2/incidents.json",
            self.SERVICE_BADGE: "a service's badge", self.SERVICE_FEED: "a service's Atom feed",
            self.ASSET: "the wiki's stylesheet and script",
        }

    def slug(self, kind: str, name: str) -> str:
        """A stable slug per name; two names that slug alike get ``-2``, ``-3``."""
        key = (kind, name)
        if key not in self._slugs:
            base = name_slug(name)
            taken = {slug for (other_kind, _), slug in self._slugs.items() if other_kind == kind}
            candidate, number = base, 2
            while candidate in taken:
                candidate, number = f"{base}-{number}", number + 1
            self._slugs[key] = candidate
        return self._slugs[key]

    # URLs --------------------------------------------------------------
    def url(self, src_uri: str) -> str:
        """The site-relative URL of a page, as MkDocs would serve it."""
        if not src_uri.endswith(".md"):
            return src_uri
        folder, _, name = src_uri[:-3].rpartition("/")
        folder = f"{folder}/" if folder else ""
        name = "index" if name == "README" else name  # as MkDocs does
        if not self.directory_urls:
            return f"{folder}{name}.html"
        return folder if name == "index" else f"{folder}{name}/"

    def dest(self, src_uri: str) -> str:
        """The path of a page or file in the built site, as MkDocs writes it."""
        url = self.url(src_uri)
        return url + "index.html" if src_uri.endswith(".md") and (not url or url.endswith("/")) else url

    def address(self, src_uri: str) -> str:
        """The site-relative URL of a page, percent-encoded: as it goes into JSON, feeds and links."""
        return quote(self.url(src_uri), safe=URL_SAFE)

    def origin(self, src_uri: str) -> str:
        """What relative links in the page ``src_uri`` are read from: its URL, or with ``source_links``
        its source path (a path whose folder is the base)."""
        return src_uri if self.source_links else self.url(src_uri)

    def href(self, from_src: str, to_src: str, anchor: str = "") -> str:
        """A relative link from the page ``from_src`` to ``to_src`` (a page or a file): between URLs,
        or with ``source_links`` between source files (``../services/web.md``)."""
        from_url = self.origin(from_src)
        base = from_url.rsplit("/", 1)[0] if "/" in from_url else ""
        key = (base, to_src)  # pages in one folder share their links (thousands of incident pages)
        link = self._links.get(key)
        if link is None and self.source_links:
            link = self._links[key] = quote(posixpath.relpath(to_src, base or "."), safe=URL_SAFE)
        if link is None:
            to_url = self.url(to_src)
            relative = posixpath.relpath("/" + to_url, "/" + base)
            if to_url.endswith("/") or not to_url:
                relative = "./" if relative == "." else relative + "/"
            link = self._links[key] = quote(relative, safe=URL_SAFE)
        return link + (f"#{anchor}" if anchor else "")

    @staticmethod
    def source_href(from_src: str, to_src: str) -> str:
        """A link between source files, for Markdown links (MkDocs turns them into URLs)."""
        return quote(posixpath.relpath(to_src, posixpath.dirname(from_src) or "."), safe=URL_SAFE)
