#!/usr/bin/env python3
"""Markdown tables from pg_matrix.py / pg_connstrings.py results, for docs/drivers/*.md.

usage: pg_tables.py DRIVER matrix MATRIX.json | connstrings CONNSTRINGS.json
"""
import json, re, sys


def cell(text, limit=230):
    text = " ".join((text or "").split()).replace("|", "\\|")
    # pgx repeats the whole connection string before the reason.
    text = re.sub(r"^(failed to connect to|cannot parse) `[^`]*`: ", r"\1 …: ", text)
    return text if len(text) <= limit else text[:limit] + "…"


def verdict(v):
    return "—" if v is None else ("connects" if v["connected"] else "refuses")


def main():
    driver, kind, path = sys.argv[1:4]
    rows = json.load(open(path))
    if kind == "matrix":
        print(f"| # | case | host | psql | {driver} | {driver}'s error |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            p, d = r["psql"], r[driver]
            mark = " **≠**" if p["connected"] != d["connected"] else ""
            print(f"| {r['id']} | {cell(r['name'])} | `{r['host']}` | {verdict(p)} | "
                  f"{verdict(d)}{mark} | {cell(d['error']) if not d['connected'] else ''} |")
    else:
        print(f"| case | psql | {driver} | {driver}'s error |")
        print("|---|---|---|---|")
        for r in rows:
            if driver not in r:
                continue
            p, d = r.get("psql"), r[driver]
            mark = " **≠**" if p is not None and p["connected"] != d["connected"] else ""
            print(f"| {cell(r['desc'])} | {verdict(p)} | {verdict(d)}{mark} | "
                  f"{cell(d['error']) if not d['connected'] else ''} |")


if __name__ == "__main__":
    main()
