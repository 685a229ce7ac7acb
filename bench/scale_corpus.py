#!/usr/bin/env python3
"""scale_corpus.py SRC OUT N [SEED] — writes N synthetic news articles as JSON
Lines to OUT, recombined from the dev data beside the project (../shared/data:
ECB+ and PolNeAR texts, CoNLL-2003 documents, French UD sentences) and the
project's examples/, for the knowledge-base scale benchmark (bench/scale.sh).

The corpus is made of stories: a story takes one source (an ECB+ story, a
PolNeAR article, a CoNLL-2003 document, a run of French sentences), a date
somewhere in 2014-2024 and, one time in two, a new surname for one or two of
the people it names (so that the entities keep growing with the corpus as in
real news, while the people of the source stay the frequent ones).  Each of
its 1-8 articles keeps a lede and a shuffled part of the source's sentences
(quotes stay with their speakers), adds a background sentence or two from
another source, gets a title made from its lede and a publication date within
a few days of the story's.  Deterministic for a given SEED.  Prints the number
of articles and of text bytes.  Never commit what it writes."""
import glob, json, os, random, re, sys

src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 20240601
data = os.path.join(src, "..", "shared", "data")
rnd = random.Random(seed)


def detok(s):
    """Undoes the Penn-style tokenisation of ECB+ and CoNLL lines."""
    s = s.replace("``", '"').replace("''", '"')
    s = re.sub(r' ([.,;:!?%)\]])', r'\1', s)
    s = re.sub(r'([(\[$]) ', r'\1', s)
    s = re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", s)
    s = re.sub(r'" (.*?) "', r'"\1"', s)
    return s.strip()


sources = []  # (lang, [sentences or paragraphs], kind)
# ECB+: the documents of one gold story together
stories_dir = os.path.join(data, "stories", "ecbplus-dev")
groups = {}
tsv = os.path.join(stories_dir, "gold-stories.tsv")
if os.path.exists(tsv):
    for line in open(tsv, encoding="utf-8").read().splitlines()[1:]:
        f = line.split("\t")
        if len(f) > 5:
            p = os.path.join(stories_dir, f[2])
            if os.path.exists(p):
                sents = [detok(x) for x in open(p, encoding="utf-8").read().splitlines() if len(x) > 20]
                groups.setdefault(f[5], []).append(sents)
for docs in groups.values():
    sources.append(("en", docs, "ecb"))
# PolNeAR: one article each (paragraphs; the first line is its title)
for p in sorted(glob.glob(os.path.join(data, "quotes", "polnear-dev", "text", "*"))):
    paras = [x.strip() for x in open(p, encoding="utf-8").read().split("\n\n") if len(x.strip()) > 30]
    if len(paras) > 3:
        sources.append(("en", [paras[1:]], "polnear"))
# CoNLL-2003: documents; the headline and the dateline line are dropped
per_names = set()
for name in ("conll2003-train.txt", "conll2003-dev.txt"):
    p = os.path.join(data, "ner", "en", name)
    if not os.path.exists(p):
        continue
    doc, sent, span = [], [], []
    def flush_sent():
        global sent
        if sent:
            doc.append(detok(" ".join(sent)))
        sent = []
    for line in open(p, encoding="utf-8"):
        f = line.split()
        if not f:
            flush_sent()
            continue
        if f[0] == "-DOCSTART-":
            flush_sent()
            if len(doc) > 4:
                sources.append(("en", [[s for s in doc[2:] if len(s) > 20]], "conll"))
            doc = []
            continue
        sent.append(f[0])
        if f[-1].endswith("PER"):
            span.append(f[0])
        elif span:
            if len(span) >= 2 and all(w[:1].isupper() and w.isalpha() for w in span):
                per_names.add(span[-1])
            span = []
# French: runs of consecutive UD sentences (they come from the same texts)
for p in sorted(glob.glob(os.path.join(data, "ud", "UD_French-GSD", "*.conllu")) +
                glob.glob(os.path.join(data, "ud", "UD_French-Sequoia", "*.conllu"))):
    sents = [l[9:].strip() for l in open(p, encoding="utf-8") if l.startswith("# text = ")]
    for i in range(0, len(sents) - 8, 10):
        sources.append(("fr", [sents[i:i + 10]], "ud"))
