"""installer/glibc_ceiling.sh: the newest glibc (and libstdc++) a build's ELF files need, against the
ceiling of UOS 20 (glibc 2.28, GCC 8's GLIBCXX_3.4.25). The smoke test of the compat build fails on
its exit code, so its logic is tested here with a stand-in objdump printing what real ones print,
and once with the real objdump on a real executable."""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "installer" / "glibc_ceiling.sh"

# objdump -T lines: needs are *UND*, a library's own versioned definitions are not
UND = "0000000000000000      DF *UND*\t0000000000000000 ({v}) {name}\n"
DEF = "0000000000012340 g    DF .text\t0000000000000010  {v} {name}\n"

FAKE_OBJDUMP = """#!/bin/sh
# stand-in objdump: prints the file's text after its 4-byte ELF magic (what the test wrote)
[ "$1" = "-T" ] || exit 1
tail -c +5 "$2"
"""


def _elf(path: Path, lines: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x7fELF" + lines.encode())


def _run(build: Path, *args: str, fake: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if fake is not None:
        env["PATH"] = f"{fake}{os.pathsep}{env['PATH']}"
    flags = [a for a in args if a.startswith("-")]
    ceilings = [a for a in args if not a.startswith("-")]
    command = ["bash", str(SCRIPT), *flags, str(build), *ceilings]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def _fake(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    objdump = bin_dir / "objdump"
    objdump.write_text(FAKE_OBJDUMP)
    objdump.chmod(0o755)
    return bin_dir


def test_a_build_within_the_ceiling_passes(tmp_path: Path) -> None:
    build = tmp_path / "dist"
    _elf(
        build / "inspector",
        UND.format(v="GLIBC_2.2.5", name="malloc") + UND.format(v="GLIBC_2.28", name="fcntl64"),
    )
    _elf(build / "_internal" / "libQt6Core.so.6", UND.format(v="GLIBCXX_3.4.25", name="_ZSt4cout"))
    (build / "_internal" / "base_library.zip").write_bytes(b"PK\x03\x04 GLIBC_2.99")  # not an ELF file
    done = _run(build, "2.28", fake=_fake(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 ELF files; the newest glibc needed is 2.28 (ceiling 2.28)" in done.stdout


def test_a_file_needing_more_fails_and_is_named(tmp_path: Path) -> None:
    build = tmp_path / "dist"
    _elf(build / "inspector", UND.format(v="GLIBC_2.17", name="clock_gettime"))
    _elf(build / "_internal" / "libpython3.11.so.1.0", UND.format(v="GLIBC_2.34", name="pthread_create"))
    _elf(build / "_internal" / "libexpat.so.1", UND.format(v="GLIBC_2.36", name="arc4random"))
    done = _run(build, "2.28", fake=_fake(tmp_path))
    assert done.returncode == 3
    assert "the newest glibc needed is 2.36" in done.stdout
    assert "GLIBC_2.36 _internal/libexpat.so.1" in done.stdout
    assert "GLIBC_2.34 _internal/libpython3.11.so.1.0" in done.stdout
    assert "inspector\n" not in done.stdout.split("ceilings:", 1)[1]
    # Kylin V10's 2.31 lets the 2.17 file through but not these
    assert _run(build, "2.36", fake=_fake(tmp_path)).returncode == 0


def test_only_needed_symbols_count_not_a_library_s_own_versions(tmp_path: Path) -> None:
    build = tmp_path / "dist"
    # glibc-like definitions (a library exporting GLIBC_2.36 names) are not needs
    _elf(
        build / "libshim.so",
        DEF.format(v="GLIBC_2.36", name="shim") + UND.format(v="GLIBC_2.14", name="memcpy"),
    )
    done = _run(build, "2.28", fake=_fake(tmp_path))
    assert done.returncode == 0, done.stdout
    assert "the newest glibc needed is 2.14" in done.stdout


def test_versions_compare_as_numbers_not_text(tmp_path: Path) -> None:
    build = tmp_path / "dist"
    _elf(build / "a.so", UND.format(v="GLIBC_2.3.4", name="x") + UND.format(v="GLIBC_2.9", name="y"))
    _elf(build / "b.so", UND.format(v="GLIBC_2.10", name="z"))
    done = _run(build, "2.9", fake=_fake(tmp_path))
    assert done.returncode == 3
    assert "the newest glibc needed is 2.10" in done.stdout
    assert "GLIBC_2.10 b.so" in done.stdout and "a.so" not in done.stdout.split("ceilings:", 1)[1]


def test_a_newer_libstdcxx_than_the_target_s_fails(tmp_path: Path) -> None:
    build = tmp_path / "dist"
    _elf(
        build / "libQt6Core.so.6",
        UND.format(v="GLIBC_2.28", name="x") + UND.format(v="GLIBCXX_3.4.29", name="y"),
    )
    done = _run(build, "2.28", fake=_fake(tmp_path))
    assert done.returncode == 3
    assert "GLIBCXX_3.4.29 libQt6Core.so.6" in done.stdout
    assert _run(build, "2.28", "3.4.29", fake=_fake(tmp_path)).returncode == 0


def test_a_folder_without_elf_files_or_no_folder_fails(tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "readme.txt").write_text("GLIBC_2.2.5")
    assert _run(tmp_path / "dist", "2.28", fake=_fake(tmp_path)).returncode == 2
    assert _run(tmp_path / "missing", "2.28", fake=_fake(tmp_path)).returncode == 2


def test_verbose_lists_every_elf_file(tmp_path: Path) -> None:
    build = tmp_path / "dist"
    _elf(build / "one.so", UND.format(v="GLIBC_2.4", name="x"))
    _elf(build / "sub" / "two.so", UND.format(v="GLIBC_2.17", name="y"))
    done = _run(build, "-v", "2.28", fake=_fake(tmp_path))
    assert done.returncode == 0
    assert "  2.4 one.so" in done.stdout and "  2.17 sub/two.so" in done.stdout


def test_the_real_objdump_on_a_real_executable(tmp_path: Path) -> None:
    assert shutil.which("objdump"), "objdump is missing (Debian: binutils, installed by ./dev.sh)"
    build = tmp_path / "dist"
    build.mkdir()
    shutil.copy(os.path.realpath(sys.executable), build / "python")
    # every program linked with glibc needs at least GLIBC_2.2.5 (x86_64's first version)
    below = _run(build, "2.0")
    assert below.returncode == 3 and "1 ELF files" in below.stdout, below.stdout + below.stderr
    assert _run(build, "99.0").returncode == 0


def test_the_smoke_test_checks_the_ceiling() -> None:
    smoke = (ROOT / "dev.sh").read_text(encoding="utf-8").split("  smoke)", 1)[1].split(";;", 1)[0]
    assert "installer/glibc_ceiling.sh dist/inspector 2.28" in smoke


def _system_provided() -> "re.Pattern[str]":
    """build.spec's SYSTEM_PROVIDED pattern (the spec runs only inside PyInstaller: read it with ast)."""
    tree = ast.parse((ROOT / "build.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "SYSTEM_PROVIDED":
            assert isinstance(node.value, ast.Call)
            return re.compile(ast.literal_eval(node.value.args[0]))
    raise AssertionError("build.spec has no SYSTEM_PROVIDED")


def test_the_linux_build_leaves_the_desktop_s_libraries_out() -> None:
    provided = _system_provided()
    desktop = ["libstdc++.so.6", "libgcc_s.so.1", "libGL.so.1", "libEGL.so.1", "libX11.so.6", "libxcb.so.1"]
    desktop += ["libxcb-xkb.so.1", "libxkbcommon-x11.so.0", "libfontconfig.so.1", "libfreetype.so.6"]
    desktop += ["libglib-2.0.so.0", "libdbus-1.so.3", "libz.so.1", "libexpat.so.1", "libcairo.so.2"]
    for name in desktop:
        assert provided.fullmatch(name), name
    # wheels' own copies (hashed names), Qt's xcb helpers, the interpreter and Qt itself stay in
    carried = [
        "libXau-154567c4.so.6.0.0",
        "libxcb-9065bb12.so.1.1.0",
        "libxcb-cursor.so.0",
        "libxcb-icccm.so.4",
    ]
    carried += ["libxcb-util.so.1", "libpython3.11.so.1.0", "libQt6Core.so.6", "libzstd-40ad5e7e.so.1.5.7"]
    carried += ["libssl-6a9b88ec.so.3", "libicuuc.so.73"]
    for name in carried:
        assert not provided.fullmatch(name), name
