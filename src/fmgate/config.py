"""Organisation settings (fmgate.yaml), checked before anything reaches OPA."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputError
from .safe_yaml import load_yaml_file

# Thresholds that are fractions: a value above 1 makes no sense for them.
RATIO_THRESHOLDS = frozenset({"cost_quality_ratio", "useful_task_score", "domain_plateau_epsilon"})


class OpaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = None
    token_env: str | None = None


class Settings(BaseModel):
    model_config = ConfigDict(extra="allow")
    decision_owners: list[str] = Field(default_factory=list)
    senior_reviewers: list[str] = Field(default_factory=list)
    exception_approvers: list[str] = Field(default_factory=list)
    required_approvals: int = Field(default=1, ge=0)
    thresholds: dict[str, Any] = Field(default_factory=dict)
    opa: OpaSettings = Field(default_factory=OpaSettings)


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
        data = self.settings.model_dump(mode="json", exclude={"opa"})
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
    return Config(settings=settings, defaults=defaults, lines=lines)
