"""The layers, checked by package: the core (incidents, uptime, site, importers and the application
service) imports nothing from MkDocs or Markdown and never a front end; incidents and uptime import no
Jinja and nothing of the site; no module of the package reads a private attribute of MkDocs."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "plugins" / "postmortems"
FRONT_ENDS = {"mkdocs_plugin", "cli", "markdown"}  # the only packages that may import MkDocs or Markdown
MODULES = sorted(PACKAGE.glob("**/*.py"))


def package_of(path: Path) -> str:
    """The top package under postmortems a module belongs to ('' for the package's own modules)."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else ""


def imported(path: Path) -> set[str]:
    """Every module a file imports, as absolute names (``postmortems.site.wiki``, ``jinja2``)."""
    parts = ["postmortems", *path.relative_to(PACKAGE).with_suffix("").parts]
    here = parts[:-1]  # the package relative imports start from (for an __init__ too)
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                names.add(node.module)
                continue
            base = here[: len(here) - (node.level - 1)]
            if node.module:
                names.add(".".join([*base, node.module]))
            else:  # from . import a, b: each may be a module
                names.update(".".join([*base, alias.name]) for alias in node.names)
    return names


def layer(name: str) -> str | None:
    """The package under postmortems an absolute module name lies in (None outside the package)."""
    parts = name.split(".")
    if parts[0] != "postmortems":
        return None
    return parts[1] if len(parts) > 1 else ""


CORE = [path for path in MODULES if package_of(path) not in FRONT_ENDS]


def test_the_layers_are_packages():
    assert {path.name for path in PACKAGE.iterdir() if path.is_dir() and (path / "__init__.py").exists()} == {
        "incidents", "uptime", "site", "importers", "mkdocs_plugin", "cli", "markdown"}


@pytest.mark.parametrize("path", CORE, ids=[str(path.relative_to(PACKAGE)) for path in CORE])
def test_core_imports_no_builder_and_no_front_end(path):
    names = imported(path)
    assert not [name for name in names if name.split(".")[0] in {"mkdocs", "markdown", "properdocs", "zensical"}]
    assert not [name for name in names if layer(name) in FRONT_ENDS]


LOWER = [path for path in MODULES if package_of(path) in {"incidents", "uptime"}]


@pytest.mark.parametrize("path", LOWER, ids=[str(path.relative_to(PACKAGE)) for path in LOWER])
def test_incidents_and_uptime_import_no_jinja_and_no_site(path):
    names = imported(path)
    assert not [name for name in names if name.split(".")[0] in {"jinja2", "markupsafe"}]
    assert not [name for name in names if layer(name) in {"site", "importers", ""}]
    if package_of(path) == "incidents":  # the engine stands on the incidents, not the other way round
        assert not [name for name in names if layer(name) == "uptime"]


PRIVATE = {"_content", "_title_from_render", "links_to_anchors", "present_anchor_ids", "_files", "_src_uris",
           "_toc", "_md", "_dest_uri"}


@pytest.mark.parametrize("path", MODULES, ids=[str(path.relative_to(PACKAGE)) for path in MODULES])
def test_no_private_attribute_of_mkdocs(path):
    used = {node.attr for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Attribute)}
    defined = {node.name for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)}
    assert not (used | defined) & PRIVATE
