#!/usr/bin/env bash
# The newest glibc symbol version any ELF file of a build needs (objdump -T), against a ceiling.
#   installer/glibc_ceiling.sh dist/inspector [2.28]
# UOS 20 has glibc 2.28 and Kylin V10 2.31: a build that needs more does not start there.
# Prints the highest version found and the files above the ceiling (with their newest need). Exit 0
# when the build is within the ceiling; otherwise exit 3 (the caller decides: ./dev.sh smoke reports
# it as a known gap unless GLIBC_STRICT=1, see docs/platforms.md).
set -euo pipefail
dir=${1:?usage: glibc_ceiling.sh BUILD_DIR [CEILING]}
ceiling=${2:-2.28}
command -v objdump >/dev/null || { echo "glibc check: objdump missing (Debian: binutils)" >&2; exit 2; }

newest() { sort -t. -k1,1n -k2,2n -k3,3n | tail -1; }
above=()
all=()
while IFS= read -r -d '' f; do
  head -c 4 "$f" 2>/dev/null | grep -q $'^\x7fELF' || continue
  v=$(objdump -T "$f" 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | newest || true)
  [ -n "$v" ] || continue
  all+=("$v")
  if [ "$(printf '%s\n%s\n' "$v" "$ceiling" | newest)" != "$ceiling" ]; then
    above+=("$v ${f#"$dir"/}")
  fi
done < <(find "$dir" -type f -print0)

highest=$(printf '%s\n' "${all[@]:-0}" | newest)
echo "glibc check: ${#all[@]} ELF files; the newest glibc needed is $highest (ceiling $ceiling)"
if [ ${#above[@]} -gt 0 ]; then
  echo "glibc check: ${#above[@]} files need more than GLIBC_$ceiling:"
  printf '%s\n' "${above[@]}" | sort -t. -k1,1nr -k2,2nr | head -25 | sed 's/^/  GLIBC_/'
  exit 3
fi
