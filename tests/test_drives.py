"""inspector.drives: which drives are USB sticks, and which folders are on network shares, with the
systems' answers simulated (GetDriveTypeW and the storage bus on Windows, /proc/mounts and /sys on
Linux)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from inspector import drives
from inspector.drives import (
    BUS_USB,
    DRIVE_CDROM,
    DRIVE_FIXED,
    DRIVE_REMOTE,
    DRIVE_REMOVABLE,
    linux_drives,
    on_network_share,
    read_mounts,
    windows_drives,
)

BUS_SATA, BUS_NVME = 0xB, 0x11


class FakeWindows:
    """A laptop: C: and D: on its NVMe disk, E: a stick, F: a USB hard disk (it says DRIVE_FIXED),
    G: a card reader's empty slot, Z: a mapped network drive that is offline (asking it for
    anything but its type would hang), R: the DVD drive."""

    def __init__(self) -> None:
        self.drives: dict[str, tuple[int, int | None, str | None]] = {
            "C:\\": (DRIVE_FIXED, BUS_NVME, "Windows"),
            "D:\\": (DRIVE_FIXED, BUS_NVME, "数据"),
            "E:\\": (DRIVE_REMOVABLE, BUS_USB, "KINGSTON"),
            "F:\\": (DRIVE_FIXED, BUS_USB, "移动硬盘"),
            "G:\\": (DRIVE_REMOVABLE, None, None),
            "R:\\": (DRIVE_CDROM, None, "DVD"),
            "Z:\\": (DRIVE_REMOTE, None, "share"),
        }
        self.asked: list[tuple[str, str]] = []
        self.threads: set[str] = set()

    def logical_drives(self) -> list[str]:
        self.threads.add(threading.current_thread().name)
        return list(self.drives)

    def drive_type(self, root: str) -> int:
        return self.drives[root][0]

    def bus_type(self, root: str) -> int | None:
        self.asked.append(("bus", root))
        return self.drives[root][1]

    def volume_label(self, root: str) -> str | None:
        self.asked.append(("label", root))
        if self.drives[root][0] == DRIVE_REMOTE:
            raise AssertionError("an offline network drive was asked for its label: the window would hang")
        return self.drives[root][2]

    def free_bytes(self, root: str) -> int | None:
        return 8 << 30


def test_windows_lists_sticks_and_usb_disks_only() -> None:
    api = FakeWindows()
    found = windows_drives(api)
    kinds = {str(d.root): d.kind for d in found}
    assert kinds == {
        "C:\\": "fixed",
        "D:\\": "fixed",  # the laptop's own D: partition is no stick
        "E:\\": "removable",
        "F:\\": "usb-disk",
        "R:\\": "cdrom",
        "Z:\\": "remote",
    }  # G: (no card in the slot) is left out
    assert [d.label for d in found if d.removable] == ["KINGSTON (E:)", "移动硬盘 (F:)"]
    assert ("label", "Z:\\") not in api.asked and ("bus", "Z:\\") not in api.asked


def make_block(sys_root: Path, name: str, parent_path: str, *, removable: str, partition: str | None) -> None:
    """/sys/devices/<parent_path>/block/<name>[/<partition>] and its /sys/class/block links."""
    disk = sys_root / "devices" / parent_path / "block" / name
    disk.mkdir(parents=True)
    (disk / "removable").write_text(removable + "\n")
    links = sys_root / "class" / "block"
    links.mkdir(parents=True, exist_ok=True)
    (links / name).symlink_to(disk)
    if partition:
        (disk / partition).mkdir()
        (disk / partition / "partition").write_text("1\n")
        (links / partition).symlink_to(disk / partition)


MOUNTS = """\
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
proc /proc proc rw,nosuid 0 0
tmpfs /run tmpfs rw 0 0
/dev/nvme0n1p3 /data ext4 rw,relatime 0 0
/dev/sdb1 /media/zhang/KINGSTON\\040U盘 vfat rw,nosuid,nodev 0 0
/dev/sdc1 /media/zhang/移动硬盘 ntfs3 rw,nosuid 0 0
/dev/sdd1 /media/zhang/LOCKED vfat ro,nosuid 0 0
//fileserver/督导 /mnt/share cifs rw,vers=3.0 0 0
server:/export /home/zhang/nfs nfs4 rw 0 0
"""


def test_linux_lists_sticks_and_usb_disks_only(tmp_path: Path) -> None:
    sys_root = tmp_path / "sys"
    make_block(
        sys_root, "nvme0n1", "pci0000:00/0000:00:1d.0/nvme/nvme0", removable="0", partition="nvme0n1p2"
    )
    (sys_root / "devices/pci0000:00/0000:00:1d.0/nvme/nvme0/block/nvme0n1/nvme0n1p3").mkdir()
    (sys_root / "devices/pci0000:00/0000:00:1d.0/nvme/nvme0/block/nvme0n1/nvme0n1p3/partition").write_text(
        "3"
    )
    (sys_root / "class/block/nvme0n1p3").symlink_to(
        sys_root / "devices/pci0000:00/0000:00:1d.0/nvme/nvme0/block/nvme0n1/nvme0n1p3"
    )
    usb = "pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host3/target3:0:0/3:0:0:0"
    make_block(sys_root, "sdb", usb, removable="1", partition="sdb1")
    make_block(sys_root, "sdc", usb.replace("2-1", "2-2"), removable="0", partition="sdc1")  # a USB disk
    make_block(sys_root, "sdd", usb.replace("2-1", "2-3"), removable="1", partition="sdd1")
    found = linux_drives(read_mounts(MOUNTS), sys_root, statvfs=lambda _p: 1 << 30)
    kinds = {str(d.root): d.kind for d in found}
    assert kinds == {
        "/": "fixed",
        "/data": "fixed",
        "/media/zhang/KINGSTON U盘": "removable",
        "/media/zhang/移动硬盘": "usb-disk",
        "/media/zhang/LOCKED": "other",  # write-protected: cannot take a bundle
        "/mnt/share": "remote",
        "/home/zhang/nfs": "remote",
    }
    assert [d.label for d in found if d.removable] == ["KINGSTON U盘", "移动硬盘"]


def test_a_folder_under_mnt_is_not_taken_for_a_stick(tmp_path: Path) -> None:
    # the old rule took any /mnt or /media path (and any drive letter but C:) for a stick
    sys_root = tmp_path / "sys"
    make_block(
        sys_root,
        "sda",
        "pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0",
        removable="0",
        partition="sda3",
    )
    found = linux_drives(read_mounts("/dev/sda3 /mnt/backup ext4 rw 0 0\n"), sys_root)
    assert [d.kind for d in found] == ["fixed"]


@pytest.mark.parametrize(
    ("path", "network"),
    [
        ("/mnt/share/督导数据", True),
        ("/home/zhang/nfs/data", True),
        ("/home/zhang/data", False),
        ("/data/inspector", False),
        ("/mnt/shared-but-local", False),  # a prefix of a name is not a parent
    ],
)
def test_linux_network_share_by_file_system_type(path: str, network: bool) -> None:
    assert on_network_share(Path(path), platform="linux", mounts=read_mounts(MOUNTS)) is network


@pytest.mark.parametrize(
    ("path", "network"),
    [
        ("\\\\fileserver\\督导\\data", True),
        ("//fileserver/督导/data", True),
        ("\\\\?\\UNC\\fileserver\\share\\data", True),
        ("Z:\\督导数据", True),  # a mapped drive: DRIVE_REMOTE
        ("D:\\督导数据", False),
        ("E:\\data", False),
        ("\\\\?\\C:\\data", False),
    ],
)
def test_windows_network_share_by_unc_or_drive_type(path: str, network: bool) -> None:
    api = FakeWindows()
    assert on_network_share(Path(path), platform="win32", drive_type=api.drive_type) is network


def test_this_machine_answers_without_error() -> None:
    # the real system: whatever is mounted here, listing works and a temp folder is no share
    assert all(d.kind for d in drives.list_drives())
    assert on_network_share(Path.cwd()) in (True, False)
