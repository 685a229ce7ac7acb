#!/usr/bin/env bash
# run.sh BIN — tests of the command line itself: help, usage errors, exit
# statuses, error lines, output order with threads, --fields, --keep-errors,
# standard input, JSON Lines in and out.
set -uo pipefail
bin=$1
src=${NG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
# expect_status WANT DESCRIPTION CMD... : runs CMD, checks its exit status
expect_status() {
  local want=$1 what=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
  if [[ $got -eq $want ]]; then ok; else bad "$what: exit $got, wanted $want ($(head -c 200 "$tmp/err"))"; fi
}
json_lines_valid() { python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1]) if l.strip()]' "$1"; }

# help and usage
expect_status 0 "newsgraph --help" "$bin" --help
expect_status 0 "analyze --help" "$bin" analyze --help
grep -q -- "--jsonl" "$tmp/out" && ok || bad "analyze --help does not mention --jsonl"
expect_status 2 "no command" "$bin"
expect_status 2 "unknown command" "$bin" frobnicate
expect_status 2 "analyze without input" "$bin" analyze
expect_status 2 "unknown option" "$bin" analyze --no-such-option x
expect_status 2 "bad -j" "$bin" analyze -j lots x
expect_status 2 "bad --fields" "$bin" analyze --fields text,nonsense x
expect_status 0 "version" "$bin" version

# one good article and one refused: exit 1, one error line naming the input
printf 'The minister arrived in Paris on Monday. She met her counterpart.\n' > "$tmp/good.txt"
: > "$tmp/empty.txt"
expect_status 1 "a refused article" "$bin" analyze -q "$tmp/good.txt" "$tmp/empty.txt"
[[ $(wc -l < "$tmp/out") -eq 1 ]] && ok || bad "the good article's record is missing"
[[ $(wc -l < "$tmp/err") -eq 1 ]] && grep -q "^newsgraph: .*empty.txt: " "$tmp/err" && ok || bad "error line: $(cat "$tmp/err")"
expect_status 1 "a missing file" "$bin" analyze -q "$tmp/none.txt" "$tmp/good.txt"
grep -q "none.txt" "$tmp/err" && [[ $(wc -l < "$tmp/out") -eq 1 ]] && ok || bad "missing file not reported, or the other not processed"

# --keep-errors keeps output aligned with input
expect_status 1 "--keep-errors" "$bin" analyze -q --keep-errors "$tmp/empty.txt" "$tmp/good.txt"
python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if len(r)==2 and "error" in r[0] and "text" in r[1] else 1)' "$tmp/out" && ok || bad "--keep-errors records"

# --fields trims the record; doc is always there
expect_status 0 "--fields" "$bin" analyze -q --fields lang,title "$tmp/good.txt"
python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read()); sys.exit(0 if set(r)=={"doc","lang","title"} else 1)' "$tmp/out" && ok || bad "--fields lang,title gave $(cat "$tmp/out")"

# --pretty is still one JSON value per record
expect_status 0 "--pretty" "$bin" analyze -q --pretty "$tmp/good.txt"
python3 -c 'import json,sys; json.loads(open(sys.argv[1]).read())' "$tmp/out" && ok || bad "--pretty output is not JSON"

# standard input as one article
printf 'La ministre est arrivée lundi à Paris. Elle a rencontré son homologue.\n' | "$bin" analyze -q - > "$tmp/out" 2>"$tmp/err" && ok || bad "stdin article"
grep -q '"doc":"-"' "$tmp/out" && ok || bad "stdin record's doc is not '-'"

# JSON Lines: ids kept, order kept with threads, the same records as -j 1
python3 - "$tmp/many.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(300):
        body = ("Article %d. " % i) + "The defence ministers met in Berlin on Tuesday to talk about drones. " * (1 + i % 7)
        if i % 3 == 0:
            f.write(json.dumps({"id": "n%d" % i, "html": "<html><body><article><p>%s</p></article></body></html>" % body}) + "\n")
        else:
            f.write(json.dumps({"id": "n%d" % i, "text": body, "published": "2023-03-%02d" % (1 + i % 28)}) + "\n")
PY
"$bin" analyze -q --jsonl -j 1 "$tmp/many.jsonl" > "$tmp/j1" 2>"$tmp/e1"
"$bin" analyze -q --jsonl -j 4 - < "$tmp/many.jsonl" > "$tmp/j4" 2>"$tmp/e4"
cmp -s "$tmp/j1" "$tmp/j4" && ok || bad "-j 4 output differs from -j 1"
python3 -c 'import json,sys; ids=[json.loads(l)["doc"] for l in open(sys.argv[1])]; sys.exit(0 if ids==["n%d"%i for i in range(300)] else 1)' "$tmp/j4" && ok || bad "JSONL ids or order lost"
json_lines_valid "$tmp/j4" && ok || bad "JSONL output is not valid JSON Lines"

# the examples folder: every article gives a record with a language
expect_status 0 "analyze examples/" "$bin" analyze -q -j 2 "$src/examples"
[[ $(wc -l < "$tmp/out") -ge 6 ]] && ok || bad "examples/: $(wc -l < "$tmp/out") records ($(head -c 300 "$tmp/err"))"
python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if r and all(x.get("lang") in ("en","fr") for x in r) else 1)' "$tmp/out" && ok || bad "examples/: a record without en/fr language"

echo "cli: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