# the examples (always there, even without ../shared)
for p in sorted(glob.glob(os.path.join(src, "examples", "*", "*.txt"))):
    paras = [x.strip() for x in open(p, encoding="utf-8").read().split("\n\n") if len(x.strip()) > 30]
    sources.append(("fr" if "/fr/" in p else "en", [paras], "example"))
for line in open(os.path.join(src, "examples", "feed.jsonl"), encoding="utf-8"):
    r = json.loads(line)
    if "text" in r:
        sources.append((r.get("lang", "en"), [[x for x in r["text"].split("\n\n") if len(x) > 30]], "example"))
sources = [s for s in sources if sum(len(d) for d in s[1]) >= 2]
by_kind = {}
for s in sources:
    by_kind.setdefault(s[2], []).append(s)
weights = {"ecb": 40, "conll": 35, "polnear": 10, "ud": 10, "example": 5}
kinds = [k for k in weights if k in by_kind]
kind_w = [weights[k] for k in kinds]
surnames = sorted(per_names)

DAY0 = 16071  # 2014-01-01
SPAN = 11 * 365


def iso(day):
    import datetime
    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=day)).isoformat()


def title_of(lede, lang):
    words = re.sub(r'["«»“”]', "", lede).split()
    t = []
    for w in words:
        t.append(w)
        if len(t) >= 6 and (w.endswith(",") or len(t) >= rnd.randint(8, 13)):
            break
    t = " ".join(t).rstrip(",;:.")
    if rnd.random() < 0.15:
        t = rnd.choice(["Update: ", "Analysis: ", "Live: "] if lang == "en" else ["Direct : ", "Analyse : "]) + t
    return t[:1].upper() + t[1:]


total = 0
made = 0
story = 0
with open(out, "w", encoding="utf-8") as f:
    while made < n:
        story += 1
        kind = rnd.choices(kinds, kind_w)[0]
        lang, docs, _ = rnd.choice(by_kind[kind])
        day = DAY0 + rnd.randrange(SPAN)
        text_all = " ".join(" ".join(d) for d in docs)
        swap = {}
        if surnames and rnd.random() < 0.5:
            seen = [w for w in set(re.findall(r"\b[A-Z][a-z]{3,}\b", text_all)) if w in per_names]
            for w in rnd.sample(sorted(seen), min(len(seen), 2)):
                swap[w] = rnd.choice(surnames)
        k = min(n - made, 1 + min(int(rnd.expovariate(0.5)), 7))
        for j in range(k):
            d = rnd.choice(docs)
            lede = d[0] if len(d) < 3 or rnd.random() < 0.7 else d[1]
            rest = [s for s in (x for dd in docs for x in dd) if s != lede]
            body = rnd.sample(rest, max(1, int(len(rest) * rnd.uniform(0.5, 1.0)))) if rest else []
            other = rnd.choice(by_kind[kind])[1]
            other = [x for dd in other for x in dd]
            if other and rnd.random() < 0.6:
                body.insert(rnd.randrange(len(body) + 1), rnd.choice(other))
            sents = [lede] + body
            text = ""
            for s in sents:  # paragraphs of one to three sentences, at most 6 KB
                if len(text) + len(s) > 6000:
                    break
                text += ("\n\n" if text and rnd.random() < 0.5 else (" " if text else "")) + s
            for a, b in swap.items():
                text = re.sub(r"\b%s\b" % re.escape(a), b, text)
            title = title_of(text.split("\n\n")[0], lang)
            pub = iso(day + (rnd.randrange(4) if j else 0))
            rec = {"id": "scale-%d-%d" % (story, j), "lang": lang, "published": pub,
                   "url": "https://news.example.org/%s/%d/%d" % (pub[:4], story, j), "title": title,
                   "text": text}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            total += len(text.encode("utf-8")) + len(title.encode("utf-8"))
            made += 1
print("%d articles, %d stories, %d bytes of text and titles" % (made, story, total))
