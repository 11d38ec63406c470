"""The wiki's configuration, as ``mkdocs build`` reads it, for the CLI (adapter side).

The CLI loads the config file with MkDocs' own ``load_config``: ``INHERIT``, ``!ENV``, every
form of ``plugins:``, the plugin's options (its own config class) and the rest of the file are
read, refused and warned about exactly as ``mkdocs build`` does. What MkDocs would only find
while building (``incidents_dir`` against ``docs_dir``, pages and theme files at an incident's
address) is checked with the plugin's own functions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from .options import PostmortemsConfig, folder_problem, prefix, settings_from
from .settings import Settings
from .urls import Layout

PLUGIN = "postmortems"
CONFIG_FILES = ("properdocs.yml", "properdocs.yaml", "mkdocs.yml", "mkdocs.yaml")  # ProperDocs' order


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
        taken, pages = _outputs(config, incidents_dir, layout)
    return WikiConfig(
        root=root,
        incidents_dir=incidents_dir,
        templates_dir=(root / options.templates_dir).resolve(),
        url_prefix=layout.prefix,
        settings=settings_from(options),
        config_file=config_file,
        layout=layout,
        taken=taken,
        pages=pages,
        warnings=tuple(log.warnings),
        enabled=options.enabled,
        incidents_option=options.incidents_dir,
    )


def _load(config_file: Path, log: _Captured):
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    try:
        return load_config(str(config_file))
    except MkDocsException as error:  # MkDocs logged the errors (or says what is wrong itself)
        raise ConfigError("\n".join(log.errors or [f"{config_file}: {error.format_message()}"])) from None
    except Exception as error:  # MkDocs itself fails on some input (a YAML time offset of 99 hours)
        raise ConfigError(f"{config_file}: cannot be read: {type(error).__name__}: {error}") from None


def _outputs(config, incidents_dir: Path, layout: Layout) -> tuple[dict[str, str], tuple[tuple[str, Path], ...]]:
    """What MkDocs will write besides the wiki (see ``site_files.taken``), and the pages of docs_dir."""
    from mkdocs.structure.files import get_files

    from .site_files import taken

    files = get_files(config)
    files.add_files_from_theme(config.theme.get_env(), config)
    pages = tuple((file.src_uri, Path(file.abs_src_path)) for file in files.documentation_pages()
                  if file.abs_src_path and not Path(file.abs_src_path).resolve().is_relative_to(incidents_dir))
    return taken(files, config, incidents_dir, layout.prefix), pages


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
