#!/usr/bin/env bash
# The Linux build for UOS 20 (glibc 2.28) and Kylin V10 (glibc 2.31), made on a newer Debian/Ubuntu.
#
#   .ci/compat-build.sh            →  dist/inspector/ (the same layout as ./dev.sh build)
#
# Nothing built on Debian 12 links against anything older than its own glibc 2.36, and no older
# system image can be fetched here (only package registries answer). So: Zig's C compiler (the
# `ziglang` wheel from PyPI) targets glibc 2.28 from any host (`-target x86_64-linux-gnu.2.28`: it
# links against stubs of that glibc's symbol versions). With it, from Debian's source packages
# (`apt-get source`, pristine upstream tarballs), this script builds zlib, bzip2, xz, libffi and
# SQLite as static libraries, then CPython 3.11 (shared libpython, for PyInstaller) linked with them;
# a virtual environment of that interpreter gets the project's dependencies and PyInstaller as
# wheels only (manylinux_2_28 or older, so pip never compiles anything here and picks PySide6 6.9, the
# last PySide6 for glibc 2.28), and PyInstaller freezes build.spec with it. System libraries the
# desktops provide are left out of the build by build.spec (the list: docs/platforms.md).
#
# The interpreter is cached (INSPECTOR_COMPAT_CACHE, default ~/.cache/inspector-compat, keyed by
# $key below): a second run only reinstalls wheels and freezes (about 2 minutes). The first
# one compiles for about 10-15 minutes on two cores.
# No OpenSSL: nothing the product imports needs Python's ssl module (cryptography carries its own
# OpenSSL; hashlib has its built-in SHA-2/SHA-3/BLAKE2; the product is offline), so _ssl and
# _hashlib are not built and the build carries no libssl/libcrypto of the build machine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

CACHE=${INSPECTOR_COMPAT_CACHE:-$HOME/.cache/inspector-compat}
GLIBC=2.28
ZIG_VERSION=0.13.0
# Source packages of Debian 12 (bookworm); pinned versions where the security suite's index names a
# version whose files are not in its pool.
SOURCES=(python3.11 libffi "zlib=1:1.2.13.dfsg-1" bzip2 xz-utils sqlite3 openssl)
JOBS=${JOBS:-2}
# Bump when a change below should rebuild the cached interpreter.
key=py3.11-glibc$GLIBC-zig$ZIG_VERSION-2
PREFIX=$CACHE/python-$key         # the interpreter (kept between runs)
DEPS=$CACHE/deps-$key             # static libraries it links
SRC=$CACHE/src
WORK=$CACHE/work
mkdir -p "$CACHE" "$SRC" "$WORK"

say() { echo "compat build: $*"; }
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"

# --- tools: make, perl (OpenSSL's Configure), tclsh (SQLite's build generates its amalgamation with
# it), objdump; Zig in a venv
need=()
for p in make perl pkg-config tcl binutils xz-utils bzip2 python3-venv; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -x "$CACHE/zig-venv/bin/python" ]; then
  python3 -m venv "$CACHE/zig-venv"
  "$CACHE/zig-venv/bin/pip" install -q "ziglang==$ZIG_VERSION"
fi
zig=$("$CACHE/zig-venv/bin/python" -c 'import ziglang, os; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))')
tools=$CACHE/bin
mkdir -p "$tools"
# -fno-sanitize: zig cc turns on UBSan traps when no optimisation level is given; CPython's
# function-pointer casts would trap.
# Zig's linker knows -soname but not its short form -h (CPython's configure uses -Wl,-hNAME).
cat > "$tools/cc" <<EOF
#!/bin/bash
args=()
for a in "\$@"; do
  case "\$a" in
    -Wl,-h*) args+=("-Wl,-soname,\${a#-Wl,-h}") ;;
    *) args+=("\$a") ;;
  esac
done
exec "$zig" cc -target x86_64-linux-gnu.$GLIBC -fno-sanitize=all "\${args[@]}"
EOF
cat > "$tools/ar" <<EOF
#!/bin/sh
exec "$zig" ar "\$@"
EOF
cat > "$tools/ranlib" <<EOF
#!/bin/sh
exec "$zig" ranlib "\$@"
EOF
chmod +x "$tools/cc" "$tools/ar" "$tools/ranlib"
export CC=$tools/cc AR=$tools/ar RANLIB=$tools/ranlib
export ZIG_GLOBAL_CACHE_DIR=$CACHE/zig-cache

