#!/bin/bash
# tests/kb/run.sh — the knowledge base through the command line: ingest,
# re-ingest (a no-op), kill -9 in the middle then rerun (finishes, nothing
# lost or doubled), export is valid JSON with the contract's members, events
# merged across articles (examples/ and tests/kb/events), the events query,
# csv and graphml exports, usage errors exit 2, a base of schema 4 migrated.
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

# schema 5 folded the mentions table into doc_entities (start, stop, spans), schema 6 gave
# titles their entity: a base of schema 4 (this one taken back: the mentions table made
# again from the packed spans, titles.entity dropped) is migrated when opened and answers
# as before
cp "$TMP/a.db" "$TMP/m.db"
python3 - "$TMP/m.db" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
def spans(s, e, blob):
    out, i, cur = [(s, e)], 0, s
    vals = []
    while blob and i < len(blob):
        x = sh = 0
        while True:
            c = blob[i]; i += 1; x |= (c & 0x7f) << sh; sh += 7
            if not c & 0x80: break
        vals.append(x)
    for k in range(0, len(vals), 2):
        cur += vals[k]; z = vals[k + 1]
        out.append((cur, cur + (-((z + 1) >> 1) if z & 1 else z >> 1)))
    return out
rows = [(d, l, a, b) for d, l, s, e, blob in con.execute(
    "SELECT doc, local, start, stop, spans FROM doc_entities WHERE start IS NOT NULL") for a, b in spans(s, e, blob)]
assert any(1 for d, l, s, e, blob in con.execute("SELECT doc, local, start, stop, spans FROM doc_entities") if blob)
con.executescript("""
CREATE TABLE mentions(doc INTEGER NOT NULL, local INTEGER NOT NULL, start INTEGER NOT NULL,
  stop INTEGER NOT NULL, PRIMARY KEY(doc, local, start, stop)) WITHOUT ROWID;
ALTER TABLE doc_entities DROP COLUMN start; ALTER TABLE doc_entities DROP COLUMN stop;
ALTER TABLE doc_entities DROP COLUMN spans;
DROP TABLE quotes_fts; CREATE VIRTUAL TABLE quotes_fts USING fts5(text, content='', detail=none);
DROP INDEX titles_entity; ALTER TABLE titles DROP COLUMN entity; DROP INDEX documents_id_day;
PRAGMA user_version=4;""")
con.executemany("INSERT INTO mentions VALUES(?,?,?,?)", rows)
con.commit()
PY
check "a schema 4 copy made (mentions unpacked: some entities named more than once)" $?
for q in "timeline Parly" "entity Parly" "timeline Barkhane"; do
    "$BIN" $q --db "$TMP/a.db" --json > "$TMP/q5.json" && "$BIN" $q --db "$TMP/m.db" --json > "$TMP/q4.json" &&
        cmp -s "$TMP/q5.json" "$TMP/q4.json"
    check "schema 4 migrated: '$q' answers as a new base" $?
done
python3 - "$TMP/m.db" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
assert con.execute("PRAGMA user_version").fetchone()[0] == 7
assert con.execute("SELECT count(*) FROM titles WHERE entity IS NOT NULL").fetchone()[0] > 0
assert not con.execute("SELECT 1 FROM sqlite_master WHERE name='mentions'").fetchall()
got = [(d, l, s, e, b) for d, l, s, e, b in con.execute("SELECT doc, local, start, stop, spans FROM doc_entities")]
new = sqlite3.connect(sys.argv[1].replace("m.db", "a.db"))
assert got == list(new.execute("SELECT doc, local, start, stop, spans FROM doc_entities")), "packed differently"
PY
check "schema 4 migrated: the mentions packed as ingest packs them, the table dropped" $?
"$BIN" export --db "$TMP/m.db" | cmp -s - "$TMP/a.json"
check "schema 4 migrated: the same export" $?

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

python3 - "$TMP/k2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
docs = {x["doc"] for x in d["documents"]}
for e in d["events"]:
    assert e["reports"] and set(e["docs"]) <= docs, e
