#!/usr/bin/env python3
"""make_corpus.py SRC WORK — builds the benchmark inputs in WORK (once):
text.jsonl (~64 MB of article text as JSON Lines), text.raw (the same text,
for wc -w), html.jsonl (HTML pages).  The text is made from the example
articles and, when ../shared is there, the seed articles and some PolNeAR
news texts, shuffled at the paragraph level with a fixed seed so articles
differ, one language per article."""
import glob, gzip, json, os, random, sys

src, work = sys.argv[1], sys.argv[2]
shared = os.path.join(src, "..", "shared")
if os.path.exists(os.path.join(work, "text.jsonl")) and os.path.exists(os.path.join(work, "html.jsonl")):
    sys.exit(0)
paras = {"en": [], "fr": []}
def lang_of(path):
    return "fr" if "/fr/" in path or open(path, encoding="utf-8").read().count(" les ") > 3 else "en"
sources = glob.glob(os.path.join(src, "examples", "*", "*.txt")) + glob.glob(os.path.join(shared, "seeds", "*.txt"))
sources += sorted(glob.glob(os.path.join(shared, "data", "quotes", "polnear-dev", "text", "*")))[:60]
for path in sources:
    lang = lang_of(path)
    for p in open(path, encoding="utf-8").read().split("\n\n"):
        if len(p) > 80:
            paras[lang].append(p.strip())
rnd = random.Random(7)
target = 64 << 20
total = 0
# one language per article, four English articles for one French one
with open(os.path.join(work, "text.jsonl"), "w", encoding="utf-8") as fj, \
     open(os.path.join(work, "text.raw"), "w", encoding="utf-8") as fr:
    i = 0
    while total < target:
        pool = paras["fr"] if i % 5 == 4 and paras["fr"] else paras["en"]
        body = "\n\n".join(rnd.choice(pool) for _ in range(rnd.randint(6, 14)))
        fj.write(json.dumps({"id": "b%d" % i, "text": body}, ensure_ascii=False) + "\n")
        fr.write(body + "\n")
        total += len(body.encode("utf-8"))
        i += 1
open(os.path.join(work, "text.bytes"), "w").write(str(total))
pages = sorted(glob.glob(os.path.join(shared, "data", "html", "trafilatura-eval", "html", "*.gz")))
with open(os.path.join(work, "html.jsonl"), "w", encoding="utf-8") as fh:
    if pages:
        for n, p in enumerate(pages):
            raw = gzip.open(p).read()
            fh.write(json.dumps({"id": os.path.basename(p), "html": raw.decode("utf-8", "replace")}) + "\n")
        source = "the %d dev pages of shared/data/html/trafilatura-eval" % len(pages)
    else:
        ex = sorted(glob.glob(os.path.join(src, "examples", "*", "*.html")))
        for n in range(1000):
            fh.write(json.dumps({"id": "h%d" % n, "html": open(ex[n % len(ex)], encoding="utf-8").read()}) + "\n")
        source = "the example pages, repeated"
open(os.path.join(work, "html.source"), "w").write(source)
