#!/usr/bin/env bash
# seeds.sh BIN — scores the five seed articles with ../shared/tools/score-seeds
# and fails when a facet this project has finished falls below its target.
# Skipped (and says so) when ../shared is not beside the checkout.
set -uo pipefail
bin=$1
src=${NG_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
shared="$src/../shared"
if [[ ! -x "$shared/tools/score-seeds" && ! -f "$shared/tools/score-seeds" ]]; then
  echo "SKIPPED: $shared/tools/score-seeds not found (a clone without ../shared); the seeds were not scored"
  exit 0
fi
# Targets of the finished stages (issue 2: clean text, language, publication date;
# issue 3: entities, and no page chrome among them; issue 6: events).
python3 "$shared/tools/score-seeds" --bin "$bin" \
  --min clean=1.0 --min lang=1.0 --min published=0.8 --min entities=0.9 --min forbidden_clean=1.0 --min events=0.8
