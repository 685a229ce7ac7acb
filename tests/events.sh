#!/usr/bin/env bash
# events.sh BIN — scores the event coder on the PETRARCH unit-test records
# (../shared/data/events/petrarch-unittest, with their fixture dictionaries
# loaded through tools/petr-coder) and fails below the issue's target for
# them (sentence accuracy 0.70).  Skipped (and says so) without ../shared.
set -uo pipefail
bin=$(realpath "$1")
src=${NG_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
shared="$src/../shared"
data="$shared/data/events/petrarch-unittest"
if [[ ! -f "$shared/tools/eval-events" || ! -d "$data" ]]; then
  echo "SKIPPED: $shared/tools/eval-events or $data not found (a clone without ../shared); events were not scored"
  exit 0
fi
NEWSGRAPH="$bin" PETR_DICT_DIR="$data" python3 "$shared/tools/eval-events" --data "$data" \
  --bin "$src/tools/petr-coder" --min sentence_accuracy=0.70
