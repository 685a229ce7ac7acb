#!/usr/bin/env bash
# tests/web/run.sh BIN [ARTIFACTS_DIR] — `newsgraph serve` end to end:
#   1. ingests examples/ into a temporary SQLite base;
#   2. starts `BIN serve` on a free loopback port (--port 0; the port is read
#      from its log line);
#   3. api.mjs (node, no packages): every endpoint, bad ids, huge query
#      strings, path traversal, gzip, 50 concurrent clients;
#   4. browser.mjs: headless Chromium (/usr/bin/chromium) driven by
#      playwright-core (installed here with `npm ci` when missing): the
#      timeline, an entity page, an article's quote and speaker, search;
#      screenshots in ARTIFACTS_DIR (default build/test-artifacts);
#   5. stops the server with SIGINT (it must exit 0) and checks that the
#      base file was not written.
# Prints "SKIPPED: ..." and exits 0 only when node, npm or Chromium are
# missing and cannot be installed (apt-get as root).
set -euo pipefail
bin=$(realpath "${1:?usage: run.sh BIN [ARTIFACTS_DIR]}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
art=${2:-$src/build/test-artifacts}
mkdir -p "$art"
art=$(realpath "$art")

# ---- tools: node, npm, chromium ----------------------------------------------
apt_install() { # installs Debian packages when root; returns 1 when it cannot
  [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null || return 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 && return 0
  apt-get update -qq >/dev/null 2>&1 || return 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt_install nodejs npm || true
fi
if ! command -v node >/dev/null; then
  echo "SKIPPED: node is not installed and cannot be (apt-get install nodejs npm)"
  exit 0
fi
chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
  apt_install chromium || true
fi

tmp=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# ---- the base ---------------------------------------------------------------------
db=$tmp/kb.db
"$bin" ingest -q --db "$db" "$src/examples"
"$bin" export --db "$db" > "$tmp/export.json"
"$bin" quotes --db "$db" --json > "$tmp/quotes.json"
sum_before=$(sha256sum "$db" | cut -d' ' -f1)

# ---- the server --------------------------------------------------------------------
"$bin" serve --db "$db" --port 0 --threads 4 2> "$tmp/serve.log" &
pid=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/serve.log" | head -n1)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; echo "FAIL: serve exited at start" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$tmp/serve.log" >&2; echo "FAIL: serve did not start" >&2; exit 1; }
base=http://127.0.0.1:$port/
echo "serve: $base"

status=0
node "$here/api.mjs" "$base" "$tmp/export.json" "$src/web" || status=1

# ---- the browser -------------------------------------------------------------------
skip=
if [ ! -x "$chromium" ]; then
  skip="Chromium ($chromium) is not installed and cannot be (apt-get install chromium)"
elif [ ! -d "$here/node_modules/playwright-core" ]; then
  if ! command -v npm >/dev/null; then
    skip="npm is not installed and cannot be (apt-get install npm)"
  else
    # one install at a time (make test and make asan may run together)
    if ! (flock 9; [ -d "$here/node_modules/playwright-core" ] ||
          npm ci --prefix "$here" --no-audit --no-fund --loglevel=error >"$tmp/npm.log" 2>&1) 9>"$here/.npm-lock"; then
      cat "$tmp/npm.log" >&2
      skip="npm ci could not install playwright-core (offline?)"
    fi
  fi
fi
if [ -z "$skip" ]; then
  node "$here/browser.mjs" "$base" "$tmp/export.json" "$tmp/quotes.json" "$art" "$chromium" || status=1
fi

# ---- stopping ------------------------------------------------------------------------
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
pid=
if [ "$rc" -ne 0 ] || ! grep -q "stopping" "$tmp/serve.log"; then
  echo "FAIL: serve did not stop cleanly on SIGINT (exit $rc)" >&2
  tail -n 5 "$tmp/serve.log" >&2
  status=1
fi
if grep -qiE "ERROR: AddressSanitizer|runtime error:" "$tmp/serve.log"; then
  grep -iE -A20 "ERROR: AddressSanitizer|runtime error:" "$tmp/serve.log" | head -n 40 >&2
  echo "FAIL: sanitizer report in the server's log" >&2
  status=1
fi
if [ "$(sha256sum "$db" | cut -d' ' -f1)" != "$sum_before" ]; then
  echo "FAIL: the base file changed while being served (it must be read-only)" >&2
  status=1
fi
echo "requests logged: $(grep -c ' serve: GET\| serve: HEAD\| serve: POST' "$tmp/serve.log" || true)"

# ---- the answers cache is never stale ---------------------------------------------
# a second server on a copy of the base; an ingest into that copy while it serves must show
# in the next answer to the same request (the cache keys answers by the base's files)
cp "$db" "$tmp/kb2.db"
"$bin" serve --db "$tmp/kb2.db" --port 0 --threads 2 --quiet 2> "$tmp/serve2.log" &
pid=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/serve2.log" | head -n1)
  [ -n "$port" ] && break
  sleep 0.1
done
count_docs() { node -e "fetch('http://127.0.0.1:$port/api/timeline').then(r=>r.json()).then(j=>console.log(j.length))"; }
if [ -z "$port" ]; then
  echo "FAIL: the second server did not start" >&2
  status=1
else
  n1=$(count_docs); n1b=$(count_docs)
  printf '{"id": "cache-check", "lang": "en", "published": "2024-02-02", "text": "Ministers met in Oslo on Friday to talk about fishing quotas, the Norwegian government said."}\n' > "$tmp/one.jsonl"
  "$bin" ingest -q --jsonl --db "$tmp/kb2.db" "$tmp/one.jsonl"
  n2=$(count_docs)
  if [ "$n1" != "$n1b" ] || [ "$n2" != "$((n1 + 1))" ]; then
    echo "FAIL: answers cache: $n1 and $n1b articles, then $n2 after one more was ingested" >&2
    status=1
  fi
  kill -INT "$pid"
  wait "$pid" || { echo "FAIL: the second server did not stop cleanly" >&2; status=1; }
fi
pid=
if [ "$status" -ne 0 ]; then
  echo "FAIL: web tests"
  exit 1
fi
if [ -n "$skip" ]; then
  echo "API tests passed; SKIPPED: browser tests: $skip"
  exit 0
fi
echo "PASS: web (API and browser; screenshots in $art)"
