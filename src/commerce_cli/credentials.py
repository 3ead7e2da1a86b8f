"""Tokens from ``commerce login``, one per API URL, in the user's config dir (0600)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import typer


def path() -> Path:
    """``$XDG_CONFIG_HOME/commerce/credentials.json`` (``~/.config`` by default) on Linux;
    the platform's own place elsewhere."""
    return Path(typer.get_app_dir("commerce")) / "credentials.json"


def _load() -> dict[str, Any]:
    try:
        data = json.loads(path().read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as ex:
        raise ValueError(f"cannot read {path()}: {ex}; delete it and log in again") from None
    return data if isinstance(data, dict) else {}


def _key(api: str) -> str:
    return api.rstrip("/")


def token_for(api: str) -> str | None:
    entry = _load().get(_key(api))
    return str(entry["token"]) if isinstance(entry, dict) and "token" in entry else None


def save(api: str, email: str, token: str) -> Path:
    data = _load()
    data[_key(api)] = {"email": email, "token": token}
    _write(data)
    return path()


def forget(api: str) -> bool:
    """Drop the token of ``api``; whether there was one."""
    data = _load()
    if data.pop(_key(api), None) is None:
        return False
    _write(data)
    return True


def _write(data: dict[str, Any]) -> None:
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = target.with_suffix(".tmp")
    # created 0600 from the start, then swapped in whole: never readable by others, never torn
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(data, out, indent=2)
    os.chmod(staging, 0o600)  # O_CREAT's mode only applies to a new file
    os.replace(staging, target)
