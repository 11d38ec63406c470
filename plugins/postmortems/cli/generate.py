"""The wiki as plain files that any Markdown site builder can build (``postmortems generate``).

No MkDocs here: a loaded ``Wiki`` (made with a ``Layout(..., source_links=True)``) becomes
Markdown pages with their HTML in place, and ready files (JSON, Atom, SVG, the assets), under
``docs/`` of the output folder, next to a configuration derived from the wiki's own.

- Islands never leave a placeholder: an inline island's HTML stands where its placeholder stood,
  a ``lead`` island right below the page's ``# Title`` line, and each ``section`` island after the
  body under its ``## Heading``: raw HTML blocks, with blank lines around them.
- Links are source-relative (``../uptime/index.md``, ``../services/web.md``, ``x.md#anchor``):
  builders that rewrite every relative href against its source file, raw HTML included
  (Zensical), turn them into the right URLs. MkDocs leaves links in raw HTML as written.
- The output folder is the generator's only when it holds ``MARKER``: then the files of the
  previous generation that are not made again are removed, and a file is written only when its
  content changed (a builder serving the folder rebuilds only what changed). What a builder
  wrote there (``site/``, caches) is left alone.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..site.templating import Rendered
from ..site.layout import Layout

MARKER = ".postmortems-generated"
DOCS = "docs"  # the output's docs_dir
CONFIG = "mkdocs.yml"  # the output's configuration
from ..site import ASSETS
ASSET_NAMES = ("postmortems.css", "postmortems.js")
PLUGIN = "postmortems"
_META = re.compile(r"\A-{3}[ \t]*\n.*?\n(?:-{3}|\.{3})[ \t]*\n", re.DOTALL)


@dataclass(frozen=True)
class Written:
    pages: int
    files: int
    changed: int
    removed: int


# Pages ---------------------------------------------------------------------
def finished(page: Rendered) -> str:
    """The page's Markdown with each island's HTML where its placeholder stands, so that any
    builder's Markdown takes it as a raw HTML block; blocks kept out of search are marked so."""
    markdown = page.text
    for token, island in page.islands.items():
        html = island.html.strip()
        markdown = markdown.replace(token, html if island.search else unsearchable(html), 1)
    return markdown


def unsearchable(html: str) -> str:
    """``html`` marked ``data-search-exclude``, which Zensical's and Material's search honour: on its one
    top-level element, or on a ``div`` around several."""
    if not html:
        return html
    if _one_element(html):
        end = html.index(">")
        close = end - 1 if html[end - 1] == "/" else end
        return f"{html[:close]} data-search-exclude{html[close:]}"
    return f"<div data-search-exclude>\n{html}\n</div>"


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_FIRST = re.compile(r"<([A-Za-z][\w-]*)")


def _one_element(html: str) -> bool:
    """Whether ``html`` (the wiki's own markup: every value in it escaped, so no ``<`` or ``>`` but in
    tags) is one element: the tag it opens with closes at its very end."""
    first = _FIRST.match(html)
    if not first or first.group(1).lower() in _VOID:
        return False
    depth = 0
    for match in re.finditer(rf"<(/?){re.escape(first.group(1))}\b[^>]*?(/?)>", html):
        if match.group(1):
            depth -= 1
        elif not match.group(2):
            depth += 1
        if depth == 0:
            return match.end() == len(html)
    return False


def with_meta(markdown: str, line: str) -> str:
    """``markdown`` with ``line`` (``key: value``) added to its YAML meta block (made when it has none)."""
    meta = _META.match(markdown)
    if meta:
        first = markdown.index("\n") + 1
        return markdown[:first] + line + "\n" + markdown[first:]
    return f"---\n{line}\n---\n\n{markdown}"


def wiki_files(rendered: Iterable, *, macros: bool = False) -> Iterator[tuple[str, str | Path]]:
    """Every page and file the wiki makes, by source path, from what it rendered (``(uri, Rendered,
    in the nav)``, made with a Layout with ``source_links``): the text of pages with their islands in
    place and of generated files, and the packaged file to copy (the assets). ``macros``: mark each
    page ``render_macros: false``, as the plugin does, so a macros plugin leaves the wiki's own text as
    written."""
    for uri, made, _nav in rendered:
        yield uri, _page(finished(made), macros) if uri.endswith(".md") else made.text
    for name in ASSET_NAMES:
        yield Layout.ASSET.format(name), ASSETS / name


def _page(markdown: str, macros: bool) -> str:
    return with_meta(markdown, "render_macros: false") if macros else markdown


