"""Organisation settings (fmgate.yaml), checked before anything reaches OPA."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputError
from .safe_yaml import load_yaml_file

# Thresholds that are fractions: a value above 1 makes no sense for them.
RATIO_THRESHOLDS = frozenset({"cost_quality_ratio", "useful_task_score", "domain_plateau_epsilon"})


class OpaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = None
    token_env: str | None = None


class SourceSettings(BaseModel):
    """A place evidence may be read from in place of a committed file (see ``fmgate.sources``).

    Memos name a source; only this trusted file says where it is and how to
    reach it, so a branch can neither point the job at a host of its choosing
    nor see the credentials, which live in the environment variable
    ``url_env`` names.
    """

    model_config = ConfigDict(extra="forbid")
    kind: Literal["sql", "dataset"]
    url_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    url: str | None = None
    tables: list[str] | None = None
    queries: bool = False
    root: str | None = None
    engine: Literal["arrow", "spark"] = "arrow"


class SparkSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    master: str = "local[*]"


class Settings(BaseModel):
    model_config = ConfigDict(extra="allow")
    decision_owners: list[str] = Field(default_factory=list)
    senior_reviewers: list[str] = Field(default_factory=list)
    exception_approvers: list[str] = Field(default_factory=list)
    required_approvals: int = Field(default=1, ge=0)
    thresholds: dict[str, Any] = Field(default_factory=dict)
    opa: OpaSettings = Field(default_factory=OpaSettings)
    sources: dict[str, SourceSettings] = Field(default_factory=dict)
    spark: SparkSettings = Field(default_factory=SparkSettings)


@dataclass
class Config:
    settings: Settings
    defaults: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def thresholds(self) -> dict[str, Any]:
        merged = dict(self.defaults.get("thresholds", {}))
        merged.update(self.settings.thresholds)
        return merged

    def policy_data(self) -> dict[str, Any]:
        """What OPA gets as data.fmgate.config."""
        # where data lives is the engine's business, not the policies'
        data = self.settings.model_dump(mode="json", exclude={"opa", "sources", "spark"})
        return data

    def opa_url(self) -> str | None:
        return os.environ.get("FMGATE_OPA_URL") or self.settings.opa.url

    def opa_token(self) -> str | None:
        name = self.settings.opa.token_env or "FMGATE_OPA_TOKEN"
        return os.environ.get(name)


def _check_threshold(name: str, value: Any, default: Any, path: str, line: int | None) -> None:
    def bad(expected: str) -> InputError:
        return InputError(
            f"threshold {name!r} is {value!r}; expected {expected}",
            path=path,
            field=f"thresholds.{name}",
            line=line,
            fix=f"use a value like the default, {default!r}, or remove the override",
        )

    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise bad("true or false")
    elif isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad("a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise bad("a finite number")
        # an int is whole as it is (float() of a 400-digit int overflows)
        if (
            isinstance(default, int)
            and not isinstance(default, bool)
            and name not in RATIO_THRESHOLDS
            and isinstance(value, float)
            and not value.is_integer()
        ):
            raise bad("a whole number")
        if value < 0:
            raise bad("a number that is not negative")
        if name in RATIO_THRESHOLDS and value > 1:
            raise bad("a ratio between 0 and 1")
    elif isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value) or not value:
            raise bad("a non-empty list of names")
    elif isinstance(default, str) and not isinstance(value, str):
        raise bad("text")


def load_config(root: Path, defaults: dict[str, Any]) -> Config:
    """Load fmgate.yaml at *root*; reject unknown thresholds and nonsensical values (exit 2)."""
    path = root / "fmgate.yaml"
    shown = "fmgate.yaml"
    # the settings become JSON for the policies: binary values and .inf/.nan are bad input here
    data, lines = load_yaml_file(str(path), display=shown, json_values=True)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError("settings must be a mapping", path=shown, fix="see README, 'Organisation settings'")
    for key in data:
        if not isinstance(key, str):
            raise InputError(
                f"setting names must be text; YAML read {key!r} as a {type(key).__name__}",
                path=shown,
                field=str(key),
                line=lines.get(str(key)),
                fix="put the setting name in quotes, or correct it",
            )
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"{first['msg']}; got {first.get('input')!r}",
            path=shown,
            field=loc,
            line=lines.get(loc.split(".")[0]),
            fix="see README, 'Organisation settings'",
        ) from None
    known = defaults.get("thresholds", {})
    for name, value in settings.thresholds.items():
        if name not in known:
            raise InputError(
                f"unknown threshold {name!r}",
                path=shown,
                field=f"thresholds.{name}",
                line=lines.get("thresholds"),
                fix=f"use one of: {', '.join(sorted(known))}",
            )
        _check_threshold(name, value, known[name], shown, lines.get("thresholds"))
    for name, source in settings.sources.items():
        _check_source(name, source, shown, lines.get("sources"))
    return Config(settings=settings, defaults=defaults, lines=lines)


def _check_source(name: str, source: SourceSettings, path: str, line: int | None) -> None:
    """A source's settings make sense for its kind, and no credential is written in the file."""
    where = f"sources.{name}"

    def bad(message: str, fix: str, field: str = "") -> InputError:
        return InputError(message, path=path, field=f"{where}.{field}" if field else where, line=line, fix=fix)

    if source.kind == "sql":
        if not (source.url or source.url_env):
            raise bad(
                "a SQL source needs url_env (or, for an embedded database, url)",
                "set url_env to the name of the environment variable that holds its SQLAlchemy URL",
            )
        if source.url:
            from sqlalchemy.engine import make_url
            from sqlalchemy.exc import ArgumentError

            try:
                url = make_url(source.url)
            except ArgumentError:
                raise bad(
                    f"url {source.url!r} is not a SQLAlchemy URL", "write it like sqlite:///path", "url"
                ) from None
            if url.password is not None or url.username is not None:
                raise bad(
                    "url carries a user name or password; credentials never go in fmgate.yaml",
                    "remove them from url and set url_env to a variable holding the whole URL",
                    "url",
                )
    else:
        if source.url or source.url_env or source.tables or source.queries:
            raise bad(
                "url, url_env, tables and queries belong to SQL sources",
                "give a dataset source a root (a folder or object-store prefix) and an engine",
            )
        if not source.root:
            raise bad(
                "a dataset source needs a root", "set root to the folder or prefix its datasets live under", "root"
            )