# --- sources: Debian's source packages (deb-src of the configured suites, added when missing)
fetch_sources() {
  if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
        $sudo tee /etc/apt/sources.list.d/inspector-compat-src.sources >/dev/null
    elif [ -f /etc/apt/sources.list.d/ubuntu.sources ]; then
      sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/ubuntu.sources |
        $sudo tee /etc/apt/sources.list.d/inspector-compat-src.sources >/dev/null
    else
      grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
        $sudo tee /etc/apt/sources.list.d/inspector-compat-src.list >/dev/null
    fi
    $sudo apt-get update -qq
  fi
  # One package at a time: apt gives up on every download of a command when one file fails, and
  # the mirror may lack a security update's .dsc and Debian diff (debian-security 404s here) while
  # serving its upstream tarball, the one file this build uses. Seen on a fresh machine: all at once
  # fetched neither zlib's nor python3.11's tarball; one by one fetched every tarball.
  local p
  for p in "${SOURCES[@]}"; do
    (cd "$SRC" && apt-get source --download-only -qq "$p" 2>&1 |
      grep -v '^W: Download is performed unsandboxed' || true)
  done
}
orig() {  # orig tarball of a source package: orig NAME_VERSION-GLOB
  local f
  f=$(ls "$SRC"/$1*.orig.tar.* 2>/dev/null | grep -v -e orig-www -e '\.asc$' | sort -V | tail -1)
  [ -n "$f" ] || { fetch_sources >&2; f=$(ls "$SRC"/$1*.orig.tar.* | grep -v -e orig-www -e '\.asc$' | sort -V | tail -1); }
  echo "$f"
}
unpack() {  # unpack NAME → a fresh build folder, printed
  local tarball dir
  tarball=$(orig "$1")
  dir=$WORK/$1
  rm -rf "$dir"
  mkdir -p "$dir"
  tar -xf "$tarball" -C "$dir" --strip-components=1
  echo "$dir"
}