# The output folder -----------------------------------------------------------
def refusal(out: Path, *, root: Path, docs_dir: Path, folders: Iterable[Path] = ()) -> str | None:
    """Why ``out`` cannot hold the generated wiki, or None. ``root`` is the wiki's folder (of its config
    file), ``folders`` the other folders the wiki reads (incidents, templates)."""
    out = out.resolve()
    if out == root:
        return f"--out {out} is the wiki's own folder: name a folder of its own, e.g. {root / 'build'}"
    for name, folder in (("docs_dir", docs_dir), *(("a folder the wiki reads", folder) for folder in folders)):
        folder = folder.resolve()
        if out == folder or out.is_relative_to(folder):
            return f"--out {out} is inside {name} ({folder}): the generated pages would be read as the wiki's own"
        if folder.is_relative_to(out):
            return f"--out {out} contains {name} ({folder}): it would be overwritten"
    if root.is_relative_to(out):
        return f"--out {out} contains the wiki's folder ({root}): it would be overwritten"
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file, not a folder"
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        return (f"--out {out} is not empty and holds no {MARKER}: it was not made by postmortems generate, "
                "so nothing in it is overwritten; name an empty or new folder")
    return None


def write(out: Path, files: Iterable[tuple[str, str | bytes | Path]], config_text: str,
          beside: dict[str, str] | None = None) -> Written:
    """Write ``files`` (source path under ``docs/`` -> text, bytes or a file to copy) and the configuration
    into ``out``, which ``refusal`` accepted, and ``beside`` (path in ``out`` -> text: theme overrides).
    Files of a previous generation not written again are removed."""
    out.mkdir(parents=True, exist_ok=True)
    marker = out / MARKER
    previous = _listed(marker)
    marker.write_text("Made by postmortems generate: the files listed below are replaced at the next run.\n",
                      encoding="utf-8")  # first: a run that fails midway still owns the folder
    docs = out / DOCS
    written: list[str] = []
    pages = files_count = changed = 0
    for uri, content in files:
        _check_uri(uri)
        if isinstance(content, Path):
            data = content.read_bytes()
        elif isinstance(content, str):
            data = content.encode("utf-8")
        else:
            data = content
        target = docs / uri
        changed += _put(target, data)
        written.append(f"{DOCS}/{uri}")
        if uri.endswith(".md"):
            pages += 1
        else:
            files_count += 1
    changed += _put(out / CONFIG, config_text.encode("utf-8"))
    written.append(CONFIG)
    for path, text in (beside or {}).items():
        _check_uri(path)
        changed += _put(out / path, text.encode("utf-8"))
        written.append(path)
    removed = 0
    for stale in sorted(set(previous) - set(written)):
        path = out / stale
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
        _prune(path.parent, out)
    marker.write_text(marker.read_text(encoding="utf-8") + "".join(f"{path}\n" for path in written), encoding="utf-8")
    return Written(pages, files_count, changed, removed)


def _listed(marker: Path) -> list[str]:
    """The files a previous generation wrote, as its marker lists them (only paths inside the folder)."""
    try:
        lines = marker.read_text(encoding="utf-8").splitlines()[1:]
    except OSError:
        return []
    return [line for line in lines if line and not line.startswith("/") and ".." not in line.split("/")]


def _check_uri(uri: str) -> None:
    if uri.startswith("/") or ".." in uri.split("/") or "\0" in uri:
        raise ValueError(f"{uri!r} is not a path inside docs/")


def _put(target: Path, data: bytes) -> int:
    """Write ``data`` to ``target`` unless it holds exactly that already; 1 when it was written."""
    try:
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            return 0
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.postmortems-tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)  # a builder watching the folder never reads half a file
    return 1


def _prune(folder: Path, top: Path) -> None:
    """Remove the folders a removed file leaves empty, up to ``top``."""
    while folder != top and folder.is_relative_to(top):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


# The configuration --------------------------------------------------------------
class Tagged:
    """A YAML value with a tag this module does not interpret (``!ENV``, ``!!python/name:...``), written back as read."""

    def __init__(self, tag: str, value):
        self.tag, self.value = tag, value

    def __eq__(self, other) -> bool:
        return isinstance(other, Tagged) and (self.tag, self.value) == (other.tag, other.value)

    def __repr__(self) -> str:
        return f"Tagged({self.tag!r}, {self.value!r})"


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _tagged(loader: _Loader, suffix_or_tag: str, node: yaml.Node | None = None) -> Tagged:
    tag, node = (node.tag, node) if node is not None else (suffix_or_tag.tag, suffix_or_tag)
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Tagged(tag, value)


_Loader.add_multi_constructor("!", _tagged)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _tagged)


def _represent_tagged(dumper: _Dumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, data.value)


def _represent_text(dumper: _Dumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data.rstrip("\n") and data == data.strip(" ") else None  # not_in_nav, one pattern a line
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(Tagged, _represent_tagged)
_Dumper.add_representer(str, _represent_text)


def load_yaml(text: str) -> dict:
    """A YAML configuration as data, every tag kept as written (``Tagged``)."""
    data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader that keeps tags uninterpreted)
    return data if isinstance(data, dict) else {}


def dump_yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)


