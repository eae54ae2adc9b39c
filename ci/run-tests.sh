#!/usr/bin/env bash
# Runs every test of the workspace as `cargo test --workspace` would (each test executable from
# its package's directory with cargo's runtime variables, then the doc-tests), but several
# executables at a time: most of them wait on PostgreSQL, MariaDB or Node rather than on this
# process, so the machine's two cores stay busy. Longest first (the weights below), so the
# last one to start is a short one.
#
# Usage:  ci/run-tests.sh [cargo test build flags…]
#   NEXTAUTH_TEST_WIDTH  executables run at once (default 3, measured in docs/performance.md)
#   NEXTAUTH_TEST_LOGS   where each executable's output goes (default target/test-logs)
# Prints each executable's output when it ends (whole, never interleaved with another's) and a
# line with its status, seconds and name; at the end the slowest ten, and every failing
# executable's name and the tail of its output again; exits non-zero when any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
width=${NEXTAUTH_TEST_WIDTH:-3}
logs=${NEXTAUTH_TEST_LOGS:-$PWD/target/test-logs}
rm -rf "$logs"
mkdir -p "$logs"

# The executables, from cargo's own account of what it built (one JSON object per artifact).
if ! cargo test --workspace --locked --no-run --message-format=json-render-diagnostics "$@" \
  >"$logs/artifacts.json"; then
  echo "ci/run-tests: the tests did not build" >&2
  exit 1
fi
jq -r 'select(.reason == "compiler-artifact" and .profile.test and .executable != null)
       | [.executable, .manifest_path, .target.name, (.target.kind | join(",")),
          (.package_id | capture("#(?<n>[^@]+)@").n)] | @tsv' \
  "$logs/artifacts.json" >"$logs/executables.tsv"

# Seconds each long executable took on this project's two-core machine (docs/performance.md):
# they start first. Anything not listed is short and starts after them.
weight() {
  case "$1" in
  next_auth_v3 | authjs_ecosystem) echo 400 ;;
  next_auth_v3_prisma | broken_adapters) echo 300 ;;
  interop | real_core | authjs_real_core) echo 200 ;;
  soak | conformance | conformance_sqlx | live | several_targets) echo 100 ;;
  *) echo 0 ;;
  esac
}

# One line per job: weight, kind (test or doc), executable, package directory, name.
jobs_file="$logs/jobs.tsv"
: >"$jobs_file"
while IFS=$'\t' read -r exe manifest name kind package; do
  dir=$(dirname "$manifest")
  case "$kind" in
  test) label="$package --test $name" ;;
  bin) label="$package --bin $name" ;;
  *) label="$package --lib" ;;
  esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(weight "$name")" test "$exe" "$dir" "$label" "$package" >>"$jobs_file"
done <"$logs/executables.tsv"
# The doc-tests compile one program each: a job of their own, started early.
printf '%s\t%s\t%s\t%s\t%s\t%s\n' 250 doc - "$PWD" "--doc" - >>"$jobs_file"
sort -t$'\t' -k1,1nr -o "$jobs_file" "$jobs_file"
total=$(wc -l <"$jobs_file")
echo "ci/run-tests: $total jobs, $width at a time; logs in $logs"

# Runs one job; prints `ok|FAILED <seconds> s <label>` and records it.
run_job() {
  local kind=$1 exe=$2 dir=$3 label=$4 package=$5 log started status
  log="$logs/$(echo "$label" | tr ' /' '__').log"
  started=$EPOCHREALTIME
  if [ "$kind" = doc ]; then
    cargo test --workspace --locked --doc "${build_flags[@]}" >"$log" 2>&1
  else
    (cd "$dir" && CARGO_MANIFEST_DIR="$dir" CARGO_PKG_NAME="$package" "$exe") >"$log" 2>&1
  fi
  status=$?
  local took
  took=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  local word=ok
  [ $status -eq 0 ] || word=FAILED
  # The executable's whole output, as `cargo test` would have shown it, in one piece.
  {
    flock 9
    echo "     Running $label ($exe)"
    cat "$log"
    printf '%-6s %7.1f s  %s\n' "$word" "$took" "$label"
  } 9>"$logs/.print-lock"
  printf '%s\t%.1f\t%s\t%s\n' "$word" "$took" "$label" "$log" >>"$logs/results.tsv"
}
build_flags=("$@")

: >"$logs/results.tsv"
started=$SECONDS
while IFS=$'\t' read -r _ kind exe dir label package; do
  # Keep `width` jobs running.
  while [ "$(jobs -rp | wc -l)" -ge "$width" ]; do
    wait -n
  done
  run_job "$kind" "$exe" "$dir" "$label" "$package" &
done <"$jobs_file"
wait
echo "ci/run-tests: $total jobs in $((SECONDS - started)) s; the slowest:"
sort -t$'\t' -k2,2nr "$logs/results.tsv" | head -10 | awk -F'\t' '{ printf "  %7.1f s  %s\n", $2, $3 }'
failed=$(awk -F'\t' '$1 == "FAILED"' "$logs/results.tsv")
if [ "$(wc -l <"$logs/results.tsv")" -ne "$total" ]; then
  echo "ci/run-tests: only $(wc -l <"$logs/results.tsv") of $total jobs reported" >&2
  exit 1
fi
if [ -n "$failed" ]; then
  while IFS=$'\t' read -r _ _ label log; do
    echo "=============== FAILED: $label ($log) ==============="
    tail -n 200 "$log"
  done <<<"$failed"
  echo "ci/run-tests: $(echo "$failed" | wc -l) of $total jobs FAILED:" >&2
  echo "$failed" | awk -F'\t' '{ print "  " $3 }' >&2
  exit 1
fi
echo "ci/run-tests: all $total jobs passed"
