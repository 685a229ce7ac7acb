#!/bin/bash
# tests/kb/run.sh — the knowledge base through the command line: ingest,
# re-ingest (a no-op), kill -9 in the middle then rerun (finishes, nothing
# lost or doubled), export is valid JSON with the contract's members, usage
# errors exit 2.
# Usage: run.sh path/to/newsgraph
set -u
BIN=${1:?usage: run.sh path/to/newsgraph}
SRC=${NG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
check() { # check NAME CONDITION-EXIT-STATUS
    if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}

# a corpus of small articles that differ, in two languages
mkdir -p "$TMP/in"
for i in $(seq 1 60); do
    if [ $((i % 2)) -eq 0 ]; then
        printf 'Minister Florence Parly met Mark Esper in Washington on talk %d.\nParly said the talks on Operation Barkhane in Mali went well, number %d.\n' "$i" "$i" > "$TMP/in/en_$i.txt"
    else
        printf "La ministre Florence Parly a rencontré Jim Mattis à Paris, réunion %d.\nLes États-Unis soutiennent l'opération Barkhane au Mali, dit-elle (%d).\n" "$i" "$i" > "$TMP/in/fr_$i.txt"
    fi
done
# one duplicate of another's text under a new name
cp "$TMP/in/en_2.txt" "$TMP/in/zz_copy.txt"

count() { # documents in an export
    python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["documents"]))' "$1"
}

"$BIN" ingest -q --db "$TMP/a.db" "$TMP/in" 2> "$TMP/err"
check "ingest exits 0" $?
"$BIN" export --db "$TMP/a.db" > "$TMP/a.json"
check "export exits 0" $?
python3 - "$TMP/a.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("documents", "entities", "stories", "events"):
    assert isinstance(d[k], list), k
assert len(d["documents"]) == 60, len(d["documents"])
for doc in d["documents"]:
    assert set(("doc", "lang", "published", "story")) <= set(doc), doc
    assert doc["story"] is not None
for e in d["entities"]:
    assert set(("id", "type", "name", "aliases", "docs")) <= set(e), e
names = {e["name"]: e for e in d["entities"]}
parly = [e for e in d["entities"] if "Parly" in e["name"]]
# the tagger decides what is a name; linking must at least join the English half
assert parly and max(len(e["docs"]) for e in parly) >= 25, [(e["name"], len(e["docs"])) for e in parly]
PY
check "export: contract members, 60 documents (duplicate text skipped), Parly linked" $?

"$BIN" ingest -q --db "$TMP/a.db" "$TMP/in"
check "re-ingest exits 0" $?
"$BIN" export --db "$TMP/a.db" > "$TMP/b.json"
cmp -s "$TMP/a.json" "$TMP/b.json"
check "re-ingest is a no-op (same export)" $?

# -j 3 gives the same base as -j 1
"$BIN" ingest -q -j 3 --db "$TMP/j.db" "$TMP/in"
"$BIN" export --db "$TMP/j.db" > "$TMP/j.json"
cmp -s "$TMP/a.json" "$TMP/j.json"
check "ingest -j 3 gives the same export as -j 1" $?

# kill -9 in the middle (small batches so that some are committed), then rerun
mkdir -p "$TMP/big"
for i in $(seq 1 400); do
    printf 'Report %d: officials in Paris and Washington discussed topic %d with NATO.\nThe talks on subject %d went on.\n' "$i" "$i" "$i" > "$TMP/big/a_$i.txt"
done
"$BIN" ingest -q --batch 10 --db "$TMP/k.db" "$TMP/big" &
pid=$!
sleep 0.4
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
"$BIN" export --db "$TMP/k.db" > "$TMP/k1.json" 2>/dev/null || echo '{"documents":[]}' > "$TMP/k1.json"
n1=$(count "$TMP/k1.json")
"$BIN" ingest -q --db "$TMP/k.db" "$TMP/big"
check "rerun after kill -9 exits 0" $?
"$BIN" export --db "$TMP/k.db" > "$TMP/k2.json"
n2=$(count "$TMP/k2.json")
python3 - "$TMP/k2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = [x["doc"] for x in d["documents"]]
assert len(names) == 400 and len(set(names)) == 400, (len(names), len(set(names)))
PY
check "after kill -9 ($n1 stored) and rerun: all 400, none twice" $?

# usage errors and failures
"$BIN" ingest "$TMP/in" 2>/dev/null
[ $? -eq 2 ]; check "ingest without --db exits 2" $?
"$BIN" ingest --db "$TMP/x.db" 2>/dev/null
[ $? -eq 2 ]; check "ingest without input exits 2" $?
"$BIN" export --db "$TMP/none.db" 2>/dev/null
[ $? -eq 1 ]; check "export of a missing base exits 1" $?
[ ! -e "$TMP/none.db" ]; check "export does not create a base" $?
# (tests/kb/pg.sh tests the PostgreSQL backend against a real server)
"$BIN" ingest -q --db postgresql://127.0.0.1:1/x "$TMP/in" 2> "$TMP/pg.err"
[ $? -eq 1 ] && grep -q "PostgreSQL" "$TMP/pg.err"; check "a postgresql:// base that cannot be reached fails clearly" $?
printf 'not a database, just text\n' > "$TMP/bad.db"
"$BIN" export --db "$TMP/bad.db" > /dev/null 2> "$TMP/bad.err"
[ $? -eq 1 ] && grep -q "bad.db" "$TMP/bad.err"; check "a file that is not a base fails with a message" $?
# a refused article does not stop the others
printf '\x00\x01\x02binary' > "$TMP/in/zz_binary.txt"
"$BIN" ingest -q --db "$TMP/r.db" "$TMP/in" 2> "$TMP/r.err"
[ $? -eq 1 ] && grep -q "zz_binary" "$TMP/r.err"; check "a refused article: exit 1, message names it" $?
[ "$("$BIN" export --db "$TMP/r.db" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["documents"]))')" = 60 ]
check "the others are stored" $?

exit $fail
