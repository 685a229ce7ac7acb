#!/usr/bin/env bash
# tests/pathological/run.sh BIN — bad input must never crash, hang or eat
# memory.  Each case makes its input in a temporary folder (nothing big is
# committed), runs `BIN analyze` on it under `timeout` and a 4 GB address
# space limit (not under ASan, which reserves more), and checks:
#   - the exit status is 0 or 1 (never a signal, never the timeout);
#   - each bad input gets exactly one line on stderr, `newsgraph: NAME: ...`,
#     saying the right thing;
#   - the good articles of the same run are still in stdout, in order.
# Prints one line per check and 'N passed, N failed' last; exits 1 on any
# failure.
set -u
BIN=${1:?usage: run.sh path/to/newsgraph}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
T=$(mktemp -d "${TMPDIR:-/tmp}/ng-patho.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
passed=0
failed=0
MEMLIMIT=4000000 # KiB for ulimit -v
SLOW=1 # time limits are multiplied by this for a sanitizer build (several times slower)
if grep -qa __asan_init "$BIN"; then MEMLIMIT=unlimited; SLOW=3; fi

ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }

# run NAME SECONDS ARGS... : runs BIN analyze -q ARGS with stdin from $STDIN
# (default /dev/null); leaves out.$NAME, err.$NAME, and $STATUS, $SECS.
run() {
    local name=$1 secs=$2
    shift 2
    local t0=$SECONDS
    (ulimit -v $MEMLIMIT 2>/dev/null; exec timeout -k 5 "$secs" "$BIN" analyze -q "$@") \
        <"${STDIN:-/dev/null}" >"out.$name" 2>"err.$name"
    STATUS=$?
    SECS=$((SECONDS - t0))
    if [ "$STATUS" -eq 124 ] || [ "$STATUS" -eq 137 ]; then
        bad "$name: timed out after ${secs}s"
    elif [ "$STATUS" -gt 2 ]; then
        bad "$name: exit status $STATUS (crash or signal); stderr: $(head -c 300 "err.$name")"
    else
        ok "$name: exit status $STATUS in ${SECS}s"
    fi
}

# status NAME WANT: the exit status was WANT.
status() {
    if [ "$STATUS" -eq "$2" ]; then ok "$1: exit status is $2"; else bad "$1: exit status $STATUS, want $2"; fi
}

# record NAME ID: stdout holds the record of ID.
record() {
    if grep -qF "{\"doc\":\"$2\"" "out.$1"; then ok "$1: record for $2"; else bad "$1: no record for $2"; fi
}

# norecord NAME ID: stdout has no record of ID.
norecord() {
    if grep -qF "{\"doc\":\"$2\"" "out.$1"; then bad "$1: unexpected record for $2"; else ok "$1: no record for $2"; fi
}

# error NAME WHERE REGEX: exactly one stderr line is about WHERE, and it is
# 'newsgraph: WHERE: message' with the message matching REGEX (grep -E).
error() {
    local n
    n=$(grep -cF "newsgraph: $2: " "err.$1")
    if [ "$n" -ne 1 ]; then
        bad "$1: $n error lines for $2, want 1; stderr: $(head -c 300 "err.$1")"
        return
    fi
    local line
    line=$(grep -F "newsgraph: $2: " "err.$1")
    if printf '%s\n' "${line#"newsgraph: $2: "}" | grep -qE "$3"; then
        ok "$1: $line"
    else
        bad "$1: error line '$line' does not match /$3/"
    fi
}

# record_or_error NAME ID WHERE: the input was either analyzed or refused
# with exactly one clean line (either is a fine answer, a crash is not).
record_or_error() {
    if grep -qF "{\"doc\":\"$2\"" "out.$1"; then
        ok "$1: record for $2"
        if grep -qF "newsgraph: $3: " "err.$1"; then bad "$1: both a record and an error for $2"; fi
    else
        error "$1" "$3" ".+"
    fi
}

