"""The wiki's configuration, as ``mkdocs build`` reads it, for the CLI (adapter side).

The CLI loads the config file with MkDocs' own ``load_config``: ``INHERIT``, ``!ENV``, every
form of ``plugins:``, the plugin's options (its own config class) and the rest of the file are
read, refused and warned about exactly as ``mkdocs build`` does. What MkDocs would only find
while building (``incidents_dir`` against ``docs_dir``, pages and theme files at an incident's
address) is checked with the plugin's own functions.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .. import build
from .options import PostmortemsConfig, folder_problem, prefix, settings_from
from ..incidents.settings import Settings
from ..site.layout import Layout

PLUGIN = "postmortems"
# ProperDocs' order, then Zensical's own file: a folder that has both a YAML config and zensical.toml
# builds the plugin's wiki from the YAML (MkDocs and ProperDocs read only that one).
CONFIG_FILES = ("properdocs.yml", "properdocs.yaml", "mkdocs.yml", "mkdocs.yaml", "zensical.toml")
# What the CLI reads from zensical.toml's [project] table besides [project.plugins.postmortems]:
# the settings the wiki depends on, with the meaning they have in mkdocs.yml.
TOML_KEYS = ("site_name", "site_url", "docs_dir", "use_directory_urls", "exclude_docs", "draft_docs", "not_in_nav")


class ConfigError(Exception):
    """The wiki's configuration cannot be used: ``mkdocs build`` would stop on it too."""


class NoPlugin(ConfigError):
    """The configuration is fine, but does not use the plugin: there is no wiki."""


@dataclass(frozen=True)
class WikiConfig:
    root: Path  # the folder of the config file
    incidents_dir: Path
    templates_dir: Path
    url_prefix: str
    settings: Settings
    config_file: Path | None = None
    layout: Layout = field(default_factory=Layout)
    taken: dict[str, str] = field(default_factory=dict)  # the builder's own outputs (see site_files.taken)
    pages: tuple[tuple[str, Path], ...] = ()  # the Markdown pages of docs_dir: (src_uri, file)
    warnings: tuple[str, ...] = ()  # about the configuration: `mkdocs build --strict` stops on them
    enabled: bool = True
    incidents_option: str = "incidents"  # incidents_dir as written
    templates_option: str = "templates"  # templates_dir as written
    docs_dir: Path | None = None
    docs_files: tuple[tuple[str, Path], ...] = ()  # every file of docs_dir the site has (incidents aside)
    site_name: str = "Postmortems"
    site_url: str = ""
    plugin_names: tuple[str, ...] = ()  # every plugin the configuration lists

    def source(self, settings: Settings | None = None, layout: Layout | None = None) -> build.Source:
        """What the application service needs of this configuration: ``settings`` with their as-of instant
        fixed (as a build fixes it; default the options as written), and the site's layout by default."""
        return build.Source(self.incidents_dir, self.root, settings or self.settings, layout or self.layout,
                            self.templates_dir, self.site_url, self.site_name, self.taken)


def find_config_file(folder: Path | None = None) -> Path | None:
    """The first of ``CONFIG_FILES`` in ``folder`` (default: the working folder), or None."""
    folder = folder or Path.cwd()
    return next((folder / name for name in CONFIG_FILES if (folder / name).is_file()), None)


def read_wiki_config(config_file: Path | None = None) -> WikiConfig:
    """The wiki configured in ``config_file`` (default: ``find_config_file()``); ConfigError when
    there is none, or when ``mkdocs build`` would stop on it."""
    if config_file is None:
        config_file = find_config_file()
        if config_file is None:
            names = ", ".join(CONFIG_FILES[:-1]) + " or " + CONFIG_FILES[-1]
            raise ConfigError(f"no {names} in {Path.cwd()}: run this in the wiki's folder, or name the file with -f")
    if not config_file.is_file():
        raise ConfigError(f"{config_file}: no such file")
    with _Captured() as log:
        config = _load(config_file, log)
        plugin = next((item for item in config.plugins.values() if isinstance(item.config, PostmortemsConfig)), None)
        if plugin is None:
            raise NoPlugin(f"{config_file}: plugins: lists no {PLUGIN}, so mkdocs build makes no wiki")
        options = plugin.config
        root = config_file.resolve().parent
        incidents_dir = (root / options.incidents_dir).resolve()
        problem = folder_problem("incidents_dir", incidents_dir, Path(config.docs_dir).resolve())
        if problem:
            raise ConfigError(f"Config value 'plugins': Plugin '{PLUGIN}' option 'incidents_dir': {problem}")
        layout = Layout(prefix(options), config.use_directory_urls)
        taken, pages, docs_files = _outputs(config, incidents_dir, layout)
    return WikiConfig(
        root=root,
        incidents_dir=incidents_dir,
        templates_dir=(root / options.templates_dir).resolve(),
        templates_option=options.templates_dir,
        url_prefix=layout.prefix,
        settings=settings_from(options),
        config_file=config_file,
        layout=layout,
        taken=taken,
        pages=pages,
        warnings=tuple(log.warnings),
        enabled=options.enabled,
        incidents_option=options.incidents_dir,
        docs_dir=Path(config.docs_dir).resolve(),
        docs_files=docs_files,
        site_name=config.site_name,
        site_url=config.site_url or "",
        plugin_names=tuple(config.plugins),
    )


