"""Where the knowledge base is: kept apart from the loader, so a command that finds its engine
cached (`nms-bot ask`) need not import the validation to know which directory it is for."""

from __future__ import annotations

import os
from pathlib import Path


def default_knowledge_path() -> Path:
    """`$NMS_KNOWLEDGE`; else `./knowledge` when it holds a knowledge base (editors working in
    the repository, deployments started from it, so live reload sees their edits); else the
    copy installed with the package."""
    env = os.environ.get("NMS_KNOWLEDGE")
    if env:
        return Path(env)
    local = Path("knowledge")
    try:
        if (local / "meta.yaml").is_file():
            return local
    except OSError:  # there, but unreadable: validation says so rather than quietly using another
        return local
    packaged = Path(__file__).resolve().parent.parent / "knowledge"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "knowledge"