PY
check "after kill -9 and rerun: every event has its reports, all of stored articles" $?

# ---- events merged across articles: examples/ plus three articles (en, fr)
# telling one meeting, one of them with the two ministers the other way round
"$BIN" ingest -q --db "$TMP/e.db" "$SRC/examples" "$SRC/tests/kb/events"
check "ingest of examples/ and tests/kb/events exits 0" $?
"$BIN" export --db "$TMP/e.db" > "$TMP/e.json"
python3 - "$TMP/e.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ev, ents = d["events"], {e["id"]: e for e in d["entities"]}
docs = {x["doc"] for x in d["documents"]}
assert ev, "no events"
for e in ev:
    for k in ("id", "code", "source", "target", "date", "docs", "source_actor", "target_actor", "quad",
              "goldstein", "location", "reports"):
        assert k in e, (k, e)
    assert e["docs"] and set(e["docs"]) <= docs, e
    assert len(e["docs"]) == len(set(e["docs"])), e["docs"]
    assert e["source"] is None or e["source"] in ents, e
    assert e["target"] is None or e["target"] in ents, e
    assert {r["doc"] for r in e["reports"]} == set(e["docs"]), e
    # the merged event keeps the longest code of its reports and their earliest date
    assert len(e["code"]) == max(len(r["code"]) for r in e["reports"]), e
    assert all(r["code"][:2] == e["code"][:2] for r in e["reports"]), e
    dated = [r["date"][:10] for r in e["reports"] if r["date"] and r["date"][:4].isdigit()]
    if dated and e["date"]:
        assert e["date"] <= min(dated), e
fixture = {"meet-en.txt", "rencontre-fr.txt", "albrecht-en.txt"}
m = [e for e in ev if len(fixture & {x.split("/")[-1] for x in e["docs"]}) >= 2]
assert len(m) == 1, [(e["code"], e["docs"]) for e in ev]
m = m[0]
assert m["code"][:2] == "04", m
names = {ents[m["source"]]["name"], ents[m["target"]]["name"]}
assert any("Marchand" in n for n in names) and any("Albrecht" in n for n in names), names
PY
check "export: events well formed; the meeting is one event reported by several articles" $?
"$BIN" ingest -q --db "$TMP/e.db" "$SRC/examples" "$SRC/tests/kb/events"
"$BIN" export --db "$TMP/e.db" > "$TMP/e2.json"
cmp -s "$TMP/e.json" "$TMP/e2.json"
check "re-ingest adds no event and no report" $?
"$BIN" events --db "$TMP/e.db" --json --entity Marchand --code 04 > "$TMP/q.json"
python3 - "$TMP/q.json" "$TMP/e.json" <<'PY'
import json, sys
q, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
marchand = [e["id"] for e in d["entities"] if "Marchand" in e["name"]]
assert q and all(e["code"].startswith("04") for e in q), q
assert all(e["source"] in marchand or e["target"] in marchand for e in q), q
assert any(len(e["docs"]) >= 2 for e in q), q
days = [(e["date"] is None, e["date"] or "") for e in q]
assert days == sorted(days), days
assert all(r["text"] for e in q for r in e["reports"]), q
PY
check "events --entity Marchand --code 04: her consultations, oldest first, with their sentences" $?
"$BIN" events --db "$TMP/e.db" > "$TMP/q.txt" && [ -s "$TMP/q.txt" ]
check "events prints a table" $?
"$BIN" events --db "$TMP/e.db" --code 4x 2> "$TMP/q.err"
[ $? -eq 1 ] && [ "$(wc -l < "$TMP/q.err")" = 1 ]
check "events --code 4x: exit 1, one line" $?
"$BIN" events --db "$TMP/e.db" --entity "Nobody Known" 2> /dev/null
[ $? -eq 1 ]
check "events --entity of an unknown name: exit 1" $?
"$BIN" entity --db "$TMP/e.db" --json Albrecht | python3 -c 'import json,sys; assert json.load(sys.stdin)["events"]'
check "entity profile lists the entity's events" $?

