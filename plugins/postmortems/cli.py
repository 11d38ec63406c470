"""The ``postmortems`` command: new, check, stats and schema (an adapter over the core)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import schema as schema_module
from .addresses import claim
from .loader import Collection, Found, assemble, find_incidents, load_paths
from .settings import Settings
from .wiki_config import CONFIG_FILES, ConfigError, NoPlugin, WikiConfig, read_wiki_config


class ConfigProblem(click.ClickException):
    exit_code = 2  # the configuration cannot be used: nothing was checked


def _config(config_file: str | None) -> WikiConfig:
    try:
        return read_wiki_config(Path(config_file) if config_file else None)
    except ConfigError as error:
        raise ConfigProblem(str(error)) from None


def _fixed(wiki: WikiConfig) -> Settings:
    """The settings with the as-of instant fixed, as the build fixes it."""
    try:
        return wiki.settings.fixed()
    except ValueError as error:
        raise ConfigProblem(f"postmortems: {error}") from None


def load_wiki(wiki: WikiConfig) -> tuple[Collection, Found]:
    """The incidents as the build loads them (see plugin.on_files and background.Shared.load)."""
    found = find_incidents(wiki.incidents_dir)
    loaded = load_paths(found.paths, wiki.settings, wiki.root)
    return assemble(claim(loaded, wiki.layout, wiki.taken)), found


def _folder_warning(wiki: WikiConfig) -> str | None:
    try:
        is_dir = wiki.incidents_dir.is_dir()
    except OSError:
        is_dir = False
    if is_dir:
        return None
    return f"incidents_dir '{wiki.incidents_option}' is not a folder ({wiki.incidents_dir}); the wiki has no incidents"


def _site_problems(wiki: WikiConfig, collection: Collection) -> tuple[list[str], list[str]]:
    """What the build would stop on (a template of yours that does not compile), and its warnings
    about the live figures in your pages (``{{ uptime("13d") }}`` with no such window)."""
    from .figures import substitute
    from .pages import TemplateProblem, Wiki

    settings = _fixed(wiki)
    try:
        site = Wiki(collection.incidents, _report(collection, settings), settings, wiki.layout, wiki.templates_dir)
        site.check_templates()
        # Every page the build renders, so a template of yours that fails only while rendering is found here too.
        for item in site.plan():
            item.make()
        for incident in collection.incidents:
            site.incident_page(incident)
    except (TemplateProblem, ValueError) as error:
        return [str(error)], []
    warnings = [str(problem) for problem in site.figure_problems()]  # in incident bodies
    for src_uri, path in wiki.pages:
        try:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue  # MkDocs says so itself when it reads the page
        warnings += [str(problem) for problem in substitute(_strip_meta(text), site.report, _display(path, wiki.root))[1]]
    return [], warnings


def _strip_meta(text: str) -> str:
    """A page's Markdown as MkDocs hands it to plugins: without its YAML meta block, which keeps its lines."""
    from mkdocs.utils import meta

    body, _ = meta.get_data(text)
    return "\n" * (text.count("\n") - body.count("\n")) + body if body != text else text


def _report(collection: Collection, settings: Settings):
    from .uptime import compute

    return compute(collection.incidents, settings, unverified=collection.unverified, uncounted=collection.uncounted)


config_option = click.option(
    "-f", "--config-file", type=click.Path(dir_okay=False), default=None,
    help=f"The wiki's config file (default: the first of {', '.join(CONFIG_FILES)} here).",
)


@click.group()
@click.version_option(package_name="mkdocs-postmortems")
def main() -> None:
    """Keep incident postmortems as Markdown and compile them into a wiki."""


@main.command()
@config_option
def check(config_file: str | None) -> None:
    """Validate the wiki as `mkdocs build --strict` would: exit 1 on any error or warning, 2 when
    the configuration cannot be used."""
    try:
        wiki = read_wiki_config(Path(config_file) if config_file else None)
    except NoPlugin as error:  # mkdocs build passes: so does check, saying why
        click.echo(f"{error}: nothing to check")
        return
    except ConfigError as error:
        raise ConfigProblem(str(error)) from None
    if not wiki.enabled:  # mkdocs build passes: so does check, saying why
        click.echo(f"{wiki.config_file}: the postmortems plugin is disabled (enabled: false): nothing to check")
        return
    _fixed(wiki)
    collection, found = load_wiki(wiki)
    warnings = list(wiki.warnings) + [message for message in [_folder_warning(wiki)] if message]
    site_errors, figure_warnings = _site_problems(wiki, collection)
    warnings += figure_warnings
    for message in warnings:
        click.echo(f"warning: {message}", err=True)
    for problem in collection.problems:
        prefix = "error" if problem.is_error else "warning"
        click.echo(f"{prefix}: {problem}", err=True)
    for message in site_errors:
        click.echo(f"error: {message}", err=True)
    for skipped in found.skipped:
        click.echo(f"skipped: {_display(skipped.path, wiki.root)} ({skipped.reason})", err=True)
    errors, warned = len(collection.errors) + len(site_errors), len(collection.warnings) + len(warnings)
    summary = f"{len(collection.incidents)} incidents valid, {errors} errors, {warned} warnings"
    if collection.left_out:
        summary += f"; left out of the wiki: {', '.join(collection.left_out)}"
    if found.skipped:
        summary += f"; {len(found.skipped)} skipped (not incidents)"
    click.echo(summary)
    sys.exit(1 if errors or warned else 0)


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print uptime.json instead of a table.")
def stats(config_file: str | None, as_json: bool) -> None:
    """Print the uptime figures (the same numbers as the site's uptime.json); exit 1 while any incident
    file is invalid (the figures then count it as its worst case, or cannot count it)."""
    from .stats_table import table

    wiki = _config(config_file)
    settings = _fixed(wiki)
    for message in wiki.warnings:
        click.echo(f"warning: {message}", err=True)
    collection, _found = load_wiki(wiki)
    for problem in collection.problems:
        click.echo(f"{'error' if problem.is_error else 'warning'}: {problem}", err=True)
    try:
        report = _report(collection, settings)
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
    from .wiki_config import find_config_file

    if config_file is None and find_config_file() is None:
        click.echo(f"note: no {' or '.join(CONFIG_FILES)} here: the schema uses the default options", err=True)
        settings = Settings()
    else:
        settings = _config(config_file).settings
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


def _display(path: Path, base: Path) -> str:
    return path.relative_to(base).as_posix() if path.is_relative_to(base) else path.as_posix()