# order NAME ID...: the records of these ids appear in this order (records
# of other ids are left out of the comparison).
order() {
    local name=$1
    shift
    local got want
    got=$(grep -oE '^\{"doc":"[^"]*"' "out.$name" | sed 's/^{"doc":"//; s/"$//' |
        grep -xF -f <(printf '%s\n' "$@") | tr '\n' ' ')
    want="$* "
    if [ "$got" = "$want" ]; then ok "$name: records in order: $want"; else bad "$name: records '$got', want '$want'"; fi
}

# ---- the inputs ------------------------------------------------------------

good='Paris, 20 January 2022 - The French defence minister said on Monday that France was considering its options. The talks will continue next week in Brussels, officials said.'
mkdir -p in
printf '%s\n' "$good" >in/good.txt
printf '<html><head><title>Good page</title></head><body><article><p>%s</p></article></body></html>\n' "$good" >in/good.html
# invalid UTF-8: stray continuation bytes, an overlong, a truncated sequence,
# bytes that are undefined even in Windows-1252
printf 'Caf\xe9 au lait \xc3\x28 \xc0\xaf \x80\x81\x8d\x8f\x90\x9d and %s \xe2\x82\n' "$good" >in/invalid-utf8.txt
printf 'Some text\0with a NUL byte inside. %s\n' "$good" >in/nul.txt
head -c 65536 /dev/urandom >in/random.bin
cp "$BIN" in/program.elf
: >in/empty.txt
# HTML nested 100,000 deep
{
    printf '<html><body>'
    head -c 100000 /dev/zero | tr '\0' 'x' | sed 's/x/<div>/g'
    printf '<p>%s</p>' "$good"
    head -c 100000 /dev/zero | tr '\0' 'x' | sed 's/x/<\/div>/g'
    printf '</body></html>\n'
} >in/deep.html
# truncated .gz
{
    for _ in $(seq 200); do printf '%s\n' "$good"; done
} | gzip -c >full.gz
head -c $(($(stat -c %s full.gz) / 2)) full.gz >in/truncated.txt.gz
# a WARC: an HTML response, then a response cut short
warc_record() { # URI BODY
    local block
    block=$(printf 'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n%s' "$2")
    printf 'WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: %s\r\nWARC-Date: 2022-01-21T00:00:00Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n' \
        "$1" "${#block}" "$block"
}
page="<html><head><title>Crawled</title></head><body><article><p>$good</p></article></body></html>"
{
    warc_record http://example.com/one "$page"
    warc_record http://example.com/two "$page"
} >full.warc
head -c $(($(stat -c %s full.warc) - 60)) full.warc >in/truncated.warc
gzip -c full.warc >full.warc.gz
head -c $(($(stat -c %s full.warc.gz) - 20)) full.warc.gz >in/truncated.warc.gz
# JSON Lines: good lines mixed with malformed ones
{
    printf '{"id":"j1","text":"%s"}\n' "$good"
    printf '{"id":"j2","text":"unterminated\n'
    printf '\n'
    printf '{"id":"j3","html":"<p>%s</p>"}\r\n' "$good"
    printf 'not json at all\n'
    printf '[1,2,3]\n'
    printf '{"id":"j4"}\n'
    printf '{"id":"j5","text":42}\n'
    printf '{"id":"j6","text":"%s"} trailing\n' "$good"
    printf '{"id":"j7","text":"%s"}\n' "$good"
} >mixed.jsonl
# a 100 MB single line of text (over the default 64 MiB limit)
yes 'lorem ipsum dolor sit amet, ' | tr -d '\n' | head -c 104857600 >line100m.txt

echo "# inputs made in ${SECONDS}s"

# ---- the cases -------------------------------------------------------------

run invalid-utf8 20 in/invalid-utf8.txt in/good.txt
record_or_error invalid-utf8 invalid-utf8.txt in/invalid-utf8.txt
record invalid-utf8 good.txt

run nul 20 in/nul.txt in/good.txt
error nul in/nul.txt 'binary|NUL'
record nul good.txt
status nul 1