def _load(config_file: Path, log: _Captured):
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    try:
        if is_toml(config_file):
            return _load_toml(config_file)
        return load_config(str(config_file))
    except MkDocsException as error:  # MkDocs logged the errors (or says what is wrong itself)
        raise ConfigError("\n".join(log.errors or [f"{config_file}: {error.format_message()}"])) from None
    except Exception as error:  # MkDocs itself fails on some input (a YAML time offset of 99 hours)
        raise ConfigError(f"{config_file}: cannot be read: {type(error).__name__}: {error}") from None


def is_toml(config_file: Path) -> bool:
    return config_file.suffix.lower() == ".toml"


def _toml(config_file: Path) -> dict:
    """zensical.toml's ``[project]`` table (the whole file when it has none, as Zensical reads it)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover (Python 3.10)
        import tomli as tomllib

    try:
        with open(config_file, "rb") as file:
            data = tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{config_file}: not valid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{config_file}: cannot be read: {error}") from None
    project = data.get("project", data)
    if not isinstance(project, dict):
        raise ConfigError(f"{config_file}: [project] should be a table")
    return project


def _load_toml(config_file: Path):
    """zensical.toml read as MkDocs reads mkdocs.yml: its [project] settings the wiki depends on
    (``TOML_KEYS``) and ``[project.plugins.postmortems]``, validated by MkDocs and the plugin's own
    config class, so a wrong option is the same error as in mkdocs.yml."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.exceptions import Abort

    project = _toml(config_file)
    data = {key: project[key] for key in TOML_KEYS if key in project}
    plugins = project.get("plugins")
    if isinstance(plugins, dict) and PLUGIN in plugins:
        data["plugins"] = {PLUGIN: plugins[PLUGIN] if plugins[PLUGIN] is not None else {}}
    else:
        data["plugins"] = []
    config = MkDocsConfig(config_file_path=str(config_file))
    config.load_dict(data)
    errors, warnings = config.validate()
    log = logging.getLogger("mkdocs.config")
    for name, warning in warnings:
        log.warning(f"Config value '{name}': {warning}")
    for name, error in errors:
        log.error(f"Config value '{name}': {error}")
    if errors:
        raise Abort(f"Aborted with {len(errors)} configuration errors!")
    return config


def raw_config(config_file: Path) -> dict:
    """The configuration as written (for ``postmortems generate`` to derive the output's): a YAML file
    with ``INHERIT`` merged as MkDocs merges it and every tag kept as written, or zensical.toml's
    [project] table (the same keys as mkdocs.yml)."""
    from ..cli.generate import load_yaml

    if is_toml(config_file):
        return _toml(config_file)
    try:
        data = load_yaml(config_file.read_text(encoding="utf-8-sig"))
    except Exception as error:  # read_wiki_config has read it already: this is a race, or a YAML MkDocs reads otherwise
        raise ConfigError(f"{config_file}: cannot be read: {type(error).__name__}: {error}") from None
    parent = data.pop("INHERIT", None)
    if isinstance(parent, str):
        import mergedeep

        data = mergedeep.merge(raw_config((config_file.parent / parent).resolve()), data)
    return data


def _outputs(config, incidents_dir: Path, layout: Layout):
    """What MkDocs will write besides the wiki (see ``site_files.taken``), the pages of docs_dir, and
    every file of docs_dir the site has."""
    from mkdocs.structure.files import get_files

    from .files import taken

    files = get_files(config)
    docs_files = tuple((file.src_uri, Path(file.abs_src_path)) for file in files
                       if file.abs_src_path and file.inclusion.is_included()
                       and not Path(file.abs_src_path).resolve().is_relative_to(incidents_dir))
    files.add_files_from_theme(config.theme.get_env(), config)
    pages = tuple((file.src_uri, Path(file.abs_src_path)) for file in files.documentation_pages()
                  if file.abs_src_path and not Path(file.abs_src_path).resolve().is_relative_to(incidents_dir))
    return taken(files, config, incidents_dir, layout.prefix), pages, docs_files


class _Captured(logging.Handler):
    """What MkDocs logs while it reads the configuration (it prints nothing itself here)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record):
        (self.errors if record.levelno >= logging.ERROR else self.warnings).append(record.getMessage())

    def __enter__(self) -> _Captured:
        self.logger = logging.getLogger("mkdocs")
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self)
