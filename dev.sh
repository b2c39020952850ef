#!/usr/bin/env bash
# One command to set up and start, one to set up and test. Safe to run again: each step checks
# before it acts. Usage:
#   ./dev.sh start   set up, fill a data folder with the demo, open the product on it
#   ./dev.sh test    set up, then lint, type-check and run the whole test suite
#   ./dev.sh build          the standalone build from the virtual environment (this machine's glibc)
#   ./dev.sh build-compat   the standalone build for UOS 20 / Kylin V10 (glibc 2.28; .ci/compat-build.sh)
#   ./dev.sh smoke [dev]    smoke-test the compat build (or the venv's build: the glibc check then warns)
set -euo pipefail
cd "$(dirname "$0")"

VENV=${VENV:-.venv}
# System libraries Qt needs without a display, poppler (PDF checks), NSS tools (pdfsig trust),
# binutils (objdump: the build's glibc check), nsis (makensis compiles the Windows installer script),
# postgresql (the tests run the centre's store on a throw-away server too: .ci/pg-cluster.sh).
APT_PACKAGES=(python3-venv libglib2.0-0 libgl1 libegl1 libxkbcommon0 libx11-6 libfreetype6
  libfontconfig1 libdbus-1-3 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  libxcb-shape0 poppler-utils libnss3-tools binutils nsis postgresql)

system_packages() {
  command -v dpkg >/dev/null 2>&1 || return 0   # not Debian/Ubuntu: install the equivalents by hand
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

python_env() {
  local py=${PYTHON:-python3}
  if [ ! -x "$VENV/bin/python" ]; then
    "$py" -m venv "$VENV"
  fi
  # pip only when pyproject.toml changed since the last install that succeeded (its hash in a stamp
  # inside the venv): a second run works without network, and a changed dependency is installed.
  local stamp="$VENV/.pyproject.sha256" want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VENV/bin/inspector" ]; then
    return 0
  fi
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[test]"
  echo "$want" > "$stamp"
}

case "${1:-}" in
  start)
    system_packages
    python_env
    export INSPECTOR_DATA=${INSPECTOR_DATA:-$PWD/demo-data}
    "$VENV/bin/inspector" demo
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
      # No screen (a server, a container): show the product on the command line and say how to see
      # the window (a screenshot works without a display).
      echo "No display found: the window needs one. Meanwhile, the evaluations in the demo:"
      "$VENV/bin/inspector" eval list
      printf 'A picture of the window: QT_QPA_PLATFORM=offscreen %q --data %q gui --screenshot window.png\n' \
        "$VENV/bin/inspector" "$INSPECTOR_DATA"
      exit 0
    fi
    exec "$VENV/bin/inspector" gui
    ;;
  test)
    system_packages
    python_env
    export QT_QPA_PLATFORM=offscreen
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    "$VENV/bin/mypy"
    # A throw-away PostgreSQL cluster (unprivileged owner, temporary folder, local port), stopped
    # and removed however the tests end; a test that needs it and finds none fails here, never skips.
    eval "$(.ci/pg-cluster.sh start)"
    trap '.ci/pg-cluster.sh stop "$PG_CLUSTER_DIR"' EXIT
    export INSPECTOR_REQUIRE_PG=1
    "$VENV/bin/python" -m pytest "${@:2}"
    # The store, bundle and centre suites again, every data folder's database on the server
    # (tests/pg_pending.txt: the few not yet passing there, each with its reason, xfail strict).
    [ $# -gt 1 ] || "$VENV/bin/python" -m pytest --engine postgresql tests/store tests/bundles tests/centre
    # The standalone build, smoke-tested as a user's laptop runs it (skip: SKIP_BUILD=1).
    [ -n "${SKIP_BUILD:-}" ] || "$0" smoke
    ;;
  build)
    system_packages
    python_env
    "$VENV/bin/pyinstaller" --noconfirm --log-level WARN build.spec
    echo "Built: dist/inspector/ ($(du -sh dist/inspector | cut -f1))"
    ;;
  build-compat)
    system_packages
    .ci/compat-build.sh
    ;;
  smoke)
    # The compat build by default: it is the one users on UOS 20 and Kylin V10 get, and the only
    # one whose glibc check must pass. `./dev.sh smoke dev` smokes the venv's build instead.
    build=${2:-compat}
    if [ "$build" = compat ]; then "$0" build-compat
    elif [ "$build" = dev ]; then "$0" build
    else echo "usage: ./dev.sh smoke [compat|dev]" >&2; exit 2
    fi
    # No Python, no project, no user settings: only what the build carries.
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT   # the temporary home, data and files go, pass or fail
    run() { env -i HOME="$tmp" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
              INSPECTOR_DATA="$tmp/data" "$@"; }
    run dist/inspector/inspector --version
    run dist/inspector/inspector rubric list
    run dist/inspector/inspector demo
    run dist/inspector/inspector gui --screenshot "$tmp/window.png"
    run dist/inspector/inspector-gui --view stats --screenshot "$tmp/stats.png"
    signed=$(run dist/inspector/inspector eval list --state signed --json | grep -m1 '"id"' | cut -d'"' -f4)
    run dist/inspector/inspector report pdf "$signed" --out "$tmp/sheet.pdf"
    # Signing imports pyHanko's whole signing stack (its timestamp client imports ssl: the build's
    # Python needs its ssl module); the demo's passphrase is printed by `inspector demo`.
    printf 'demo-1234' > "$tmp/passphrase.txt"
    run dist/inspector/inspector pdf sign "$tmp/sheet.pdf" --out "$tmp/signed.pdf" --role 组长 \
      --passphrase-file "$tmp/passphrase.txt"
    for f in window.png stats.png sheet.pdf signed.pdf; do
      [ -s "$tmp/$f" ] || { echo "smoke test: $f was not made" >&2; exit 1; }
    done
    sig=$(pdfsig "$tmp/signed.pdf" 2>&1 || true)
    grep -q "Signature #1" <<<"$sig" || { echo "smoke test: signed.pdf has no signature" >&2; exit 1; }
    # Chinese Windows' console (code page 936) cannot show every name: output never ends the command
    run dist/inspector/inspector org add --name "𠮷✓鉴定站" >/dev/null
    run env PYTHONIOENCODING=cp936 dist/inspector/inspector org list >/dev/null
    # UOS 20 has glibc 2.28 (and GCC 8's libstdc++): the compat build must need nothing newer
    # (objdump -T over every ELF file). The venv's build, made against this machine's glibc, cannot:
    # there it is reported as a known gap unless GLIBC_STRICT=1 (docs/platforms.md).
    installer/glibc_ceiling.sh dist/inspector 2.28 || {
      [ "$build" = dev ] && [ -z "${GLIBC_STRICT:-}" ] || exit 1
      echo "KNOWN GAP: this build does not start on UOS 20 / Kylin V10; ./dev.sh build-compat makes one that does"
    }
    echo "Smoke test of the standalone build passed"
    ;;
  *)
    echo "usage: ./dev.sh start | test [pytest args] | build | build-compat | smoke [compat|dev]" >&2
    exit 2
    ;;
esac