run binary 20 in/random.bin in/program.elf in/good.txt
error binary in/random.bin 'binary'
error binary in/program.elf 'binary'
record binary good.txt
status binary 1

run empty 20 in/empty.txt in/good.txt
error empty in/empty.txt 'empty'
record empty good.txt
status empty 1

run deep-html 30 in/deep.html in/good.html
record_or_error deep-html deep.html in/deep.html
record deep-html good.html

run truncated-gz 20 in/truncated.txt.gz in/good.txt
error truncated-gz in/truncated.txt.gz 'truncated gzip stream'
record truncated-gz good.txt
status truncated-gz 1

run truncated-warc 20 in/truncated.warc in/good.txt
record truncated-warc http://example.com/one
error truncated-warc in/truncated.warc:2 '^truncated WARC record: [0-9]+ of [0-9]+ bytes$'
record truncated-warc good.txt
status truncated-warc 1

run truncated-warc-gz 20 in/truncated.warc.gz in/good.txt
record truncated-warc-gz http://example.com/one
error truncated-warc-gz in/truncated.warc.gz:2 '^truncated gzip stream$'
record truncated-warc-gz good.txt
status truncated-warc-gz 1

STDIN=mixed.jsonl run jsonl-mixed 20 --jsonl -
order jsonl-mixed j1 j3 j7
error jsonl-mixed -:2 'malformed JSON'
error jsonl-mixed -:5 'malformed JSON'
error jsonl-mixed -:6 'not a JSON object'
error jsonl-mixed -:7 'no "text" or "html" member'
error jsonl-mixed -:8 'member "text" is not a string'
error jsonl-mixed -:9 'malformed JSON'
status jsonl-mixed 1

STDIN=full.warc.gz run stdin-warc-gz 20 -
order stdin-warc-gz http://example.com/one http://example.com/two
status stdin-warc-gz 0

run line-100mb 60 line100m.txt in/good.txt
error line-100mb line100m.txt 'over the limit'
record line-100mb good.txt
status line-100mb 1

# with the limit raised, the 100 MB line is analyzed (or refused cleanly)
# every stage runs over the 100 MB line (about 40 s in a release build on a busy
# machine); a sanitizer build (ten times slower and more) gets a quarter of
# it, which still runs every stage over one huge line
if [ "$SLOW" -gt 1 ]; then
  head -c 26214400 line100m.txt >linebig.txt
  run line-100mb-analyzed $((400 * SLOW)) --max-bytes 32M linebig.txt
  record_or_error line-100mb-analyzed linebig.txt linebig.txt
else
  run line-100mb-analyzed 400 --max-bytes 128M line100m.txt
  record_or_error line-100mb-analyzed line100m.txt line100m.txt
fi

# the same line inside JSON Lines: refused without being held, next line read
{
    printf '{"id":"before","text":"%s"}\n' "$good"
    printf '{"id":"huge","text":"'
    cat line100m.txt
    printf '"}\n{"id":"after","text":"%s"}\n' "$good"
} >huge.jsonl
run jsonl-100mb 60 huge.jsonl
order jsonl-100mb before after
error jsonl-100mb huge.jsonl:2 'over the limit'
rm -f huge.jsonl

# everything in one folder (plus the 100 MB line and the JSON Lines)
cp line100m.txt mixed.jsonl in/
run folder 120 in
order folder good.html good.txt j1 j3 j7 http://example.com/one http://example.com/one
for f in deep.html invalid-utf8.txt; do record_or_error folder "$f" "in/$f"; done
error folder in/empty.txt 'empty'
error folder in/nul.txt 'binary|NUL'
error folder in/random.bin 'binary'
error folder in/program.elf 'binary'
error folder in/truncated.txt.gz 'truncated gzip stream'
error folder in/truncated.warc:2 'truncated WARC record'
error folder in/truncated.warc.gz:2 'truncated gzip stream'
error folder in/line100m.txt 'over the limit'
error folder in/mixed.jsonl:2 'malformed JSON'
status folder 1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
