#!/usr/bin/env bash
# scale.sh BIN [N] — the knowledge base and the web server at N articles
# (default 100,000), printed and never asserted (docs/kb.md, docs/web.md:
# "Scale").  Run by `make bench-scale` or `SCALE=N make bench`.
#
#   1. bench/scale_corpus.py writes N synthetic articles recombined from the
#      dev data (JSON Lines) under the build folder, once per N;
#   2. ingest -j 2 into a new SQLite base with --timings: the time spent
#      storing each article for the first and the last 1,000, the whole
#      ingest's wall time, the base's size against the text's (and per table);
#   3. p50/p95 of `timeline` and `entity` for 200 entities (100 drawn at
#      random, 100 drawn by how many articles name them);
#   4. serve over the base: p50/p95 of every /api/ endpoint (200 requests
#      each, one keep-alive client), then bench/scale_load.mjs: 200
#      concurrent clients over loopback for 30 s, errors counted, the
#      server's RSS at start, after a warm-up and at the end.
#
# Environment: SCALE_STAGES (ingest --stages, e.g. entities,timex for a
# reduced analysis; default everything), SCALE_WORK (folder, default
# build/scale), SCALE_KEEP=1 (reuse a base already ingested for this N),
# SCALE_SECONDS (the load test's length, default 30), SCALE_CLIENTS (200).
set -euo pipefail
bin=$(realpath "$1")
n=${2:-100000}
src=$(cd "$(dirname "$0")/.." && pwd)
work=${SCALE_WORK:-$(dirname "$bin")/scale}
mkdir -p "$work"
corpus="$work/corpus-$n.jsonl"
if [ ! -s "$corpus" ]; then
    echo "== corpus: $n articles -> $corpus"
    python3 "$src/bench/scale_corpus.py" "$src" "$corpus.tmp" "$n"
    mv "$corpus.tmp" "$corpus"
fi
db="$work/kb-$n.db"
stages=${SCALE_STAGES:-}
if [ "${SCALE_KEEP:-0}" != 1 ] || [ ! -s "$db" ]; then
    rm -f "$db" "$db-wal" "$db-shm"
    echo "== ingest -j 2 --jsonl ${stages:+--stages $stages }($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
    # exit status 1 when some articles were refused (a recombined text that cleaning empties):
    # printed, not fatal
    { /usr/bin/time -f "ingest: %e s wall, %U s user, %S s sys, max RSS %M KB" \
        "$bin" ingest -q -j 2 --jsonl ${stages:+--stages "$stages"} --timings "$work/timings-$n.txt" \
        --db "$db" "$corpus" || true; } 2>&1 | tail -n 5
fi
python3 -u "$src/bench/scale_report.py" "$bin" "$db" "$corpus" "$work/timings-$n.txt" "$src" \
    "${SCALE_SECONDS:-30}" "${SCALE_CLIENTS:-200}"
