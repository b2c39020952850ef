#!/usr/bin/env bash
# The newest glibc symbol version any ELF file of a build needs (objdump -T), against a ceiling.
#   installer/glibc_ceiling.sh [-v] dist/inspector [2.28 [3.4.25]]
# UOS 20 has glibc 2.28 and Kylin V10 2.31: a build that needs more does not start there.
# Only symbols a file needs count (objdump -T's *UND* lines): a library's own versioned definitions
# are not needs. The third argument is the ceiling for GLIBCXX_ (libstdc++): the build does not carry
# libstdc++ (build.spec), so the target's must do; UOS 20's is GCC 8's (GLIBCXX_3.4.25, the
# manylinux_2_28 limit too).
# Prints the highest version found and the files above the ceiling (with their newest need); -v lists
# every ELF file with its newest glibc need. Exit 0 when the build is within the ceilings; otherwise
# exit 3 (the caller decides: ./dev.sh smoke fails on it for the compat build, see docs/platforms.md).
set -euo pipefail
verbose=""
[ "${1:-}" = "-v" ] && { verbose=1; shift; }
dir=${1:?usage: glibc_ceiling.sh [-v] BUILD_DIR [GLIBC_CEILING [GLIBCXX_CEILING]]}
ceiling=${2:-2.28}
cxx_ceiling=${3:-3.4.25}
[ -d "$dir" ] || { echo "glibc check: no folder $dir" >&2; exit 2; }
command -v objdump >/dev/null || { echo "glibc check: objdump missing (Debian: binutils)" >&2; exit 2; }

newest() { sort -t. -k1,1n -k2,2n -k3,3n | tail -1; }
above() { [ "$(printf '%s\n%s\n' "$1" "$2" | newest)" != "$2" ]; }  # above VERSION CEILING
over=()
all=()
cxx_all=()
elves=0
while IFS= read -r -d '' f; do
  head -c 4 "$f" 2>/dev/null | grep -q $'^\x7fELF' || continue
  needs=$(objdump -T "$f" 2>/dev/null | grep '\*UND\*' || true)
  v=$(grep -o 'GLIBC_[0-9][0-9.]*' <<<"$needs" | sed 's/GLIBC_//' | newest || true)
  x=$(grep -o 'GLIBCXX_[0-9][0-9.]*' <<<"$needs" | sed 's/GLIBCXX_//' | newest || true)
  rel=${f#"$dir"/}
  [ -z "$verbose" ] || echo "  ${v:-none} ${rel}${x:+ (GLIBCXX_$x)}"
  elves=$((elves + 1))
  if [ -n "$v" ]; then
    all+=("$v")
    above "$v" "$ceiling" && over+=("GLIBC_$v $rel")
  fi
  if [ -n "$x" ]; then
    cxx_all+=("$x")
    above "$x" "$cxx_ceiling" && over+=("GLIBCXX_$x $rel")
  fi
done < <(find "$dir" -type f -print0)

highest=$(printf '%s\n' "${all[@]:-none}" | newest)
highest_cxx=$(printf '%s\n' "${cxx_all[@]:-none}" | newest)
echo "glibc check: $elves ELF files; the newest glibc needed is $highest (ceiling $ceiling)," \
  "the newest libstdc++ ${highest_cxx/#[0-9]/GLIBCXX_&} (ceiling $cxx_ceiling)"
# a check that found nothing to check must not pass
[ "$elves" -gt 0 ] || { echo "glibc check: no ELF file in $dir" >&2; exit 2; }
if [ ${#over[@]} -gt 0 ]; then
  echo "glibc check: ${#over[@]} needs above the ceilings:"
  printf '%s\n' "${over[@]}" | sort -t. -k1,1r -k2,2nr -k3,3nr | head -40 | sed 's/^/  /'
  exit 3
fi