def derived_config(data: dict, *, root: Path, out: Path, not_in_nav: Iterable[str] = ()) -> dict:
    """The wiki's configuration (``data``, as read from its file, ``INHERIT`` merged) for the generated
    folder ``out``: ``docs_dir: docs``, the assets in ``extra_css`` and ``extra_javascript``, the
    postmortems plugin (and its Markdown extension) left out, since the wiki is made already, folders
    the file names relative to it (``theme.custom_dir``, ``hooks``, ``watch``) pointing at the same
    places, the generated pages that are no part of the navigation in ``not_in_nav``; the rest as written."""
    config = dict(data)
    config.pop("INHERIT", None)
    config["docs_dir"] = DOCS
    site_dir = config.get("site_dir")
    if isinstance(site_dir, str) and (os.path.isabs(site_dir) or ".." in Path(site_dir).parts):
        del config["site_dir"]  # the site goes into the output folder, where builders want it
    config["plugins"] = _without(config.get("plugins"), PLUGIN)
    if not config["plugins"]:
        del config["plugins"]
    if "markdown_extensions" in config:
        config["markdown_extensions"] = _without(config["markdown_extensions"], f"{PLUGIN}.markdown")
    for key, name in (("extra_css", "postmortems.css"), ("extra_javascript", "postmortems.js")):
        listed = list(config.get(key) or [])
        uri = Layout.ASSET.format(name)
        if uri not in [item.get("path") if isinstance(item, dict) else str(item) for item in listed]:
            listed.append(uri)
        config[key] = listed

    def moved(path):
        if not isinstance(path, str) or os.path.isabs(path):
            return path
        return Path(os.path.relpath(root / path, out)).as_posix()

    theme = config.get("theme")
    if isinstance(theme, dict) and "custom_dir" in theme:
        config["theme"] = {**theme, "custom_dir": moved(theme["custom_dir"])}
    for key in ("hooks", "watch"):
        if isinstance(config.get(key), list):
            config[key] = [moved(item) for item in config[key]]
    patterns = "\n".join(not_in_nav)
    if patterns:
        own = config.get("not_in_nav")
        config["not_in_nav"] = f"{own.rstrip()}\n{patterns}" if isinstance(own, str) and own.strip() else patterns
    return config


OVERRIDES = "overrides"  # the theme overrides generate writes when the wiki has none of its own
FEED_TEMPLATE = (
    '{{% extends "base.html" %}}\n'
    '{{% block extrahead %}}<link rel="alternate" type="application/atom+xml" title="{title}" '
    'href="{{{{ {feed} | url }}}}">{{% endblock %}}\n'
)


def feed_override(config: dict, title: str, feed: str) -> dict[str, str]:
    """Announce the wiki's Atom feed in every page's head where no plugin can (Zensical runs none):
    a theme override, ``overrides/main.html``, filling the ``extrahead`` block of Material's and
    Zensical's ``base.html``. Only when the configuration has no ``theme.custom_dir`` of its own (a
    main.html of yours stays yours): then ``config`` gets ``custom_dir: overrides``, and the files
    to write in the output folder are returned (none otherwise)."""
    theme = config.get("theme")
    theme = {"name": theme} if isinstance(theme, str) else theme
    if not isinstance(theme, dict) or theme.get("custom_dir") or theme.get("name") != "material":
        return {}
    config["theme"] = {**theme, "custom_dir": OVERRIDES}
    # The title as an HTML attribute that no template syntax can reach: every brace an entity.
    shown = html.escape(title, quote=True).replace("{", "&#123;").replace("}", "&#125;")
    return {f"{OVERRIDES}/main.html": FEED_TEMPLATE.format(title=shown, feed=json.dumps(feed))}


def _without(items, name: str):
    """A ``plugins:`` or ``markdown_extensions:`` value (a list of names and one-key mappings, or a
    mapping) without ``name``."""
    if isinstance(items, dict):
        return {key: value for key, value in items.items() if key != name}
    if not isinstance(items, list):
        return items
    kept = []
    for item in items:
        if item == name or (isinstance(item, dict) and len(item) == 1 and name in item):
            continue
        kept.append(item)
    return kept


def not_in_nav(outside: Iterable[str], inside: Iterable[str], own: Iterable[str]) -> list[str]:
    """``not_in_nav`` lines (gitignore patterns from the top of docs_dir) for the generated pages
    ``outside`` the navigation: a folder that holds no page of the writer's (``own``) as one pattern,
    with the generated pages ``inside`` the navigation excepted; others page by page."""
    own_folders = {posixpath.dirname(uri) for uri in own}
    folders: dict[str, list[str]] = {}
    for uri in sorted(outside):
        folders.setdefault(posixpath.dirname(uri), []).append(uri)
    lines = []
    for folder, uris in folders.items():
        if folder and folder not in own_folders:
            lines.append(f"/{_escape_pattern(folder)}/*.md")
            lines += [f"!/{_escape_pattern(uri)}" for uri in sorted(inside) if posixpath.dirname(uri) == folder]
        else:
            lines += [f"/{_escape_pattern(uri)}" for uri in uris]
    return lines


def _escape_pattern(uri: str) -> str:
    return re.sub(r"([*?\[\]!#\\])", r"\\\1", uri)
