"""The server's configuration file (``leafletgen serve --config FILE``): TOML.

What a pharmacy sets once instead of typing it for every patient, and what the server keeps::

    [pharmacy]              # prefilled on every form, printed on every handout
    name = "High Street Pharmacy"
    address = "1 High Street, Exampletown EX1 2AB"
    phone = "01234 567 890"
    hours = "Monday to Saturday, 9 am to 6 pm"

    [counter]
    drafts = false          # true: draft leaflets are listed too, as proofs marked DRAFT
    variant = "patient-summary"   # the handout chosen first (default: the counselling summary)

    [dispensing]            # off unless record is given
    record = "/var/lib/leafletgen/dispensed.jsonl"
    counter = "front-counter"

    [previews]              # previewed PDFs, kept in memory only
    minutes = 10
    count = 64
    megabytes = 128

Every key is optional; an unknown key or a value of the wrong kind is an error naming it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_CONFIG_BYTES = 64 * 1024
MAX_TEXT = 200  # characters of one pharmacy field


class SettingsError(ValueError):
    """The configuration file cannot be used; the message says where and how to fix it."""


@dataclass(frozen=True)
class Pharmacy:
    """The pharmacy's own details, prefilled on the counter's forms."""

    name: str | None = None
    address: str | None = None
    phone: str | None = None
    hours: str | None = None


@dataclass(frozen=True)
class Settings:
    pharmacy: Pharmacy = field(default_factory=Pharmacy)
    drafts: bool = False  # list draft leaflets too (proofs marked DRAFT)
    variant: str | None = None  # the patient variant the forms choose first
    record: Path | None = None  # the dispensing record (JSON lines); None: none kept
    counter: str = "counter"  # names this server's counter in the record
    preview_minutes: float = 10.0
    preview_count: int = 64
    preview_megabytes: int = 128


SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "pharmacy": {"name": str, "address": str, "phone": str, "hours": str},
    "counter": {"drafts": bool, "variant": str},
    "dispensing": {"record": str, "counter": str},
    "previews": {"minutes": (int, float), "count": int, "megabytes": int},
}


def load_settings(path: Path) -> Settings:
    """The settings in ``path``; raise SettingsError naming the file and the key."""
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise SettingsError(f"{path}: the file is over {MAX_CONFIG_BYTES // 1024} KB; a "
                                "configuration file is a few lines")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read it ({exc.strerror}); give an existing "
                            "file") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc}); see README.md, Serve") from None
    return settings_from(data, path)


def settings_from(data: dict[str, Any], path: Path) -> Settings:
    for table, value in data.items():
        if table not in SCHEMA:
            raise SettingsError(f"{path}: [{table}] is not a known table; use "
                                + ", ".join(f"[{t}]" for t in SCHEMA))
        if not isinstance(value, dict):
            raise SettingsError(f"{path}: {table} must be a table ([{table}])")
        for key, item in value.items():
            kinds = SCHEMA[table]
            if key not in kinds:
                raise SettingsError(f"{path}: [{table}] {key} is not a known key; use one of: "
                                    + ", ".join(kinds))
            kind = kinds[key]
            if not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
                wanted = {str: "text in quotes", bool: "true or false", int: "a whole number"
                          }.get(kind if isinstance(kind, type) else int, "a number")
                raise SettingsError(f"{path}: [{table}] {key} must be {wanted}")
            if isinstance(item, str) and not (0 < len(item.strip()) <= MAX_TEXT):
                raise SettingsError(f"{path}: [{table}] {key} must be 1 to {MAX_TEXT} "
                                    "characters")
    pharmacy = data.get("pharmacy", {})
    counter = data.get("counter", {})
    dispensing = data.get("dispensing", {})
    previews = data.get("previews", {})
    for key, low, high in (("minutes", 0.1, 60), ("count", 1, 10_000),
                           ("megabytes", 1, 16_384)):
        if key in previews and not low <= previews[key] <= high:
            raise SettingsError(f"{path}: [previews] {key} must be between {low} and {high}")
    record = dispensing.get("record")
    record_path = None
    if record is not None:
        record_path = Path(record).expanduser()
        if not record_path.is_absolute():
            record_path = path.parent / record_path  # beside the configuration file
    defaults = Settings()
    return Settings(
        pharmacy=Pharmacy(**{k: v.strip() for k, v in pharmacy.items()}),
        drafts=counter.get("drafts", False),
        variant=counter.get("variant"),
        record=record_path,
        counter=dispensing.get("counter", defaults.counter).strip(),
        preview_minutes=float(previews.get("minutes", defaults.preview_minutes)),
        preview_count=previews.get("count", defaults.preview_count),
        preview_megabytes=previews.get("megabytes", defaults.preview_megabytes),
    )
