"""What kind of drive a folder is on: the USB sticks a bundle may be written to, and network shares.

Asked of the system, never guessed from a path: on Windows ``GetDriveTypeW`` (a stick is
DRIVE_REMOVABLE; a USB hard disk and many large sticks say DRIVE_FIXED, so for those the storage
bus is asked too, ``IOCTL_STORAGE_QUERY_PROPERTY``: USB, SD or MMC); on Linux the kernel's mount
table (``/proc/mounts``) and the block device's ``removable`` flag and its place under a USB
controller in ``/sys``. A laptop's own D: partition, a mapped network drive and a CD are never
offered as a stick.

Listing can block: Windows asks an offline mapped network drive for its label and waits for the
network. Only removable drives are asked anything beyond their type, and the window lists drives
on its worker thread, never the GUI thread.

The same facts warn when the data folder is on a network share, where SQLite's WAL must not be
used (its shared memory does not work across machines): :func:`on_network_share`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Protocol

# GetDriveTypeW's answers
DRIVE_UNKNOWN, DRIVE_NO_ROOT_DIR, DRIVE_REMOVABLE, DRIVE_FIXED, DRIVE_REMOTE, DRIVE_CDROM, DRIVE_RAMDISK = (
    range(7)
)
# STORAGE_BUS_TYPE values of a drive that is carried about, even when it says DRIVE_FIXED
BUS_USB, BUS_SD, BUS_MMC = 7, 0xC, 0xD
PORTABLE_BUSES = frozenset({BUS_USB, BUS_SD, BUS_MMC})

# File system types of network shares in /proc/mounts (fuse.sshfs etc. as "fuse.<name>")
NETWORK_FS = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph", "glusterfs", "gfs2",
        "ocfs2", "lustre", "davfs", "fuse.sshfs", "fuse.davfs2", "fuse.glusterfs", "fuse.cephfs",
        "fuse.s3fs", "fuse.rclone", "fuse.smbnetfs", "fuse.gvfsd-fuse",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Drive:
    root: Path
    label: str
    # "removable" (a stick, a card), "usb-disk" (a USB disk that says fixed), "fixed", "remote",
    # "cdrom", "other"
    kind: str
    free: int | None = None  # bytes available, when asked

    @property
    def removable(self) -> bool:
        return self.kind in ("removable", "usb-disk")


# -- Windows ----------------------------------------------------------------------------------------


class WindowsApi(Protocol):
    """The few Win32 calls used, so that tests can stand in for them on Linux."""

    def logical_drives(self) -> list[str]: ...  # GetLogicalDriveStringsW: "C:\\", "D:\\", …
    def drive_type(self, root: str) -> int: ...  # GetDriveTypeW
    def bus_type(self, root: str) -> int | None: ...  # IOCTL_STORAGE_QUERY_PROPERTY's BusType
    def volume_label(self, root: str) -> str | None: ...  # GetVolumeInformationW; None: no medium
    def free_bytes(self, root: str) -> int | None: ...  # GetDiskFreeSpaceExW


def windows_drives(api: WindowsApi) -> list[Drive]:
    out = []
    for root in api.logical_drives():
        kind = {
            DRIVE_REMOVABLE: "removable",
            DRIVE_FIXED: "fixed",
            DRIVE_REMOTE: "remote",
            DRIVE_CDROM: "cdrom",
        }.get(api.drive_type(root), "other")
        if kind == "fixed" and api.bus_type(root) in PORTABLE_BUSES:
            kind = "usb-disk"
        if kind not in ("removable", "usb-disk"):
            # nothing more is asked of it: an offline network drive would block here
            out.append(Drive(Path(root), root.rstrip("\\"), kind))
            continue
        label = api.volume_label(root)
        if label is None:  # a card reader's empty slot
            continue
        name = f"{label} ({root.rstrip(chr(92))})" if label else root.rstrip("\\")
        out.append(Drive(Path(root), name, kind, api.free_bytes(root)))
    return out


class _Win32:  # pragma: no cover - runs on Windows only
    def __init__(self) -> None:
        import ctypes
        from ctypes import wintypes

        self.ctypes = ctypes
        self.k32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
        # handles are pointer-sized: the default int return type would cut them on 64-bit Windows
        self.k32.CreateFileW.restype = wintypes.HANDLE
        self.k32.CreateFileW.argtypes = [
            wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, ctypes.c_void_p,
            wintypes.DWORD, wintypes.DWORD, wintypes.HANDLE,
        ]  # fmt: skip
        self.k32.DeviceIoControl.argtypes = [
            wintypes.HANDLE, wintypes.DWORD, ctypes.c_void_p, wintypes.DWORD, ctypes.c_void_p,
            wintypes.DWORD, ctypes.POINTER(wintypes.DWORD), ctypes.c_void_p,
        ]  # fmt: skip
        self.k32.CloseHandle.argtypes = [wintypes.HANDLE]
        # no "There is no disk in the drive" box for an empty card slot
        self.k32.SetErrorMode(0x0001 | 0x8000)  # SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX

    def logical_drives(self) -> list[str]:
        buf = self.ctypes.create_unicode_buffer(512)
        n = self.k32.GetLogicalDriveStringsW(len(buf), buf)
        return [d for d in self.ctypes.wstring_at(buf, n).split("\0") if d]

    def drive_type(self, root: str) -> int:
        return int(self.k32.GetDriveTypeW(root))

    def bus_type(self, root: str) -> int | None:
        ctypes = self.ctypes
        from ctypes import wintypes

        # \\.\E: with no access rights asked: enough for the query, and no "access denied" for a user
        handle = self.k32.CreateFileW(f"\\\\.\\{root[:2]}", 0, 3, None, 3, 0, None)
        if handle is None or handle == ctypes.c_void_p(-1).value:  # INVALID_HANDLE_VALUE
            return None
        try:
            query = (ctypes.c_ulong * 3)(0, 0, 0)  # StorageDeviceProperty, PropertyStandardQuery
            out = (ctypes.c_ubyte * 1024)()
            got = wintypes.DWORD()
            ok = self.k32.DeviceIoControl(
                handle, 0x2D1400, query, ctypes.sizeof(query), out, len(out), ctypes.byref(got), None
            )  # IOCTL_STORAGE_QUERY_PROPERTY → STORAGE_DEVICE_DESCRIPTOR
            return int(out[28]) if ok and got.value > 28 else None  # BusType at offset 28
        finally:
            self.k32.CloseHandle(handle)

    def volume_label(self, root: str) -> str | None:
        name = self.ctypes.create_unicode_buffer(261)
        if not self.k32.GetVolumeInformationW(root, name, len(name), None, None, None, None, 0):
            return None
        return name.value

    def free_bytes(self, root: str) -> int | None:
        free = self.ctypes.c_ulonglong()
        if not self.k32.GetDiskFreeSpaceExW(root, self.ctypes.byref(free), None, None):
            return None
        return free.value


# -- Linux ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mount:
    device: str
    point: str
    fs: str
    options: tuple[str, ...]


def _unescape(field: str) -> str:
    """/proc/mounts writes a space as \\040, a tab as \\011, a backslash as \\134."""
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def read_mounts(text: str) -> list[Mount]:
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 4:
            out.append(Mount(_unescape(parts[0]), _unescape(parts[1]), parts[2], tuple(parts[3].split(","))))
    return out


def _block_device(device: str, sys_root: Path) -> Path | None:
    """The whole disk in /sys/block behind /dev/sdb1 (a partition's parent), if it is one."""
    if not device.startswith("/dev/"):
        return None
    name = Path(device).resolve().name if device.startswith("/dev/disk/") else device[5:]
    node = sys_root / "class" / "block" / name
    if not node.exists():
        return None
    real = node.resolve()
    return real.parent if (real / "partition").exists() else real


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def linux_drives(
    mounts: list[Mount], sys_root: Path = Path("/sys"), statvfs: Callable[[str], int | None] | None = None
) -> list[Drive]:
    out = []
    for m in mounts:
        if m.fs in NETWORK_FS or m.fs.startswith("nfs"):
            out.append(Drive(Path(m.point), m.point, "remote"))
            continue
        disk = _block_device(m.device, sys_root)
        if disk is None:
            continue  # proc, tmpfs, overlay…: not a drive
        removable = _read(disk / "removable") == "1" or _read(disk / "device" / "type") == "SD"  # a card
        usb = "/usb" in str(disk)  # the device hangs under a USB controller: a stick or a USB disk
        kind = "removable" if removable else "usb-disk" if usb else "fixed"
        if kind != "fixed" and "ro" in m.options:
            kind = "other"  # a write-protected stick cannot take a bundle
        free = statvfs(m.point) if statvfs is not None and kind != "fixed" else None
        out.append(Drive(Path(m.point), Path(m.point).name or m.point, kind, free))
    return out


def _statvfs_free(point: str) -> int | None:
    if sys.platform == "win32":  # Windows asks GetDiskFreeSpaceExW (_Win32.free_bytes)
        return None
    try:
        st = os.statvfs(point)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def _proc_mounts() -> list[Mount]:
    try:
        return read_mounts(Path("/proc/mounts").read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []


# -- either -----------------------------------------------------------------------------------------


def list_drives() -> list[Drive]:
    """Every drive (Windows) or mounted disk and share (Linux), with its kind. May block a moment:
    call it off the GUI thread."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return windows_drives(_Win32())
    if sys.platform.startswith("linux"):
        return linux_drives(_proc_mounts(), statvfs=_statvfs_free)
    # elsewhere (macOS, not a target): the volumes under /Volumes but the system's own
    volumes = Path("/Volumes")
    found = volumes.iterdir() if volumes.is_dir() else iter(())
    return [Drive(v, v.name, "removable", _statvfs_free(str(v))) for v in found if not v.is_symlink()]


def removable_drives() -> list[Drive]:
    """The drives a bundle may be written to: sticks, cards and USB disks, nothing else."""
    return [d for d in list_drives() if d.removable]


def mount_of(path: Path, mounts: list[Mount]) -> Mount | None:
    """The mount holding ``path`` (the longest mount point that is a parent of it)."""
    best: Mount | None = None
    target = str(path)
    for m in mounts:
        point = m.point.rstrip("/") or "/"
        inside = target == point or target.startswith(point + "/") or point == "/"
        if inside and (best is None or len(point) >= len(best.point.rstrip("/") or "/")):
            best = m
    return best


def on_network_share(
    path: Path,
    *,
    platform: str = sys.platform,
    mounts: list[Mount] | None = None,
    drive_type: Callable[[str], int] | None = None,
) -> bool:
    """True when ``path`` is on a network share (SMB, NFS, a mapped drive): a warning for a data
    folder, whose SQLite database must then not use WAL."""
    if platform == "win32":
        text = str(path).replace("/", "\\")
        if text.upper().startswith("\\\\?\\UNC\\"):
            return True  # \\?\UNC\server\share
        if text.startswith("\\\\?\\"):
            text = text[4:]  # \\?\C:\…: a long local path
        elif text.startswith("\\\\"):
            return True  # \\server\share
        drive = PureWindowsPath(text).drive
        if not drive:
            return False
        ask = drive_type if drive_type is not None else _Win32().drive_type  # pragma: no cover
        return ask(drive + "\\") == DRIVE_REMOTE
    try:
        real = Path(path).resolve()
    except OSError:
        real = Path(path).absolute()
    m = mount_of(real, mounts if mounts is not None else _proc_mounts())
    return m is not None and (m.fs in NETWORK_FS or m.fs.startswith("nfs"))
