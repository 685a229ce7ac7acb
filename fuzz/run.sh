#!/usr/bin/env bash
# run.sh DIR SECONDS — runs every libFuzzer binary in DIR (fuzz_*) for
# SECONDS each, starting from a copy of its seed corpus (fuzz/corpus/NAME);
# new inputs stay in build-fuzz/corpus/NAME, crashes in fuzz/artifacts/.
set -euo pipefail
dir=$1
secs=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/artifacts"
status=0
for bin in "$dir"/fuzz_*; do
  [[ -x "$bin" ]] || continue
  name=$(basename "$bin"); name=${name#fuzz_}
  work="$dir/../corpus/$name"
  mkdir -p "$work"
  [[ -d "$here/corpus/$name" ]] && cp -n "$here/corpus/$name"/* "$work"/ 2>/dev/null || true
  echo "== fuzz $name for ${secs}s"
  if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
       -artifact_prefix="$here/artifacts/$name-" "$work" 2>"$dir/$name.log"; then
    echo "FAIL: fuzz_$name found a problem (see $dir/$name.log and fuzz/artifacts/)"
    tail -n 30 "$dir/$name.log"
    status=1
  else
    tail -n 1 "$dir/$name.log"
  fi
done
exit $status
