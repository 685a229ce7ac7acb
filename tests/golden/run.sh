#!/usr/bin/env bash
# run.sh BIN [--update] — golden tests: each input under tests/golden/cases/
# (NAME.txt, NAME.html, NAME.jsonl) and each article of examples/ is
# analyzed through the command line and
# its records must equal NAME.expected.jsonl exactly (as JSON values).
# They pin the reading, cleaning, language, date and segmentation stages
# (entities, times and quotes have their own tests and evaluations).
# --update rewrites the expected files from the current output: review the
# diff before committing it.
set -uo pipefail
bin=$1
update=${2:-}
dir=$(cd "$(dirname "$0")" && pwd)/cases
examples=$(cd "$(dirname "$0")/../../examples" && pwd)
pass=0 fail=0
shopt -s nullglob
# the cases' own inputs, and the example articles (expected files for those
# live in cases/ under the example's path with '/' turned into '--')
for input in "$dir"/*.txt "$dir"/*.html "$dir"/*.jsonl "$examples"/*.jsonl "$examples"/*/*.txt "$examples"/*/*.html; do
  case "$input" in *.expected.jsonl) continue ;; esac
  case "$input" in
    "$examples"/*) rel=${input#"$examples"/}; name="$dir/example--${rel//\//--}"; name=${name%.*} ;;
    *) name=${input%.*} ;;
  esac
  expected="$name.expected.jsonl"
  actual=$(mktemp)
  "$bin" analyze -q --fields lang,published,title,agencies,url,text,sentences,tokens "$input" > "$actual" 2>/dev/null
  if [[ "$update" == "--update" ]]; then
    cp "$actual" "$expected"
    echo "updated $(basename "$expected")"
  fi
  if python3 - "$expected" "$actual" <<'PY'
import json, sys
def load(p):
    try:
        return [json.loads(l) for l in open(p, encoding="utf-8") if l.strip()]
    except FileNotFoundError:
        return None
exp, act = load(sys.argv[1]), load(sys.argv[2])
if exp is None:
    print("  no expected file: run tests/golden/run.sh BIN --update and review it"); sys.exit(1)
if exp == act:
    sys.exit(0)
for i, (e, a) in enumerate(zip(exp, act)):
    for k in sorted(set(e) | set(a)):
        if e.get(k) != a.get(k):
            print("  record %d, member %r:\n    expected %s\n    got      %s" % (i, k, json.dumps(e.get(k), ensure_ascii=False)[:300], json.dumps(a.get(k), ensure_ascii=False)[:300]))
if len(exp) != len(act):
    print("  expected %d records, got %d" % (len(exp), len(act)))
sys.exit(1)
PY
  then
    pass=$((pass + 1))
  else
    echo "FAIL: golden $(basename "$input")"
    fail=$((fail + 1))
  fi
  rm -f "$actual"
done
echo "golden: $pass passed, $fail failed"
[[ $fail -eq 0 && $pass -gt 0 ]]
