"""The ``postmortems`` command: new, check, stats and schema (an adapter over the core)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import schema as schema_module
from .loader import Collection, load_directory
from .settings import Settings
from .wiki_config import WikiConfig, read_wiki_config


def _config(config_file: str | None) -> WikiConfig:
    try:
        return read_wiki_config(Path(config_file) if config_file else None)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


def _collection(wiki: WikiConfig) -> Collection:
    return load_directory(wiki.incidents_dir, wiki.settings, base=wiki.root)


config_option = click.option(
    "-f", "--config-file", type=click.Path(dir_okay=False), default=None,
    help="The wiki's mkdocs.yml (default: ./mkdocs.yml when present).",
)


@click.group()
@click.version_option(package_name="mkdocs-postmortems")
def main() -> None:
    """Keep incident postmortems as Markdown and compile them into a wiki."""


@main.command()
@config_option
def check(config_file: str | None) -> None:
    """Validate every incident; exit 1 when any has an error."""
    from .figures import body_problems
    from .uptime import compute

    wiki = _config(config_file)
    collection = _collection(wiki)
    try:  # what the build warns about beyond the files themselves: figures in bodies it cannot show
        report = compute(collection.incidents, wiki.settings, unverified=collection.unverified,
                         uncounted=collection.uncounted)
        collection.problems.extend(body_problems(collection.incidents, report))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    for problem in collection.problems:
        prefix = "error" if problem.is_error else "warning"
        click.echo(f"{prefix}: {problem}", err=True)
    errors, warnings = len(collection.errors), len(collection.warnings)
    summary = f"{len(collection.incidents)} incidents valid, {errors} errors, {warnings} warnings"
    if collection.left_out:
        summary += f"; left out of the wiki: {', '.join(collection.left_out)}"
    click.echo(summary)
    # Exactly when `mkdocs build --strict` fails: it fails on warnings too.
    sys.exit(1 if errors or warnings else 0)


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print uptime.json instead of a table.")
def stats(config_file: str | None, as_json: bool) -> None:
    """Print the uptime figures (the same numbers as the site's uptime.json)."""
    from .stats_table import table
    from .uptime import compute

    wiki = _config(config_file)
    collection = _collection(wiki)
    for problem in collection.problems:
        click.echo(f"{'error' if problem.is_error else 'warning'}: {problem}", err=True)
    try:
        report = compute(collection.incidents, wiki.settings, unverified=collection.unverified,
                         uncounted=collection.uncounted)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(table(report))
    if not report.complete:
        for line in report.caveats():
            click.echo(line, err=True)
        sys.exit(1)


@main.command()
@config_option
def schema(config_file: str | None) -> None:
    """Print the JSON Schema of incident frontmatter, for editors."""
    settings = _config(config_file).settings if config_file or Path("mkdocs.yml").exists() else Settings()
    click.echo(json.dumps(schema_module.frontmatter_schema(settings), indent=2))


@main.command()
@click.argument("title")
@click.option("-s", "--service", "services", multiple=True, help="An affected service (repeat for more).")
@click.option("--severity", default=None, help="Severity (default: the least severe configured).")
@click.option("--started", default=None, help="Start of impact, e.g. '2013-07-12 02:10' (default: now).")
@config_option
def new(title: str, services: tuple[str, ...], severity: str | None, started: str | None, config_file: str | None) -> None:
    """Write incidents/YYYY-MM-DD-slug.md from the new-incident template."""
    from .scaffold import scaffold

    wiki = _config(config_file)
    try:
        path = scaffold(wiki, title, list(services), severity, started)
    except (ValueError, FileExistsError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Wrote {path}")
