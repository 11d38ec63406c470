import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))  # tests run against the working tree
DATA = ROOT / "tests" / "data"


# The example wiki as each builder makes it, once a session (test_three_builders.py, test_browser.py,
# test_generate.py). Each build runs the command a user runs, with this working tree's plugin first
# on the path; a builder's --strict: not one warning.
@pytest.fixture(scope="session")
def example_wiki(tmp_path_factory) -> Path:
    """A copy of the repository's example wiki; the sites are built beside it."""
    from test_builders import example_copy

    return example_copy(tmp_path_factory.mktemp("example") / "wiki")


@pytest.fixture(scope="session")
def mkdocs_site(example_wiki) -> Path:
    """``mkdocs build --strict`` of the example."""
    from test_builders import build

    build("mkdocs", example_wiki, example_wiki.parent / "site-mkdocs")
    return example_wiki.parent / "site-mkdocs"


@pytest.fixture(scope="session")
def properdocs_build(example_wiki) -> tuple[Path, str]:
    """``properdocs build --strict`` of the example: the site, and what ProperDocs printed (with no
    NO_MKDOCS_2_WARNING, so that a notice Material or ProperDocs would print is seen)."""
    from test_builders import _env, build

    env = _env()
    for name in ("NO_MKDOCS_2_WARNING", "DISABLE_MKDOCS_2_WARNING"):
        env.pop(name, None)
    site = example_wiki.parent / "site-properdocs"
    # No -f: ProperDocs looks for properdocs.yml, properdocs.yaml, mkdocs.yml, mkdocs.yaml and finds the last but one.
    printed = build("properdocs", example_wiki, site, env=env).stderr
    return site, printed


@pytest.fixture(scope="session")
def properdocs_site(properdocs_build) -> Path:
    return properdocs_build[0]


@pytest.fixture(scope="session")
def zensical_site(example_wiki) -> Path:
    """``postmortems generate --out DIR``, then ``zensical build --strict`` in DIR: DIR/site."""
    from test_builders import _command, _env

    if importlib.util.find_spec("zensical") is None:
        pytest.fail("zensical is not installed (pip install -e '.[test]' on Python 3.11 or later; "
                    "on 3.10 run pytest -m 'not zensical')")
    out = example_wiki.parent / "generated"
    for command, cwd in (([_command("postmortems"), "generate", "--out", str(out)], example_wiki),
                         ([_command("zensical"), "build", "--strict"], out)):
        done = subprocess.run(command, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{' '.join(command[:2])} failed:\n{done.stdout}{done.stderr}"
    return out / "site"


def pytest_collection_modifyitems(config, items):
    """Every test that builds with Zensical is marked ``zensical`` (deselected on Python 3.10), whether
    or not its author remembered to mark it."""
    for item in items:
        if "zensical_site" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.zensical)
