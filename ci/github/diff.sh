#!/usr/bin/env bash
# The Action's diff step: which connections the pull request opens, closes
# and changes. It compares the working tree's PATHS with the same paths at
# DIFF_BASE (on pull_request events, by default, the pull request's base
# commit, read from GITHUB_EVENT_PATH), writes meshlint's Markdown diff to
# GITHUB_STEP_SUMMARY and, with COMMENT=true, creates or updates one comment
# on the pull request, found again by the marker meshlint's Markdown opens
# with. Commenting needs GITHUB_TOKEN with `pull-requests: write`.
#
# The environment: MESHLINT (the binary), PATHS and KUSTOMIZE (words, as
# the lint step splits them), DIFF_BASE, COMMENT, CONFIG, GITHUB_EVENT_NAME,
# GITHUB_EVENT_PATH, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_TOKEN,
# GITHUB_REPOSITORY, GITHUB_API_URL (default https://api.github.com; the
# tests serve a fake one) and RUNNER_TEMP.
#
# It writes exit-code (meshlint diff's: 0, 1 when diff.fail-on matched, 2
# when the run failed) to GITHUB_OUTPUT, or nothing when there is nothing
# to compare (no base: not a pull request), and exits 0 but for bad inputs:
# the action fails the job on the code after its other steps.
set -uo pipefail

fail() { echo "::error title=meshlint diff::$*"; exit 1; }
warn() { echo "::warning title=meshlint diff::$*"; }

base=${DIFF_BASE:-}
pr=""
if [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "$GITHUB_EVENT_PATH" ]; then
  pr=$(jq -r '.pull_request.number // empty' "$GITHUB_EVENT_PATH") || fail "cannot read $GITHUB_EVENT_PATH"
  if [ -z "$base" ]; then
    base=$(jq -r '.pull_request.base.sha // empty' "$GITHUB_EVENT_PATH")
  fi
fi
if [ -z "$base" ]; then
  echo "meshlint diff: no diff-base, and the event (${GITHUB_EVENT_NAME:-none}) is not a pull request: nothing to compare"
  exit 0
fi

# words splits an input as a shell would, quotes honoured but nothing
# expanded, into the array WORDS; an unclosed quote fails.
words() {
  WORDS=()
  local w split
  split=$(mktemp "${RUNNER_TEMP:-/tmp}/meshlint-words-XXXXXX")
  printf '%s' "$1" | xargs printf '%s\0' > "$split" || return 1
  while IFS= read -r -d '' w; do
    if [ -n "$w" ]; then WORDS+=("$w"); fi
  done < "$split"
  rm -f "$split"
}
targets=()
words "${PATHS:-.} ${KUSTOMIZE:-}" || fail "paths: unclosed quote"
for p in ${WORDS[@]+"${WORDS[@]}"}; do
  if [[ $p == *[*?[]* ]] && compgen -G "$p" >/dev/null; then
    while IFS= read -r m; do targets+=("$m"); done < <(compgen -G "$p")
  else
    targets+=("$p")
  fi
done

# actions/checkout fetches one commit by default: fetch the base's too
# (its whole tree, one commit deep) when the clone lacks it.
if command -v git >/dev/null 2>&1 && git rev-parse --git-dir >/dev/null 2>&1 &&
  ! git cat-file -e "$base^{commit}" 2>/dev/null; then
  git fetch --no-tags --quiet --depth=1 origin "$base" || warn "could not fetch $base: meshlint says what is missing"
fi

md=$(mktemp "${RUNNER_TEMP:-/tmp}/meshlint-diff-XXXXXX.md")
args=(diff --base "$base" --format txt --report "markdown=$md")
if [ -n "${CONFIG:-}" ]; then args+=(--config "$CONFIG"); fi
code=0
"$MESHLINT" "${args[@]}" -- "${targets[@]}" || code=$?
echo "exit-code=$code" >> "$GITHUB_OUTPUT"
if [ "$code" = 2 ] || [ ! -s "$md" ]; then
  echo "::error title=meshlint diff::meshlint diff could not compare with $base (exit $code)"
  exit 0
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$md" >> "$GITHUB_STEP_SUMMARY"
fi

if [ "${COMMENT:-false}" != true ]; then
  exit 0
fi
if [ -z "$pr" ]; then
  warn "comment: true, but the event is not a pull request: no comment written"
  exit 0
fi
if [ -z "${GITHUB_TOKEN:-}" ] || [ -z "${GITHUB_REPOSITORY:-}" ]; then
  warn "comment: true needs GITHUB_TOKEN and GITHUB_REPOSITORY: no comment written"
  exit 0
fi
api=${GITHUB_API_URL:-https://api.github.com}
marker=$(head -n 1 "$md")
github() { # METHOD PATH [BODY-FILE]: the response body on stdout
  local extra=()
  if [ $# -ge 3 ]; then extra=(--data-binary "@$3"); fi
  curl -sS --fail-with-body -X "$1" "$api$2" \
    -H "Authorization: Bearer $GITHUB_TOKEN" \
    -H "Accept: application/vnd.github+json" \
    -H "X-GitHub-Api-Version: 2022-11-28" \
    ${extra[@]+"${extra[@]}"}
}
# The comment meshlint wrote before, if any: the first with the marker.
id=""
page=1
while [ -z "$id" ]; do
  if ! list=$(github GET "/repos/$GITHUB_REPOSITORY/issues/$pr/comments?per_page=100&page=$page"); then
    warn "could not list the pull request's comments (a pull request from a fork gets a read-only token): $list"
    exit 0
  fi
  [ "$(jq 'length' <<<"$list")" = 0 ] && break
  id=$(jq -r --arg m "$marker" '[.[] | select(.body | startswith($m))][0].id // empty' <<<"$list")
  page=$((page + 1))
done
body=$(mktemp "${RUNNER_TEMP:-/tmp}/meshlint-comment-XXXXXX.json")
jq -Rs '{body: .}' < "$md" > "$body"
if [ -n "$id" ]; then
  if out=$(github PATCH "/repos/$GITHUB_REPOSITORY/issues/comments/$id" "$body"); then
    echo "meshlint diff: updated comment $id on pull request #$pr"
  else
    warn "could not update comment $id (the token needs pull-requests: write): $out"
  fi
elif out=$(github POST "/repos/$GITHUB_REPOSITORY/issues/$pr/comments" "$body"); then
  echo "meshlint diff: commented on pull request #$pr"
else
  warn "could not comment on pull request #$pr (the token needs pull-requests: write): $out"
fi
exit 0
