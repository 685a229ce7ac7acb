#!/usr/bin/env python3
"""gazetteer.py — builds the named-entity gazetteer that ng-train-ner
compiles into models/ner-<lang>.bin (section "gazetteer").

Reads, at build time, Debian's data:
  iso-codes          /usr/share/iso-codes/json/iso_3166-1.json (countries),
                     iso_3166-2.json (regions), iso_4217.json (currencies),
                     and their French translations (gettext .mo files under
                     /usr/share/locale/fr/LC_MESSAGES/)
  unicode-cldr-core  /usr/share/unicode/cldr/common/main/{en,fr}.xml
                     (territory and currency names, exemplar cities) and
                     common/bcp47/timezone.xml (city names)
  tzdata             /usr/share/zoneinfo/zone.tab (city -> country)
and the hand-written lists of lang/ (demonyms, titles, organisation heads,
international bodies), and writes one entry a line:

  name<TAB>kind<TAB>code

name folded (lowercase), kind one of country, city, region, currency,
demonym, title, orghead, body, honorific, mischead; code an ISO 3166-1 alpha-3 code, an ISO 4217
code, a body's code, or "-".  Output is sorted, so the same inputs give
the same bytes.  A missing Debian file is skipped with a warning (the
gazetteer is then smaller, never wrong).

Usage: gazetteer.py --lang-dir lang --out FILE
"""
import argparse
import gettext
import json
import os
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET

ISO = "/usr/share/iso-codes/json"
LOCALE_FR = "/usr/share/locale/fr/LC_MESSAGES"
CLDR = "/usr/share/unicode/cldr/common"
ZONETAB = "/usr/share/zoneinfo/zone.tab"


def warn(msg):
    print("gazetteer.py: " + msg, file=sys.stderr)


def load_json(name, key):
    path = os.path.join(ISO, name)
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)[key]
    except OSError as e:
        warn("%s: %s (skipped)" % (path, e))
        return []


def load_mo(domain):
    path = os.path.join(LOCALE_FR, domain + ".mo")
    try:
        with open(path, "rb") as f:
            return gettext.GNUTranslations(f)
    except OSError as e:
        warn("%s: %s (skipped)" % (path, e))
        return None


def load_xml(path):
    try:
        return ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        warn("%s: %s (skipped)" % (path, e))
        return None


def fold(s):
    s = s.replace("\u2019", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", s.strip().lower())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang-dir", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    out = {}  # (name, kind) -> code

    def add(name, kind, code):
        n = fold(name)
        if len(n) < 2 or "\t" in n:
            return
        out.setdefault((n, kind), code or "-")

    # countries: iso-codes names (common, official) in English and French
    fr1 = load_mo("iso_3166-1")
    a2_to_a3 = {}
    name_to_a3 = {}
    for c in load_json("iso_3166-1.json", "3166-1"):
        a3 = c["alpha_3"]
        a2_to_a3[c["alpha_2"]] = a3
        for k in ("name", "common_name", "official_name"):
            if k in c:
                add(c[k], "country", a3)
                name_to_a3[fold(c[k])] = a3
                if fr1:
                    add(fr1.gettext(c[k]), "country", a3)
        # "Korea, Republic of" -> also "Republic of Korea" is in official_name
    # CLDR territory names (short and variant forms: "US", "UK", "Côte d’Ivoire")
    for lang in ("en", "fr"):
        root = load_xml(os.path.join(CLDR, "main", lang + ".xml"))
        if root is None:
            continue
        for t in root.iter("territory"):
            code = t.get("type", "")
            if code in a2_to_a3 and t.text:
                add(t.text, "country", a2_to_a3[code])
            elif code.isdigit() and t.text and t.get("alt") is None:
                add(t.text, "region", "-")  # world regions: "Western Africa", "Afrique de l’Ouest"
        for cur in root.iter("currency"):
            code = cur.get("type", "")
            for dn in cur.findall("displayName"):
                if dn.text and dn.get("count") in (None, "one", "other"):
                    add(dn.text, "currency", code)
        for z in root.iter("zone"):
            ec = z.find("exemplarCity")
            if ec is not None and ec.text and z.get("type", "").count("/") == 1:
                add(ec.text, "city", z.get("type"))
    # regions: ISO 3166-2 subdivisions (names as the country writes them)
    for s in load_json("iso_3166-2.json", "3166-2"):
        add(s["name"], "region", a2_to_a3.get(s["code"][:2], "-"))
    # currencies: ISO 4217 names, English and French
    fr4 = load_mo("iso_4217")
    for c in load_json("iso_4217.json", "4217"):
        add(c["name"], "currency", c["alpha_3"])
        if fr4:
            add(fr4.gettext(c["name"]), "currency", c["alpha_3"])
    # cities: CLDR time-zone cities, with their country from zone.tab
    zone_cc = {}
    try:
        with open(ZONETAB, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                p = line.rstrip("\n").split("\t")
                if len(p) >= 3:
                    zone_cc[p[2]] = a2_to_a3.get(p[0], "-")
    except OSError as e:
        warn("%s: %s (skipped)" % (ZONETAB, e))
    root = load_xml(os.path.join(CLDR, "bcp47", "timezone.xml"))
    if root is not None:
        for t in root.iter("type"):
            zones = (t.get("alias") or "").split()
            desc = t.get("description") or ""
            if not zones or "/" not in zones[0] or "," not in desc:
                continue
            city = desc.split(",")[0]
            add(city, "city", zone_cc.get(zones[0], "-"))
    # cities named by zone (French exemplar cities were added above with
    # the zone as code): give them the zone's country
    for key in list(out):
        if key[1] == "city" and "/" in out[key]:
            out[key] = zone_cc.get(out[key], "-")
    # the hand-written lists
    for sub in sorted(os.listdir(a.lang_dir)):
        d = os.path.join(a.lang_dir, sub)
        for fname, kind in (("demonyms.txt", "demonym"), ("titles.txt", "title"),
                            ("org-heads.txt", "orghead"), ("bodies.txt", "body"),
                            ("honorifics.txt", "honorific"), ("misc-heads.txt", "mischead")):
            p = os.path.join(d, fname)
            if not os.path.isfile(p):
                continue
            with open(p, encoding="utf-8") as f:
                for line in f:
                    line = line.strip()
                    if not line or line.startswith("#"):
                        continue
                    cols = line.split("\t")
                    add(cols[0], kind, cols[1].strip().upper() if len(cols) > 1 else "-")
    # French and English news often drop the accents of capitals
    # ("Etats-Unis", "Etat islamique"): add the unaccented form too
    for (n, kind), code in list(out.items()):
        plain = "".join(ch for ch in unicodedata.normalize("NFD", n) if not unicodedata.combining(ch))
        plain = unicodedata.normalize("NFC", plain)
        if plain != n:
            out.setdefault((plain, kind), code)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("# newsgraph NER gazetteer, made by tools/gazetteer.py: name, kind, code\n")
        for (n, kind), code in sorted(out.items()):
            f.write("%s\t%s\t%s\n" % (n, kind, code))
    kinds = {}
    for (_, kind) in out:
        kinds[kind] = kinds.get(kind, 0) + 1
    warn("%d entries: %s" % (len(out), ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))


if __name__ == "__main__":
    main()