build_deps() {
  [ -f "$DEPS/.done" ] && return 0
  rm -rf "$DEPS"
  mkdir -p "$DEPS/lib" "$DEPS/include"
  local d pic="-O2 -fPIC -w -Wno-error=implicit-function-declaration"
  say "zlib"
  d=$(unpack zlib_)
  (cd "$d" && CFLAGS="$pic" ./configure --static --prefix="$DEPS" >/dev/null && make -s -j"$JOBS" install >/dev/null)
  say "bzip2"
  d=$(unpack bzip2_)
  (cd "$d" && make -s -j"$JOBS" CC="$CC" AR="$AR" RANLIB="$RANLIB" \
    CFLAGS="$pic -D_FILE_OFFSET_BITS=64" libbz2.a >/dev/null && cp libbz2.a "$DEPS/lib/" && cp bzlib.h "$DEPS/include/")
  say "xz (liblzma)"
  d=$(unpack xz-utils_)
  (cd "$d" && CFLAGS="$pic" ./configure -q --prefix="$DEPS" --libdir="$DEPS/lib" --disable-shared --enable-static \
    --with-pic --disable-xz --disable-xzdec --disable-lzmadec --disable-lzmainfo --disable-lzma-links \
    --disable-scripts --disable-doc --disable-nls >/dev/null && make -s -j"$JOBS" install >/dev/null)
  say "libffi"
  d=$(unpack libffi_)
  (cd "$d" && CFLAGS="$pic" ./configure -q --prefix="$DEPS" --libdir="$DEPS/lib" --disable-shared --enable-static \
    --with-pic --disable-docs --disable-multi-os-directory >/dev/null && make -s -j"$JOBS" install >/dev/null)
  say "SQLite"
  d=$(unpack sqlite3_)
  # Debian's compile options that matter to the product's store (FTS, JSON, RTREE, column metadata)
  local sq="$pic -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS3_PARENTHESIS -DSQLITE_ENABLE_FTS4 -DSQLITE_ENABLE_FTS5"
  sq+=" -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_DBSTAT_VTAB"
  sq+=" -DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_SECURE_DELETE -DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_MAX_VARIABLE_NUMBER=250000"
  (cd "$d" && CFLAGS="$sq" ./configure -q --prefix="$DEPS" --libdir="$DEPS/lib" --disable-shared --enable-static \
    --with-pic --disable-tcl --disable-readline --enable-threadsafe >/dev/null &&
    make -s -j"$JOBS" libsqlite3.la >/dev/null && make -s install-libLTLIBRARIES install-includeHEADERS install-pkgconfigDATA >/dev/null 2>&1 ||
    { cp .libs/libsqlite3.a "$DEPS/lib/" && cp sqlite3.h sqlite3ext.h "$DEPS/include/"; })
  [ -f "$DEPS/include/sqlite3.h" ] || cp "$d/sqlite3.h" "$d/sqlite3ext.h" "$DEPS/include/"
  say "OpenSSL (libssl, libcrypto; the longest step)"
  d=$(unpack openssl_)
  # no-asm: C only, nothing for Zig's assembler to differ on; speed is not the ssl module's job here
  (cd "$d" && ./Configure linux-x86_64 --prefix="$DEPS" --libdir=lib --openssldir=/etc/ssl no-shared no-asm \
      no-tests no-dso no-engine no-legacy no-module no-comp -fPIC -O2 -w >/dev/null &&
    nice -n 10 make -s -j"$JOBS" build_libs >/dev/null 2>&1 && make -s install_dev >/dev/null 2>&1)
  [ -f "$DEPS/lib/libssl.a" ] || { say "OpenSSL failed"; exit 1; }
  # static only: the linker must not find a shared library of these
  rm -f "$DEPS"/lib/*.so* "$DEPS"/lib/*.la
  touch "$DEPS/.done"
}

build_python() {
  [ -x "$PREFIX/bin/python3.11" ] && [ -f "$PREFIX/.done" ] && return 0
  rm -rf "$PREFIX"
  local d
  say "CPython 3.11"
  d=$(unpack python3.11_)
  # setup.py (which builds most extension modules in 3.11) adds the host's /usr/include and
  # /usr/lib search paths; their glibc 2.36 headers must not mix with Zig's glibc 2.28 ones.
  sed -i -e 's/^        self.add_multiarch_paths()$/        pass  # compat build: no host paths/' \
    -e "s#^\( *\)add_dir_to_list(self.compiler.\(library\|include\)_dirs, '/usr/local/\(lib\|include\)')#\1pass#" \
    -e "s|system_lib_dirs = \[.*\]|system_lib_dirs = []|" -e "s|system_include_dirs = \[.*\]|system_include_dirs = []|" \
    "$d/setup.py"
  (cd "$d" &&
    PKG_CONFIG_PATH="$DEPS/lib/pkgconfig" PKG_CONFIG_LIBDIR="$DEPS/lib/pkgconfig" \
    CPPFLAGS="-I$DEPS/include" LDFLAGS="-L$DEPS/lib -Wl,-rpath,$PREFIX/lib" \
    LIBFFI_INCLUDEDIR="$DEPS/include" \
    ./configure -q --prefix="$PREFIX" --enable-shared --with-ensurepip=install \
      --without-static-libpython --with-system-ffi --disable-test-modules \
      --with-openssl="$DEPS" --with-ssl-default-suites=openssl >"$WORK/python-configure.log" 2>&1 &&
    nice -n 10 make -s -j"$JOBS" >"$WORK/python-make.log" 2>&1 &&
    make -s install >"$WORK/python-install.log" 2>&1) ||
    { tail -40 "$WORK"/python-*.log >&2; exit 1; }
  "$PREFIX/bin/python3.11" - <<'EOF'
# every module the product and its libraries need from the standard library
import bz2, ctypes, lzma, sqlite3, ssl, zlib, hashlib, json, decimal, unicodedata, _socket, select, mmap, uuid
assert hashlib.scrypt and ssl.create_default_context()
con = sqlite3.connect(":memory:")
con.execute("create table t(a integer primary key, b text) strict")
assert con.execute("insert into t(b) values ('x') on conflict do nothing returning a").fetchone() == (1,)
assert con.execute("select row_number() over (order by a), json_object('b', b) from t").fetchone() == (1, '{"b":"x"}')
print("compat python:", sqlite3.sqlite_version, ssl.OPENSSL_VERSION, "ok")
EOF
  touch "$PREFIX/.done"
}

build_deps
build_python
# interpreters and libraries of earlier keys are dead weight (a few hundred MB each)
for old in "$CACHE"/python-* "$CACHE"/deps-*; do
  case "$old" in "$PREFIX" | "$DEPS") ;; *) rm -rf "$old" ;; esac
done
rm -rf "$WORK"

# --- the freezing environment: wheels only, none newer than manylinux_2_28
venv=$CACHE/freeze-venv
rm -rf "$venv"
"$PREFIX/bin/python3.11" -m venv "$venv"
reqs=$(mktemp)
trap 'rm -f "$reqs"' EXIT
"$venv/bin/python" - "$reqs" <<'EOF'
import sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
wanted = list(project["dependencies"])
wanted += [r for r in project["optional-dependencies"]["test"] if r.lower().startswith("pyinstaller")]
open(sys.argv[1], "w").write("\n".join(wanted) + "\n")
EOF
wheels=$CACHE/wheels
rm -rf "$wheels"
platforms=()
for v in 28 27 26 25 24 23 22 21 20 19 18 17; do platforms+=(--platform "manylinux_2_${v}_x86_64"); done
platforms+=(--platform manylinux2014_x86_64 --platform manylinux2010_x86_64 --platform manylinux1_x86_64)
# The host's Python (Zig's venv: the machine's certificates and pip settings) downloads the wheels,
# for CPython 3.11 on manylinux_2_28 or older; the freezing venv installs them without a network.
"$CACHE/zig-venv/bin/python" -m pip download -q --only-binary :all: --python-version 3.11 --implementation cp \
  --abi cp311 --abi abi3 --abi none "${platforms[@]}" --platform any -d "$wheels" -r "$reqs" pip
"$venv/bin/python" -m pip install -q --no-index --find-links "$wheels" --upgrade pip
"$venv/bin/python" -m pip install -q --no-index --find-links "$wheels" -r "$reqs"
"$venv/bin/python" -m pip list 2>/dev/null | grep -i -E '^(pyside6[-_]essentials|pyinstaller|cryptography) ' | sed 's/^/compat build: /'

say "freezing build.spec"
PYTHONPATH=$root "$venv/bin/pyinstaller" --noconfirm --log-level WARN --workpath build/compat build.spec
echo "Built (glibc $GLIBC): dist/inspector/ ($(du -sh dist/inspector | cut -f1))"