# ---- export --format csv and graphml
"$BIN" export --db "$TMP/e.db" --format csv --out "$TMP/csv" &&
    "$BIN" export --db "$TMP/e.db" --format csv > "$TMP/events-stdout.csv"
check "export --format csv exits 0" $?
python3 - "$TMP/csv" "$TMP/e.json" "$TMP/events-stdout.csv" <<'PY'
import csv, json, sys, os
d = json.load(open(sys.argv[2]))
def rows(name):
    with open(os.path.join(sys.argv[1], name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
assert len(rows("documents.csv")) == len(d["documents"])
assert len(rows("entities.csv")) == len(d["entities"])
assert len(rows("stories.csv")) == len(d["stories"])
ev = rows("events.csv")
assert len(ev) == len(d["events"])
assert len(rows("event_reports.csv")) == sum(len(e["reports"]) for e in d["events"])
for r, e in zip(ev, d["events"]):
    assert r["code"] == e["code"] and int(r["ndocs"]) == len(e["docs"]) and r["date"] == (e["date"] or ""), (r, e)
    assert r["root"] == e["code"][:2]
titles = {x["doc"]: x["title"] or "" for x in d["documents"]}
for r in rows("documents.csv"):
    assert r["title"] == titles[r["doc"]], r  # commas and quotes in titles survive
with open(os.path.join(sys.argv[1], "events.csv"), "rb") as a, open(sys.argv[3], "rb") as b:
    assert a.read() == b.read()
PY
check "csv: five tables that python's csv reads back, matching the JSON export; events.csv on stdout without --out" $?
"$BIN" export --db "$TMP/e.db" --format graphml > "$TMP/g.graphml"
check "export --format graphml exits 0" $?
python3 - "$TMP/g.graphml" "$TMP/e.json" <<'PY'
import json, sys
from xml.dom import minidom
g = minidom.parse(sys.argv[1])
d = json.load(open(sys.argv[2]))
nodes = {n.getAttribute("id") for n in g.getElementsByTagName("node")}
assert len(nodes) == len(d["entities"])
edges = g.getElementsByTagName("edge")
pairs = [(e.getAttribute("source"), e.getAttribute("target")) for e in edges]
assert len(pairs) == len(set(pairs)) and all(a in nodes and b in nodes for a, b in pairs)
def data(e, k):
    return [x.firstChild.data if x.firstChild else "" for x in e.getElementsByTagName("data") if x.getAttribute("key") == k][0]
weight = sum(float(data(e, "weight")) for e in edges)
assert weight == sum(1 for e in d["events"] if e["source"] and e["target"]), weight
assert weight >= 1
names = sorted(data(n, "label") for n in g.getElementsByTagName("node"))
assert names == sorted(e["name"] for e in d["entities"])
PY
check "graphml: valid XML, one node per entity, edges weighted by events" $?
# names that need escaping in XML and quoting in CSV
printf 'Smith & Wesson <Holdings>, "the gunmaker", met Ruger & Co officials in Boston on 3 May 2023.\nSmith & Wesson said Ruger & Co agreed.\n' > "$TMP/amp.txt"
"$BIN" ingest -q --db "$TMP/amp.db" "$TMP/amp.txt" && "$BIN" export --db "$TMP/amp.db" --format graphml > "$TMP/amp.graphml" &&
    python3 -c 'import sys; from xml.dom import minidom; minidom.parse(sys.argv[1])' "$TMP/amp.graphml" &&
    "$BIN" export --db "$TMP/amp.db" --format csv --out "$TMP/ampcsv" &&
    python3 -c 'import csv,sys; [list(csv.reader(open(sys.argv[1]+"/"+f, newline=""))) for f in ("documents.csv","entities.csv")]' "$TMP/ampcsv"
check "names with & < > and quotes: graphml parses, csv reads back" $?
"$BIN" export --db "$TMP/e.db" --format xml 2> /dev/null
[ $? -eq 2 ]
check "export --format xml: usage error" $?

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
