#!/usr/bin/env bash
# run.sh BIN — the event coder on the own-written sentences of
# sentences.tsv: prints each miss and the share found, and fails below
# the floor (MIN, default 0.75).  The sentences are a smoke test of the
# built-in patterns and actor dictionaries, not a benchmark.
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
python3 - "$bin" "$here/sentences.tsv" "${MIN:-0.75}" <<'PY'
import json, subprocess, sys
bin, path, floor = sys.argv[1], sys.argv[2], float(sys.argv[3])
rows = [l.rstrip("\n").split("\t") for l in open(path, encoding="utf-8") if l.strip() and not l.startswith("#")]
inp = "\n".join(json.dumps({"id": str(i), "lang": r[0], "text": r[4], "published": "2023-05-10"}) for i, r in enumerate(rows))
p = subprocess.run([bin, "analyze", "--jsonl", "--fields", "events", "-q", "-"], input=inp, capture_output=True, text=True)
if p.returncode != 0:
    print("analyze failed:", p.stderr.strip()); sys.exit(1)
recs = {r["doc"]: r for r in map(json.loads, p.stdout.splitlines())}
def country(side):
    return ((side or {}).get("actor") or "")[:3]
ok = 0
for i, (lang, root, src, tgt, text) in enumerate(rows):
    evs = recs.get(str(i), {}).get("events") or []
    hit = any(e["code"][:2] in root.split("|") and (src == "-" or country(e["source"]) == src)
              and (tgt == "-" or country(e["target"]) == tgt) for e in evs)
    ok += hit
    if not hit:
        print("miss: %s %s %s>%s %s\n      got %s" % (lang, root, src, tgt, text,
              [(e["code"], country(e["source"]), country(e["target"]), e["trigger"]) for e in evs]))
share = ok / len(rows)
print("events: %d of %d sentences coded as expected (%.2f; floor %.2f)" % (ok, len(rows), share, floor))
sys.exit(0 if share >= floor else 1)
PY
