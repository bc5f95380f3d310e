"""The application log on disk: a rotating file in the per-user log folder (platformdirs), so a
support person can send it (Help, Open log folder). Every line of the Log tab goes there too."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

LOGGER = "sqlmig_gui"
FILE_NAME = "sqlmig.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_folder() -> Path:
    return Path(platformdirs.user_log_dir("sqlmig", appauthor=False))


def start_log_file(folder: Path | None = None) -> Path:
    """Send the window's log to `folder/sqlmig.log` (default: the per-user log folder), rotated
    at 1 MB with 5 old files kept. Calling it again for the same file adds nothing."""
    path = (folder or log_folder()) / FILE_NAME
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)
    for handler in logger.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                  encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    return path


def stop_log_file(path: Path) -> None:
    """Close the handler writing `path` (tests; the application keeps it to the end)."""
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            logger.removeHandler(handler)
            handler.close()
