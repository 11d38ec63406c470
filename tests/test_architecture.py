"""The core imports nothing from MkDocs, and never from the adapters."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "plugins" / "postmortems"
ADAPTERS = {"plugin", "options", "site_files", "cli", "wiki_config", "worker_html", "page_sections", "markdown"}
CORE = sorted(path for path in PACKAGE.glob("**/*.py") if path.stem not in ADAPTERS)  # subpackages (importers/) too


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(("." * node.level) + (node.module or ""))
    return names


@pytest.mark.parametrize("path", CORE, ids=[path.stem for path in CORE])
def test_core_module_imports_no_mkdocs_and_no_adapter(path):
    names = imported(path)
    assert not [name for name in names if name == "mkdocs" or name.startswith("mkdocs.")]
    assert not [name for name in names if name.lstrip(".").split(".")[-1] in ADAPTERS]

