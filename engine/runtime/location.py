"""Where a file lives: a network file system or a cloud-synced folder, where SQLite's locking
is unreliable and a sync can copy a half-written file (a warning of the go/no-go list)."""

from __future__ import annotations

from pathlib import Path

from engine.runtime.preflight_checks import Check

NETWORK_FS = frozenset(
    {"nfs", "nfs4", "cifs", "smb", "smbfs", "smb3", "sshfs", "fuse.sshfs", "9p", "afs", "ncpfs",
     "davfs", "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse", "fuse.davfs2", "glusterfs", "ceph"}
)
CLOUD_FOLDERS = ("dropbox", "onedrive", "google drive", "googledrive", "icloud", "icloud drive",
                 "mobile documents", "box sync", "pcloud", "mega")
def _mounts() -> list[tuple[str, str]]:
    try:
        text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            out.append((parts[1].replace("\\040", " "), parts[2]))
    return out


def location_kind(path: Path, mounts: list[tuple[str, str]] | None = None) -> str | None:
    """'network file system (nfs)', 'cloud-synced folder (Dropbox)' or None."""
    real = path.resolve()
    best: tuple[str, str] | None = None
    for point, fstype in _mounts() if mounts is None else mounts:
        inside = str(real) == point or str(real).startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) > len(best[0])):
            best = (point, fstype)
    if best is not None and best[1].lower() in NETWORK_FS:
        return f"network file system ({best[1]})"
    for part in real.parts:
        lowered = part.lower()
        for name in CLOUD_FOLDERS:
            if lowered == name or lowered.startswith(name + " ") or lowered.startswith(name + "-"):
                return f"cloud-synced folder ({part})"
    return None


def local_disk(path: Path, backup_dir: Path | None) -> Check:
    for where in (path, backup_dir):
        if where is None:
            continue
        kind = location_kind(where)
        if kind:
            return Check(
                "location",
                None,
                f"{where} is on a {kind}; SQLite's locking is unreliable there and a sync can "
                "copy a half-written file.",
                "Copy the file to a local folder, upgrade it there, and copy it back with the "
                "app closed.",
            )
    return Check("location", True, "The file is on a local disk.")
