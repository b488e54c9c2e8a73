"""The validated, indexed Engine kept between `nms-bot ask` processes, so a cold start need not
load and validate the knowledge base and build its index again (about 40 ms), nor import the
validation at all.

The cache is a pickle of the Engine exactly as `Engine.load` built it, before any question was
asked (so it never holds question text), under `$NMS_CACHE_DIR`, else `$XDG_CACHE_HOME/nms-bot`,
else `~/.cache/nms-bot`: one file per knowledge directory, `NMS_APPROVED_ONLY` setting and
install. It is used only when its key matches: a hash of every file's bytes in the knowledge directory, the
signature (size, modification time) of the core's code and data files, the program and Python
versions, the approved-only setting and today's date (validation depends on the date: a review
falls due). Anything else, or any failure to read or write it, loads the knowledge normally, so a
knowledge base with problems is reported exactly as without a cache. `NMS_CACHE=0` turns it off.

Pickle runs code when loaded, so a file is loaded only when it belongs to this user and nobody
else may write to it or to its folder: anyone who could plant one could already run code as
this user.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import stat
import sys
from pathlib import Path

from .. import __version__
from ..config import env_flag
from ..core.engine import Engine, approved_only_from_env
from ..core.paths import default_knowledge_path

CORE = Path(__file__).resolve().parent.parent / "core"


def cache_dir() -> Path:
    """Where the cached engines are kept."""
    if os.environ.get("NMS_CACHE_DIR"):
        return Path(os.environ["NMS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nms-bot"


def cached_engine(path: str | Path | None = None) -> Engine:
    """`Engine.load(path)`, from the cache when it holds this knowledge base as it is today."""
    approved_only = approved_only_from_env()
    if not env_flag("NMS_CACHE", default=True):
        return Engine.load(path, approved_only)
    root = Path(path) if path else default_knowledge_path()
    try:
        file, key = _entry(root, approved_only)
        engine = _read(file, key)
    except (OSError, ValueError, RuntimeError) as exc:  # e.g. an unreadable knowledge file: loading reports it
        _debug("engine cache not used", exc)
        return Engine.load(path, approved_only)
    if engine is not None:
        return engine
    engine = Engine.load(path, approved_only)
    try:  # a file edited while it was loading: this engine may hold either text, so keep neither
        unchanged = _entry(root, approved_only)[1] == key
    except (OSError, ValueError, RuntimeError):
        unchanged = False
    if unchanged:
        _write(file, key, engine)
    return engine


def _entry(root: Path, approved_only: bool) -> tuple[Path, bytes]:
    """The cache file for this knowledge directory and setting, and the key its engine must have."""
    where = os.path.realpath(root)
    digest = hashlib.sha256()
    for item in (where, __version__, sys.version, approved_only, dt.date.today()):
        digest.update(f"{item}\0".encode())
    for file in sorted(Path(where).rglob("*")):
        if file.is_file():
            digest.update(f"{file.relative_to(where)}\0{file.stat().st_size}\0".encode())
            digest.update(file.read_bytes())
    # The engine's classes and index come from this code: an edited or upgraded core builds anew.
    for file in sorted(CORE.iterdir()):
        if file.suffix in (".py", ".tsv"):
            st = file.stat()
            digest.update(f"{file.name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    # One file per install too: two installs asking from one folder would otherwise replace each other's.
    name = hashlib.sha256(f"{where}\0{approved_only}\0{CORE}".encode()).hexdigest()[:16]
    return cache_dir() / f"engine-{name}.pickle", digest.hexdigest().encode() + b"\n"


def _read(file: Path, key: bytes) -> Engine | None:
    """The cached engine, if the file is this user's own, holds `key` and loads."""
    try:
        with file.open("rb") as f:
            st = os.fstat(f.fileno())
            if not _private(st) or not _private(os.stat(file.parent), folder=True):
                _debug("engine cache not used: not this user's own file, or others may write to it", file)
                return None
            if f.read(len(key)) != key:
                return None  # another knowledge base, day or version: built again and replaced
            engine = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged or outdated file is rebuilt, whatever unpickling raised
        _debug("engine cache unreadable", exc)
        return None
    return engine if isinstance(engine, Engine) else None


def _private(st: os.stat_result, folder: bool = False) -> bool:
    """Owned by this user, and writable by nobody else. A `folder` may also be root's, and others
    may write to it when it is sticky, as /tmp is: there only a file's owner can replace it."""
    owner = st.st_uid == os.getuid() or (folder and st.st_uid == 0)
    others_write = st.st_mode & 0o022 and not (folder and st.st_mode & stat.S_ISVTX)
    return owner and not others_write


def _write(file: Path, key: bytes, engine: Engine) -> None:
    """Replace the cache file atomically (mode 0600); failing to is no error."""
    import tempfile  # only when writing: a cold start that finds its engine need not import it

    tmp = None
    try:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".engine-", suffix=".tmp")  # mode 0600
        with os.fdopen(fd, "wb") as f:
            f.write(key)
            pickle.dump(engine, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, file)
        tmp = None
    except Exception as exc:  # a read-only home, a full disk, an engine that does not pickle
        _debug("engine cache not written", exc)
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)


def _debug(message: str, detail: object) -> None:
    import logging  # only when something went wrong: a cold start need not import it

    logging.getLogger(__name__).debug("%s: %s", message, detail)
