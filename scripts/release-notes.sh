#!/usr/bin/env bash
# Prints the section of CHANGELOG.md for one release (v1.2.0 or 1.2.0): the
# release's notes. Fails when the changelog has no such section, so that a
# tag without its changelog entry does not make a release.
#
#   scripts/release-notes.sh v1.2.0 [CHANGELOG.md]
set -euo pipefail
version=${1#v}
file=${2:-CHANGELOG.md}
notes=$(awk -v v="$version" '
  /^## \[/ { if (found) exit; if (index($0, "## [" v "]") == 1) { found = 1; next } }
  /^\[[^]]+\]: / { if (found) exit }  # the link definitions at the end
  found { print }
' "$file")
if [ -z "${notes//[[:space:]]/}" ]; then
  echo "release-notes: $file has no section \"## [$version]\"" >&2
  exit 1
fi
printf '%s\n' "$notes"
