"""Writing files so that a crash or a pulled stick never leaves half a file under the real name.

Write to a temporary name in the same folder, flush and fsync, rename over the target, fsync the
folder. A reader sees the old file or the new one, never a mixture.

On Windows a rename or delete fails while another program holds the file open: a score sheet open
in WPS or Adobe Reader, a workbook open in Excel, an antivirus scanning the file just written. Such
a hold is usually brief (the scanner) and sometimes not (the reader): every rename and delete here is
retried for a moment, and a document the user asked for (:func:`atomic_document`) is then saved
beside the held file, as Explorer names copies ("name (2).pdf"), and the caller says so.

Files users edit by hand come from Notepad or PowerShell: :func:`decode_text` reads them as those
programs save them (UTF-8 with or without a BOM, UTF-16 with its BOM).
"""

from __future__ import annotations

import codecs
import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from inspector.errors import StoreError
from inspector.i18n import _, os_reason

T = TypeVar("T")

# Windows' "in use" errors: ERROR_ACCESS_DENIED (a rename over a file open without delete sharing),
# ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION. POSIX never refuses a rename over an open file.
_IN_USE_WINERRORS = frozenset({5, 32, 33})
# Short waits that add up to about two seconds: long enough for a virus scanner, short enough that
# a user waiting for a print does not wonder.
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.6, 0.8)


def in_use(error: OSError) -> bool:
    """True for the error Windows gives when another program holds the file open."""
    return getattr(error, "winerror", None) in _IN_USE_WINERRORS


def retrying(action: Callable[[], T], delays: tuple[float, ...] = RETRY_DELAYS) -> T:
    """``action()``, tried again after each delay while it fails with "in use"; then its error."""
    for delay in delays:
        try:
            return action()
        except OSError as e:
            if not in_use(e):
                raise
        time.sleep(delay)
    return action()


def replace_file(source: Path, target: Path) -> None:
    """``os.replace``, retried while the target (or the source) is held open."""
    retrying(lambda: os.replace(source, target))


def remove_file(path: Path) -> bool:
    """Delete a file, retried while it is held open; False when it could not be deleted (left)."""
    try:
        retrying(lambda: path.unlink(missing_ok=True))
    except OSError:
        return False
    return True


def remove_tree(folder: Path) -> bool:
    """Delete a temporary folder; an error (an antivirus holding a file in it) leaves it behind
    rather than failing the work it held. False when something was left."""
    try:
        retrying(lambda: shutil.rmtree(folder))
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


@contextlib.contextmanager
def scratch_folder(prefix: str = "inspector-", dir: Path | None = None) -> Iterator[Path]:
    """A temporary folder for the length of a block, like ``tempfile.TemporaryDirectory``, whose
    clean-up never raises: a file the scanner still holds must not undo a signature just made."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=dir))
    try:
        yield folder
    finally:
        remove_tree(folder)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync; rename is durable there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def beside_name(target: Path, n: int) -> Path:
    """``name (n).ext`` beside ``target``, as Explorer names a copy."""
    return target.with_name(f"{target.stem} ({n}){target.suffix}")


class Saving:
    """The temporary file to write (``tmp``) and, after the block, where it went (``path``)."""

    def __init__(self, tmp: Path, target: Path) -> None:
        self.tmp = tmp
        self.target = target
        self.path = target

    @property
    def beside(self) -> bool:
        """True when the target was held open and the file was saved beside it instead."""
        return self.path != self.target


@contextlib.contextmanager
def _saving(target: Path, *, beside: bool) -> Iterator[Saving]:
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise StoreError(_("无法写入：{e}").format(e=os_reason(e)), str(target)) from None
    os.close(fd)
    saving = Saving(Path(tmp_name), target)
    try:
        yield saving
        with open(saving.tmp, "rb+") as f:
            os.fsync(f.fileno())
        try:
            replace_file(saving.tmp, target)
        except OSError as e:
            if not (beside and in_use(e)):
                raise
            saving.path = _put_beside(saving.tmp, target)
        _fsync_dir(folder)
    except OSError as e:
        if in_use(e):
            raise StoreError(_("文件正被其他程序打开，无法替换：请关闭后重试"), str(target)) from None
        raise StoreError(_("无法写入：{e}").format(e=os_reason(e)), str(target)) from None
    finally:
        if saving.tmp.exists():
            remove_file(saving.tmp)  # a temporary left behind is a dot file: backups skip it


def _put_beside(tmp: Path, target: Path) -> Path:
    """The first free "name (n).ext" beside a held target, taken without overwriting anything."""
    for n in range(2, 1000):
        candidate = beside_name(target, n)
        if candidate.exists():
            continue
        try:
            os.link(tmp, candidate)  # fails if the name was taken meanwhile: never overwrites
        except FileExistsError:
            continue
        except OSError:
            if candidate.exists():
                continue
            replace_file(tmp, candidate)  # a file system without hard links (FAT on a stick)
        return candidate
    raise PermissionError(13, "in use", str(target))


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target`` durably (retried a moment
    while another program holds ``target`` open, then refused with a clear message)."""
    with _saving(target, beside=False) as saving:
        yield saving.tmp


@contextlib.contextmanager
def atomic_document(target: Path) -> Iterator[Saving]:
    """:func:`atomic_path` for a document the user asked for: when ``target`` stays held open (the
    last print still open in a PDF reader), the new one is saved as "name (2).ext" beside it.
    After the block ``saving.path`` is where it went and ``saving.beside`` says whether to tell."""
    with _saving(target, beside=True) as saving:
        yield saving


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: Path, text: str) -> None:
    write_bytes_atomic(target, text.encode("utf-8"))


def saved_beside_message(target: Path, saved: Path) -> str:
    """What to tell the user when a document went beside a held file (one wording everywhere)."""
    return _("{name} 正被其他程序打开，已另存为 {saved}").format(name=target.name, saved=saved)


# -- text files as Windows users save them ------------------------------------------------------


_UTF16_BOMS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def decode_text(raw: bytes) -> str:
    """A text file's bytes as Notepad and PowerShell save them: UTF-8 (with or without a BOM) or
    UTF-16 with its BOM (Notepad's "Unicode", PowerShell 5's ``>`` and ``Out-File``). The BOM is
    not part of the text. Anything else raises ``UnicodeDecodeError`` (its ``start`` an offset
    into ``raw``), so the caller can name the line."""
    for bom, codec in _UTF16_BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec)
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    return raw.decode("utf-8")


def read_text_file(path: Path) -> str:
    """:func:`decode_text` of a file (``OSError`` and ``UnicodeDecodeError`` are the caller's)."""
    return decode_text(Path(path).read_bytes())
