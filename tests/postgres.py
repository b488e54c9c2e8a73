"""A throwaway PostgreSQL cluster for tests: initdb in a temp folder, loopback port, removed after.

Uses the server binaries Debian installs (/usr/lib/postgresql/<version>/bin) or any on PATH;
as root it runs them as the `postgres` user. Returns None where no server is installed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def available() -> str:
    """Why PostgreSQL tests cannot run here, or '' when they can."""
    if not (_bin("initdb") and _bin("pg_ctl")):
        return "no PostgreSQL server binaries (initdb, pg_ctl) on this machine"
    if os.geteuid() == 0 and not _user_exists("postgres"):
        return "running as root and there is no 'postgres' user to run the server as"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install '.[test]')"
    return ""


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _run(args: list[str]) -> None:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(args, check=True, capture_output=True, timeout=120)


_DATA_DIRS: dict[int, str] = {}  # port -> data directory of the clusters started here


@contextmanager
def frozen(url: str) -> Iterator[None]:
    """Stop every process of the cluster at `url` (SIGSTOP: the server and its connections hang,
    as a paused VM or a stalled disk would) and let them run again afterwards."""
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with open(os.path.join(_DATA_DIRS[port], "postmaster.pid")) as f:
        postmaster = int(f.readline())
    pids = [postmaster, *_children(postmaster)]
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def _children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry))
    return found


def create_database(url: str, name: str) -> str:
    """A new, empty database in the cluster at `url`; its URL."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster; yield its SQLAlchemy URL; stop and delete it afterwards."""
    root = tempfile.mkdtemp(prefix="nms-pg-")
    os.chmod(root, 0o755)
    data = os.path.join(root, "data")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    try:
        _run([_bin("initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])  # type: ignore[list-item]
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run([_bin("pg_ctl"), "-D", data, "-o", options, "-l", os.path.join(root, "log"), "-w", "start"])  # type: ignore[list-item]
        _DATA_DIRS[port] = data
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            _run([_bin("pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"])  # type: ignore[list-item]
        shutil.rmtree(root, ignore_errors=True)
