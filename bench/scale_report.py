#!/usr/bin/env python3
"""scale_report.py BIN DB CORPUS TIMINGS SRC SECONDS CLIENTS — the measuring
half of bench/scale.sh: ingest timings, sizes, query and API latencies, the
load test.  Prints; asserts nothing."""
import http.client, json, os, random, re, sqlite3, statistics, subprocess, sys, time

binp, db, corpus, timings, src, seconds, clients = sys.argv[1:8]
rnd = random.Random(11)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


def line(label, xs):
    print("  %-44s n=%4d  p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms" % (label, len(xs), pct(xs, 50), pct(xs, 95), max(xs)))


# ---- ingest ------------------------------------------------------------------
text_bytes = 0
narticles = 0
with open(corpus, encoding="utf-8") as f:
    for l in f:
        r = json.loads(l)
        text_bytes += len(r.get("text", "").encode("utf-8")) + len((r.get("title") or "").encode("utf-8"))
        narticles += 1
print("== ingest of %d articles (%.1f MB of text and titles, %.1f MB of JSON Lines)"
      % (narticles, text_bytes / 1e6, os.path.getsize(corpus) / 1e6))
if os.path.exists(timings):
    rows = [tuple(int(x) for x in l.split()) for l in open(timings) if l.strip()]
    if len(rows) >= 2000:
        for label, part in (("first 1,000", rows[:1000]), ("last 1,000", rows[-1000:])):
            w = [r[1] / 1000 for r in part]
            c = [r[2] / 1000 for r in part]
            print("  storing, %-11s: wall mean %.2f ms (median %.2f, p95 %.2f), CPU mean %.2f ms per article"
                  % (label, statistics.mean(w), statistics.median(w), pct(w, 95), statistics.mean(c)))
        f_c = statistics.mean(r[2] for r in rows[:1000])
        l_c = statistics.mean(r[2] for r in rows[-1000:])
        f_w = statistics.mean(r[1] for r in rows[:1000])
        l_w = statistics.mean(r[1] for r in rows[-1000:])
        print("  last/first: CPU %.2f x, wall %.2f x (target <= 1.5 x); the analysis (-j 2 workers) is apart" % (
            l_c / f_c, l_w / f_w))
        step = max(1000, len(rows) // 10)
        print("  storing CPU by thousands: " + ", ".join(
            "%dk %.2f" % (i // 1000, statistics.mean(r[2] for r in rows[i:i + 1000]) / 1000)
            for i in range(0, len(rows) - 999, step)) + " ms")
sz = os.path.getsize(db) + (os.path.getsize(db + "-wal") if os.path.exists(db + "-wal") else 0)
print("== size: base %.1f MB = %.2f x the text and titles (target <= 3 x), %.2f x the JSON Lines"
      % (sz / 1e6, sz / text_bytes, sz / os.path.getsize(corpus)))
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
try:
    tables = con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    print("  by table and index (MB): " + ", ".join("%s %.1f" % (n, s / 1e6) for n, s in tables if s > sz / 200))
except sqlite3.Error as e:
    print("  (no per-table sizes: %s)" % e)
ndocs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
nents = con.execute("SELECT count(*) FROM entities").fetchone()[0]
nstories = con.execute("SELECT count(*) FROM stories").fetchone()[0]
nevents = con.execute("SELECT count(*) FROM events").fetchone()[0]
print("  %d documents, %d entities, %d stories, %d events" % (ndocs, nents, nstories, nevents))

# ---- queries -------------------------------------------------------------------
ents = con.execute("SELECT id, name, ndocs FROM entities WHERE ndocs > 0").fetchall()
pick = rnd.sample(ents, min(100, len(ents)))
pick += rnd.choices(ents, weights=[e[2] for e in ents], k=min(100, len(ents)))
top = con.execute("SELECT id, name, ndocs FROM entities ORDER BY ndocs DESC LIMIT 1").fetchone()
print("== queries (CLI, whole process), 200 entities (100 at random, 100 by articles naming them); "
      "the most named: %s (%d articles)" % (top[1], top[2]))
for cmd in ("timeline", "entity"):
    xs, big = [], []
    for e in pick:
        t0 = time.perf_counter()
        p = subprocess.run([binp, cmd, "--db", db, "--json", e[1]], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        dt = (time.perf_counter() - t0) * 1000
        xs.append(dt)
        if p.returncode != 0:
            big.append(p.stderr.decode(errors="replace").strip())
    line("%s NAME" % cmd, xs)
    if big:
        print("    %d failed, e.g. %s" % (len(big), big[0][:200]))
t0 = time.perf_counter()
subprocess.run([binp, "timeline", "--db", db, "--json", top[1]], stdout=subprocess.DEVNULL)
print("  timeline of the most named entity: %.1f ms" % ((time.perf_counter() - t0) * 1000))

# ---- the server ------------------------------------------------------------------
log = open(os.path.join(os.path.dirname(db), "serve.log"), "w+")
srv = subprocess.Popen([binp, "serve", "--db", db, "--port", "0", "--quiet"], stderr=log)
port = None
for _ in range(100):
    time.sleep(0.1)
    log.seek(0)
    m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", log.read())
    if m:
        port = int(m.group(1))
        break
if not port:
    log.seek(0)
    print("serve did not start: " + log.read()[-500:])
    srv.kill()
    sys.exit(0)


def rss(field="VmRSS:"):
    for l in open("/proc/%d/status" % srv.pid):
        if l.startswith(field):
            return int(l.split()[1]) / 1024
    return float("nan")


print("== serve (--threads 4, the default), RSS at start %.1f MB (anonymous %.1f MB); 200 requests per endpoint, "
      "one keep-alive client" % (rss(), rss("RssAnon:")))
docs = [r[0] for r in con.execute("SELECT id FROM documents ORDER BY random() LIMIT 200")]
names = [r[0] for r in con.execute("SELECT name FROM documents ORDER BY random() LIMIT 200")]
stories = [r[0] for r in con.execute("SELECT id FROM stories ORDER BY random() LIMIT 200")]
words = ["police", "president", "election", "fire", "court", "minister", "earthquake", "Clinton", "market",
         "government", "gouvernement", "Paris", "death", "attack", "team"]
eids = [e[0] for e in pick]
endpoints = [
    ("/api/timeline (the page: limit=2000)", lambda i: "/api/timeline?limit=2000"),
    ("/api/timeline?entity=ID", lambda i: "/api/timeline?entity=%d" % eids[i % len(eids)]),
    ("/api/timeline?story=N", lambda i: "/api/timeline?story=%d" % stories[i % len(stories)]),
    ("/api/entity/ID", lambda i: "/api/entity/%d" % eids[i % len(eids)]),
    ("/api/entities?limit=2000 (the page)", lambda i: "/api/entities?limit=2000"),
    ("/api/graph?limit=40", lambda i: "/api/graph?limit=40"),
    ("/api/events?limit=5000 (the timeline page)", lambda i: "/api/events?limit=5000"),
    ("/api/events?entity=ID&limit=500", lambda i: "/api/events?limit=500&entity=%d" % eids[i % len(eids)]),
    ("/api/events?doc=ID (the article page)", lambda i: "/api/events?doc=%d" % docs[i % len(docs)]),
    ("/api/quotes?limit=1000 (the page)", lambda i: "/api/quotes?limit=1000"),
    ("/api/quotes?entity=ID", lambda i: "/api/quotes?entity=%d" % eids[i % len(eids)]),
    ("/api/stories?limit=200 (the page)", lambda i: "/api/stories?limit=200"),
    ("/api/story/N", lambda i: "/api/story/%d" % stories[i % len(stories)]),
    ("/api/search?q=WORD&limit=50", lambda i: "/api/search?limit=50&q=%s" % words[i % len(words)]),
    ("/api/doc/ID", lambda i: "/api/doc/%d" % docs[i % len(docs)]),
    ("/api/doc?name=NAME", lambda i: "/api/doc?name=%s" % names[i % len(names)].replace(" ", "%20")),
]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
for label, path in endpoints:
    xs, bad = [], {}
    for i in range(200):
        t0 = time.perf_counter()
        try:
            conn.request("GET", path(i), headers={"Accept-Encoding": "gzip"})
            r = conn.getresponse()
            r.read()
            st = r.status
        except (OSError, http.client.HTTPException) as e:
            st = type(e).__name__
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        xs.append((time.perf_counter() - t0) * 1000)
        if st != 200:
            bad[st] = bad.get(st, 0) + 1
    line(label, xs)
    if bad:
        print("    not 200: %s" % bad)
conn.close()
print("== load: %s clients over loopback for %s s; RSS before %.1f MB (anonymous %.1f MB)"
      % (clients, seconds, rss(), rss("RssAnon:")))
urls = [p(i) for _, p in endpoints for i in range(0, 200, 7) if "limit=5000" not in p(i) and "limit=2000" not in p(i)]
with open(os.path.join(os.path.dirname(db), "urls.txt"), "w") as f:
    f.write("\n".join(urls) + "\n")
p = subprocess.run(["node", os.path.join(src, "bench", "scale_load.mjs"), "http://127.0.0.1:%d" % port,
                    os.path.join(os.path.dirname(db), "urls.txt"), clients, seconds, str(srv.pid)],
                   stdout=subprocess.PIPE, text=True)
print(p.stdout.rstrip())
print("  RSS at the end %.1f MB (anonymous %.1f MB)" % (rss(), rss("RssAnon:")))
srv.terminate()
srv.wait(timeout=30)
