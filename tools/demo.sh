#!/usr/bin/env bash
# demo.sh BIN — the demo: analyzes the example articles (examples/) and
# prints, for each, what newsgraph found: language, date, title, agencies,
# sentences, the start of the clean text, and the entities named in more
# than one article; then ingests them into a knowledge base (demo/kb.db)
# and prints its events, its stories, the timeline of its most named entity and that entity's profile.
# The full records are left in demo/records.jsonl.
set -euo pipefail
bin=${1:-build/newsgraph}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$here/demo"
mkdir -p "$out"
echo "== newsgraph analyze examples/ (records in demo/records.jsonl)"
status=0
"$bin" analyze -j 2 "$here/examples" > "$out/records.jsonl" || status=$?
python3 - "$out/records.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
def day(r):
    p = r.get("published")
    return (p or {}).get("value", "")[:10] if isinstance(p, dict) else ""
print()
print("%-28s %-4s %-10s %-9s %5s  %s" % ("article", "lang", "published", "agencies", "sents", "title"))
for r in sorted(recs, key=day):
    print("%-28s %-4s %-10s %-9s %5d  %s" % (r["doc"][-28:], r.get("lang") or "?", day(r) or "-",
          ",".join(r.get("agencies") or []) or "-", len(r.get("sentences") or []), (r.get("title") or "")[:60]))
print()
print("timeline (by publication date):")
for r in sorted(recs, key=day):
    text = " ".join((r.get("text") or "").split())
    print("  %s  [%s] %s" % (day(r) or "????-??-??", r.get("lang") or "?", text[:110] + ("..." if len(text) > 110 else "")))
ents = {}
for r in recs:
    for e in r.get("entities") or []:
        key = (e.get("type"), e.get("name"))
        ents.setdefault(key, set()).add(r["doc"])
if ents:
    print()
    print("entities named in more than one article (type, name, articles):")
    for (t, n), docs in sorted(ents.items(), key=lambda kv: (-len(kv[1]), kv[0][1] or "")):
        if len(docs) > 1:
            print("  %-5s %-40s %d" % (t, n, len(docs)))
PY
echo
echo "== newsgraph ingest --db demo/kb.db examples/ (the knowledge base: entities linked across articles and languages, stories)"
rm -f "$out/kb.db" "$out/kb.db-wal" "$out/kb.db-shm"
"$bin" ingest -q --db "$out/kb.db" "$here/examples" || status=$?
echo
echo "== newsgraph events --db demo/kb.db (CAMEO events, each with the articles that report it)"
"$bin" events --db "$out/kb.db" --limit 30 || status=$?
echo
echo "== newsgraph stories --db demo/kb.db"
"$bin" stories --db "$out/kb.db" || status=$?
# the most named person of the largest story
who=$("$bin" stories --db "$out/kb.db" --json --limit 1 | python3 -c '
import json, sys
s = json.load(sys.stdin)
s = s[0] if isinstance(s, list) and s else (s.get("stories") or [{}])[0] if isinstance(s, dict) else {}
label = s.get("label") or ""
print(label.split(",")[0].strip())' 2>/dev/null || true)
if [[ -n "$who" ]]; then
  echo
  echo "== newsgraph timeline --db demo/kb.db \"$who\""
  "$bin" timeline --db "$out/kb.db" "$who" || status=$?
  echo
  echo "== newsgraph entity --db demo/kb.db \"$who\""
  "$bin" entity --db "$out/kb.db" "$who" | head -n 25 || status=$?
fi
exit $status
