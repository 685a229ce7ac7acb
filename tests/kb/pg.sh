#!/bin/bash
# tests/kb/pg.sh — the knowledge base's PostgreSQL backend against a real
# server started here: initdb in a temporary folder (as an unprivileged user
# when run as root), pg_ctl start on a free loopback port with its socket in
# that folder, one database per check; stopped and removed on exit.
#
# Checks: the same ingest into SQLite and PostgreSQL gives the same export
# (row ids aside; byte for byte for the events of examples/ and
# tests/kb/events, with their csv and graphml forms) and the same query
# answers (events included); re-ingest is a no-op; -j 3 =
# -j 1; kill -9 in the middle then rerun stores everything once; 4 ingest
# processes at once over overlapping inputs store every article once; bad
# URLs fail with one clear line; a base of schema 4 is migrated.
#
# Prints "SKIPPED: ..." and exits 0 when no PostgreSQL server can be found
# or started (ctest reports the test as skipped).  NG_PG_BIN names the
# folder of initdb and pg_ctl when they are not on the PATH or under
# /usr/lib/postgresql/*/bin.
# Usage: pg.sh path/to/newsgraph
set -u
BIN=${1:?usage: pg.sh path/to/newsgraph}
[ -x "$BIN" ] || { echo "FAIL $BIN is not a program"; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
skip() {
    echo "SKIPPED: $*"
    exit 0
}

# ---- the server ---------------------------------------------------------------
# NG_PG_BIN: the folder of initdb and pg_ctl, when not found by themselves
PGBIN=${NG_PG_BIN:-}
if [ -n "$PGBIN" ]; then
    [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] || skip "no initdb and pg_ctl in NG_PG_BIN=$PGBIN"
elif command -v pg_ctl > /dev/null && command -v initdb > /dev/null; then
    PGBIN=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
else
    for d in $(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -t/ -k5 -n -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { PGBIN=$d; break; }
    done
fi
[ -n "$PGBIN" ] || skip "PostgreSQL server programs (initdb, pg_ctl) not found; install Debian's postgresql (make deps)"
PSQL=$PGBIN/psql
[ -x "$PSQL" ] || PSQL=$(command -v psql) || skip "psql not found"
command -v python3 > /dev/null || skip "python3 not found"

TMP=$(mktemp -d)
PGDIR=$TMP/pg
started=0
cleanup() {
    if [ $started = 1 ]; then
        as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop > /dev/null 2>&1
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p "$PGDIR"

# PostgreSQL refuses to run as root: then run it as an unprivileged user
if [ "$(id -u)" -eq 0 ]; then
    PGUSER_OS=nobody
    id -u "$PGUSER_OS" > /dev/null 2>&1 || skip "running as root and no 'nobody' user to run PostgreSQL as"
    chmod 755 "$TMP"
    chown "$PGUSER_OS" "$PGDIR"
    if command -v runuser > /dev/null; then
        as_pg() { runuser -u "$PGUSER_OS" -- "$@"; }
    else
        as_pg() { su -s /bin/sh "$PGUSER_OS" -c "$(printf '%q ' "$@")"; }
    fi
else
    as_pg() { "$@"; }
fi

as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U ng --auth=trust -E UTF8 --no-locale -N > "$TMP/initdb.log" 2>&1 ||
    skip "initdb failed: $(tail -n 1 "$TMP/initdb.log")"
for attempt in 1 2 3; do
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    if as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 \
        -o "-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" \
        start > /dev/null 2>&1; then
        started=1
        break
    fi
done
[ $started = 1 ] || skip "the PostgreSQL server did not start: $(tail -n 1 "$PGDIR/log" 2> /dev/null)"
echo "server: $("$PGBIN/postgres" --version) on 127.0.0.1:$PORT"

newdb() { # newdb NAME: creates a database and prints its URL
    "$PSQL" -q -h 127.0.0.1 -p "$PORT" -U ng -d postgres -c "CREATE DATABASE $1" > /dev/null || exit 1
    echo "postgresql://ng@127.0.0.1:$PORT/$1"
}
sql() { # sql DB QUERY: one value
    "$PSQL" -qAt -h 127.0.0.1 -p "$PORT" -U ng -d "$1" -c "$2"
}

fail=0
check() { # check NAME CONDITION-EXIT-STATUS
    if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
count() { # documents in an export
    python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["documents"]))' "$1"
}
# same_kb A B: two exports are the same base, row ids aside (entities and
# stories renumbered in order of first appearance)
same_kb() {
    python3 - "$1" "$2" <<'PY'
import json, sys
def canon(path):
    d = json.load(open(path))
    ents = {e["id"]: i for i, e in enumerate(d["entities"])}
    stories = {}
    for doc in d["documents"]:
        if doc["story"] is not None:
            stories.setdefault(doc["story"], len(stories))
    for doc in d["documents"]:
        doc["story"] = stories.get(doc["story"])
    for e in d["entities"]:
        e["id"] = ents[e["id"]]
    for s in d["stories"]:
        s["id"] = stories.get(s["id"])
    d["stories"].sort(key=lambda s: (s["id"] is None, s["id"]))
    return d
a, b = canon(sys.argv[1]), canon(sys.argv[2])
for k in ("documents", "entities", "stories", "events"):
    if a[k] != b[k]:
        x = [(i, p, q) for i, (p, q) in enumerate(zip(a[k], b[k])) if p != q][:1]
        sys.exit("%s differ (%d vs %d rows), first: %s" % (k, len(a[k]), len(b[k]), x))
PY
}

# ---- the same corpus as run.sh: two languages, one duplicate text -------------
mkdir -p "$TMP/in"
for i in $(seq 1 60); do
    if [ $((i % 2)) -eq 0 ]; then
        printf 'Minister Florence Parly met Mark Esper in Washington on talk %d.\nParly said the talks on Operation Barkhane in Mali went well, number %d.\n' "$i" "$i" > "$TMP/in/en_$i.txt"
    else
        printf "La ministre Florence Parly a rencontré Jim Mattis à Paris, réunion %d.\nLes États-Unis soutiennent l'opération Barkhane au Mali, dit-elle (%d).\n" "$i" "$i" > "$TMP/in/fr_$i.txt"
    fi
done
cp "$TMP/in/en_2.txt" "$TMP/in/zz_copy.txt"
printf '"We will stay in Mali," Parly said on Monday.\nThe French minister added that Barkhane would go on.\n' > "$TMP/in/quote_1.txt"

A=$(newdb a) || exit 1
"$BIN" ingest -q --db "$A" "$TMP/in" 2> "$TMP/err"
check "ingest into PostgreSQL exits 0" $?
"$BIN" export --db "$A" > "$TMP/a.json"
check "export exits 0" $?
[ "$(count "$TMP/a.json")" = 61 ]
check "61 documents (the duplicate text skipped)" $?
"$BIN" ingest -q --db "$TMP/a.db" "$TMP/in" && "$BIN" export --db "$TMP/a.db" > "$TMP/a-sqlite.json"
same_kb "$TMP/a.json" "$TMP/a-sqlite.json"
check "SQLite and PostgreSQL give the same export (row ids aside)" $?

# the queries answer the same in both backends
while read -r -a q; do
    "$BIN" "${q[0]}" --json --db "$A" "${q[@]:1}" > "$TMP/q-pg.json" 2>&1
    r1=$?
    "$BIN" "${q[0]}" --json --db "$TMP/a.db" "${q[@]:1}" > "$TMP/q-sq.json" 2>&1
    [ $r1 -eq 0 ] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/q-pg.json" &&
        cmp -s "$TMP/q-pg.json" "$TMP/q-sq.json"
    check "'${q[*]}' answers the same" $?
done <<'EOF'
timeline Parly
entity Parly
entity Etats-Unis
stories
quotes
quotes --by Parly
timeline --story 1
events
events --entity Parly
events --code 04
EOF
# events merged across articles: examples/ and three reports of one meeting;
# the same ids in both backends, so the exports are the same bytes
SRC=$(cd "$(dirname "$0")/../.." && pwd)
E=$(newdb e) || exit 1
"$BIN" ingest -q --db "$E" "$SRC/examples" "$SRC/tests/kb/events" && "$BIN" export --db "$E" > "$TMP/e-pg.json"
check "ingest of examples/ and tests/kb/events into PostgreSQL exits 0" $?
"$BIN" ingest -q --db "$TMP/e.db" "$SRC/examples" "$SRC/tests/kb/events" && "$BIN" export --db "$TMP/e.db" > "$TMP/e-sq.json"
cmp -s "$TMP/e-pg.json" "$TMP/e-sq.json"
check "events: SQLite and PostgreSQL give the same export, byte for byte" $?
python3 - "$TMP/e-pg.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert any(len(e["docs"]) >= 2 for e in d["events"]), [e["docs"] for e in d["events"]]
PY
check "events: one event reported by several articles" $?
for q in "events" "events --entity Marchand --code 04" "entity Albrecht"; do
    # shellcheck disable=SC2086
    "$BIN" $q --json --db "$E" > "$TMP/eq-pg.json" && "$BIN" $q --json --db "$TMP/e.db" > "$TMP/eq-sq.json" &&
        cmp -s "$TMP/eq-pg.json" "$TMP/eq-sq.json"
    check "'$q' answers the same" $?
done
for f in csv graphml; do
    "$BIN" export --format $f --db "$E" > "$TMP/x-pg" && "$BIN" export --format $f --db "$TMP/e.db" > "$TMP/x-sq" &&
        cmp -s "$TMP/x-pg" "$TMP/x-sq"
    check "export --format $f: the same in both backends" $?
done
"$BIN" ingest -q --db "$E" "$SRC/examples" "$SRC/tests/kb/events" && "$BIN" export --db "$E" > "$TMP/e-pg2.json" &&
    cmp -s "$TMP/e-pg.json" "$TMP/e-pg2.json"
check "events: re-ingest adds nothing" $?

# full-text search: the same articles (the ranking functions differ)
for q in 'Barkhane' 'etats' 'Parly AND Esper' '"Operation Barkhane"' 'Mattis OR Esper' 'Barkhane NOT Esper' 'reun*'; do
    "$BIN" search --json --limit 1000 --db "$A" "$q" > "$TMP/s-pg.json" &&
        "$BIN" search --json --limit 1000 --db "$TMP/a.db" "$q" > "$TMP/s-sq.json" &&
        python3 - "$TMP/s-pg.json" "$TMP/s-sq.json" <<'PY'
import json, sys
a, b = (sorted(r["doc"] for r in json.load(open(p))) for p in sys.argv[1:])
assert a and a == b, (len(a), len(b))
PY
    check "search '$q' finds the same articles" $?
done
"$BIN" search --db "$A" 'Parly AND' > /dev/null 2> "$TMP/s.err"
[ $? -eq 1 ] && [ "$(wc -l < "$TMP/s.err")" = 1 ]
check "a bad search fails with one line" $?

"$BIN" ingest -q --db "$A" "$TMP/in"
check "re-ingest exits 0" $?
"$BIN" export --db "$A" > "$TMP/b.json"
cmp -s "$TMP/a.json" "$TMP/b.json"
check "re-ingest is a no-op (same export)" $?

J=$(newdb j) || exit 1
"$BIN" ingest -q -j 3 --db "$J" "$TMP/in" && "$BIN" export --db "$J" > "$TMP/j.json"
cmp -s "$TMP/a.json" "$TMP/j.json"
check "ingest -j 3 gives the same export as -j 1" $?

# ---- kill -9 in the middle (small batches so that some are committed), rerun --
mkdir -p "$TMP/big"
for i in $(seq 1 400); do
    printf 'Report %d: officials in Paris and Washington discussed topic %d with NATO.\nThe talks on subject %d went on.\n' "$i" "$i" "$i" > "$TMP/big/a_$i.txt"
done
K=$(newdb k) || exit 1
"$BIN" ingest -q --batch 10 --db "$K" "$TMP/big" &
pid=$!
for _ in $(seq 1 100); do # until a few batches are in (at most 10 s)
    n=$(sql k "SELECT count(*) FROM documents" 2> /dev/null || echo 0)
    [ "${n:-0}" -ge 30 ] && break
    sleep 0.1
done
kill -9 $pid 2> /dev/null
wait $pid 2> /dev/null
n1=$(sql k "SELECT count(*) FROM documents")
[ "$(sql k "SELECT count(*) FROM documents WHERE story IS NULL")" = 0 ]
check "after kill -9: $n1 documents, each in a story (no half-stored batch)" $?
"$BIN" ingest -q --db "$K" "$TMP/big"
check "rerun after kill -9 exits 0" $?
"$BIN" export --db "$K" > "$TMP/k2.json"
python3 - "$TMP/k2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = [x["doc"] for x in d["documents"]]
assert len(names) == 400 and len(set(names)) == 400, (len(names), len(set(names)))
PY
check "after kill -9 and rerun: all 400, none twice" $?

# ---- 4 ingest processes at once over overlapping inputs ----------------------
# 300 articles; process i gets a window of 150 of them, windows overlap, and
# each set also holds copies of other sets' texts under new names
mkdir -p "$TMP/c1" "$TMP/c2" "$TMP/c3" "$TMP/c4"
for i in $(seq 1 300); do
    printf 'Briefing %d: Florence Parly and Lloyd Austin spoke about NATO and Mali, item %d.\n' "$i" "$i" > "$TMP/t_$i.txt"
    for p in 1 2 3 4; do
        lo=$(((p - 1) * 50 + 1))
        hi=$((lo + 149))
        [ $i -ge $lo ] && [ $i -le $hi ] && cp "$TMP/t_$i.txt" "$TMP/c$p/b_$i.txt"
    done
done
cp "$TMP/t_10.txt" "$TMP/c4/copy_of_10.txt"   # a text c1 also has, under another name
cp "$TMP/t_290.txt" "$TMP/c1/copy_of_290.txt" # and one of c4's
C=$(newdb c) || exit 1
pids=""
for p in 1 2 3 4; do
    "$BIN" ingest -q --batch 7 --db "$C" "$TMP/c$p" 2> "$TMP/c$p.err" &
    pids="$pids $!"
done
rcs=0
for pid in $pids; do wait "$pid" || rcs=1; done
[ $rcs = 0 ]
check "4 concurrent ingests exit 0" $?
"$BIN" export --db "$C" > "$TMP/c.json"
python3 - "$TMP/c.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
docs = d["documents"]
texts = {}
for x in docs:
    n = x["doc"]
    key = n.split("/")[-1].replace("copy_of_", "b_")
    texts.setdefault(key, []).append(n)
assert len(texts) == 300, ("distinct texts", len(texts))
dups = {k: v for k, v in texts.items() if len(v) > 1}
assert not dups, ("stored twice", list(dups.items())[:3])
assert len(docs) == 300, len(docs)
assert all(x["story"] is not None for x in docs)
ids = [e["id"] for e in d["entities"]]
assert len(ids) == len(set(ids))
stored = {x["doc"] for x in docs}
for e in d["entities"]:
    assert set(e["docs"]) <= stored
assert sum(len(s["docs"]) for s in d["stories"]) == 300
parly = [e for e in d["entities"] if e["name"].endswith("Parly")]
assert len(parly) == 1 and len(parly[0]["docs"]) >= 250, [(e["name"], len(e["docs"])) for e in parly]
PY
check "4 concurrent ingests: 300 articles, none twice, none lost, one Parly" $?
[ "$(sql c "SELECT count(*) FROM documents") $(sql c "SELECT count(DISTINCT hash) FROM documents") $(sql c "SELECT max(id) FROM documents")" = "300 300 300" ]
check "the documents table: 300 rows, 300 hashes, ids 1..300" $?
[ "$(sql c "SELECT sum(ndocs) FROM stories")" = 300 ] &&
    [ "$(sql c "SELECT count(*) FROM doc_entities de LEFT JOIN documents d ON d.id=de.doc WHERE d.id IS NULL")" = 0 ]
check "stories count every article once; no entity row without its article" $?
"$BIN" ingest --db "$C" "$TMP/c1" "$TMP/c2" "$TMP/c3" "$TMP/c4" 2> "$TMP/c.err"
grep -q "0 articles added" "$TMP/c.err"
check "ingesting all four sets again adds nothing" $?

# ---- failures ------------------------------------------------------------------
"$BIN" ingest -q --db "postgresql://ng@127.0.0.1:1/x" "$TMP/in" 2> "$TMP/bad.err"
[ $? -eq 1 ] && grep -q "PostgreSQL" "$TMP/bad.err" && [ "$(wc -l < "$TMP/bad.err")" = 1 ]
check "a server that is not there: exit 1, one line naming PostgreSQL" $?
"$BIN" export --db "postgresql://ng@127.0.0.1:$PORT/nosuchdb" > /dev/null 2> "$TMP/bad.err"
[ $? -eq 1 ] && grep -q "nosuchdb" "$TMP/bad.err"
check "a database that does not exist: exit 1 with a message" $?
"$BIN" export --db "postgresql://[broken" > /dev/null 2> "$TMP/bad.err"
[ $? -eq 1 ] && [ "$(wc -l < "$TMP/bad.err")" = 1 ]
check "a malformed URL: exit 1, one line" $?
O=$(newdb other) || exit 1
sql other "CREATE TABLE documents(x int)" > /dev/null
"$BIN" export --db "$O" > /dev/null 2> "$TMP/bad.err"
[ $? -eq 1 ] && grep -q "not a newsgraph base" "$TMP/bad.err"
check "a database holding other tables is refused" $?
# schema 5 folded the mentions table into doc_entities (start, stop, spans), schema 6 gave
# titles their entity: a base taken back to schema 4 (the mentions table made again from the packed spans) is migrated when
# opened and answers as before, its mentions packed as ingest packs them
M=$(newdb m) || exit 1
"$BIN" ingest -q --db "$M" "$TMP/in" 2> /dev/null
for q in "timeline Parly" "entity Parly"; do "$BIN" $q --db "$M" --json > "$TMP/m5 $q.json"; done
PACKED="SELECT doc, local, start, stop, encode(spans, 'hex') FROM doc_entities ORDER BY doc, local"
sql m "$PACKED" > "$TMP/m5.packed"
python3 - "$TMP/m5.packed" > "$TMP/m4.sql" <<'PY'
import sys
print("BEGIN; CREATE TABLE mentions(doc bigint NOT NULL, local integer NOT NULL, start bigint NOT NULL,"
      " stop bigint NOT NULL, PRIMARY KEY(doc, local, start, stop));")
rows = 0
for line in open(sys.argv[1]):
    doc, local, s, e, hx = line.rstrip("\n").split("|")
    if not s:
        continue
    cur, out, b, i = int(s), [(int(s), int(e))], bytes.fromhex(hx), 0
    vals = []
    while i < len(b):
        x = sh = 0
        while True:
            c = b[i]; i += 1; x |= (c & 0x7f) << sh; sh += 7
            if not c & 0x80: break
        vals.append(x)
    for k in range(0, len(vals), 2):
        cur += vals[k]; z = vals[k + 1]
        out.append((cur, cur + (-((z + 1) >> 1) if z & 1 else z >> 1)))
    rows += len(out) > 1
    for a, c in out:
        print("INSERT INTO mentions VALUES(%s, %s, %d, %d);" % (doc, local, a, c))
assert rows, "no entity named twice in one article"
print("ALTER TABLE doc_entities DROP COLUMN start, DROP COLUMN stop, DROP COLUMN spans;")
print("DROP INDEX titles_entity; ALTER TABLE titles DROP COLUMN entity; DROP INDEX documents_id_day;")
print("UPDATE newsgraph_meta SET value=4 WHERE key='schema'; COMMIT;")
PY
check "a schema 4 copy made (mentions unpacked: some entities named more than once)" $?
"$PSQL" -q -h 127.0.0.1 -p "$PORT" -U ng -d m -f "$TMP/m4.sql" > /dev/null
[ "$(sql m "SELECT value FROM newsgraph_meta WHERE key='schema'")" = 4 ]
check "taken back to schema 4" $?
for q in "timeline Parly" "entity Parly"; do
    "$BIN" $q --db "$M" --json | cmp -s - "$TMP/m5 $q.json"
    check "schema 4 migrated: '$q' answers as before" $?
done
[ "$(sql m "SELECT count(*) FROM titles WHERE entity IS NULL")" = 0 ] &&
    [ "$(sql m "SELECT count(*) FROM titles")" -gt 0 ]
check "schema 4 migrated: titles have their entity" $?
sql m "$PACKED" | cmp -s - "$TMP/m5.packed"
check "schema 4 migrated: the mentions packed as ingest packs them" $?
[ "$(sql m "SELECT to_regclass('mentions') IS NULL")" = t ]
check "schema 4 migrated: the mentions table dropped" $?

sql a "UPDATE newsgraph_meta SET value=99 WHERE key='schema'" > /dev/null
"$BIN" export --db "$A" > /dev/null 2> "$TMP/bad.err"
[ $? -eq 1 ] && grep -q "newer" "$TMP/bad.err"
check "a newer schema is refused" $?

exit $fail
