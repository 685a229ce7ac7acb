#!/usr/bin/env bash
# run.sh BIN — speed benchmarks, printed and never asserted:
#   text: analyze -j 1 over a ~64 MB JSON Lines corpus of news text -> MB/s per core,
#         and `wc -w` over the same bytes for scale (the ratio is printed);
#   html: analyze -j 1 over HTML pages (the dev set's pages when ../shared is
#         there, else the example pages) -> pages/s per core;
#   peak memory (max RSS) of each run.
set -euo pipefail
bin=$(realpath "$1")
src=$(cd "$(dirname "$0")/.." && pwd)
work="$src/build/bench"
mkdir -p "$work"
python3 "$src/bench/make_corpus.py" "$src" "$work"
python3 - "$bin" "$work" <<'PY'
import os, resource, subprocess, sys, time
bin, work = sys.argv[1], sys.argv[2]

def run(cmd, stdin_path):
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(stdin_path, "rb") as f:
        p = subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return dt, cpu, after.ru_maxrss, p

text = os.path.join(work, "text.jsonl")
payload = int(open(os.path.join(work, "text.bytes")).read())
n_text = sum(1 for _ in open(text, "rb"))
BASE = ["--fields", "lang,published,title,agencies,text,sentences"]  # reading, cleaning, language, date, segmentation
wdt, wcpu, _, _ = run(["wc", "-w"], os.path.join(work, "text.raw"))
for label, extra in (("read+clean+lang+date+segment", BASE), ("everything (default record)", [])):
    dt, cpu, rss, p = run([bin, "analyze", "-q", "--jsonl", "-j", "1"] + extra + ["-"], text)
    print("text   %s: %d articles, %.1f MB: %.2f s wall, %.2f s cpu -> %.1f MB/s per core (cpu time), %.1f MB/s wall"
          % (label, n_text, payload / 1e6, dt, cpu, payload / 1e6 / cpu, payload / 1e6 / dt))
    print("       newsgraph/wc -w time ratio %.1f; peak RSS %.0f MB; refused: %d"
          % (dt / wdt, rss / 1024, p.stderr.count(b"\n")))
print("       wc -w on the same text: %.2f s -> %.1f MB/s (target for analyze's issue-2 stages: >= 50 MB/s per core)"
      % (wdt, payload / 1e6 / wdt))
html = os.path.join(work, "html.jsonl")
n_html = sum(1 for _ in open(html, "rb"))
for label, extra in (("read+clean+lang+date+segment", BASE), ("everything", [])):
    dt, cpu, rss, p = run([bin, "analyze", "-q", "--jsonl", "-j", "1"] + extra + ["-"], html)
    print("html   %s, %d pages (%s): %.2f s cpu -> %.0f pages/s per core (target >= 500); peak RSS %.0f MB; refused %d"
          % (label, n_html, open(os.path.join(work, "html.source")).read().strip(), cpu, n_html / cpu, rss / 1024,
             p.stderr.count(b"\n")))
dt2, _, _, _ = run([bin, "analyze", "-q", "--jsonl", "-j", str(os.cpu_count() or 2)] + BASE + ["-"], text)
print("text   read..segment with -j %d: %.1f MB/s wall" % (os.cpu_count() or 2, payload / 1e6 / dt2))
PY
# the event stage alone (part-of-speech tagger + CAMEO coder), sentences/s per core
ev="$(dirname "$bin")/bench/bench_events"
if [ -x "$ev" ]; then
    "$ev" --max 400 "$work/text.jsonl"
else
    echo "events (bench_events not built: skipped)"
fi
# loading the model (every language's models and resources), milliseconds
ld="$(dirname "$bin")/bench/bench_load"
if [ -x "$ld" ]; then
    "$ld" 10
else
    echo "model load (bench_load not built: skipped)"
fi
