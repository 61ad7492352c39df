#!/usr/bin/env python3
"""Markdown tables for one driver from matrix.py's JSON: psql's verdict beside the driver's.

    tests/drivers/experiments/pg_netns_tables.py RESULTS.json RUNNER   (e.g. node_postgres.js)
"""

import json
import re
import sys


def verdict(result):
    if not result["connected"]:
        return "FAIL"
    return "OK (no TLS)" if result.get("tls") is False else "OK"


def cell(text, limit=170):
    text = re.sub(r"/tmp/h18-home[^/\s\"']*", "$HOME", text or "")
    text = re.sub(r"/work/matrix-dump/", "", text)
    text = text.replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main():
    results = json.load(open(sys.argv[1]))
    runner = sys.argv[2]
    print("### The matrix (verify-full, CAFILE as the only root)\n")
    print("| # | case | host | psql | driver | string form | driver's error |")
    print("|---|---|---|---|---|---|---|")
    differ = []
    for row in results["matrix"]:
        psql, mine = row["psql"], row[runner]
        same = psql["connected"] == mine["connected"]
        if not same:
            differ.append(row["case"])
        string = mine.get("string")
        string_cell = "same" if string and string["connected"] == mine["connected"] else (
            verdict(string) if string else "")
        mark = "" if same else " **≠**"
        error = "" if mine["connected"] else cell(mine["error"])
        print(f"| {row['case']} | {row['name']} | `{row['host']}` | {verdict(psql)} "
              f"| {verdict(mine)}{mark} | {string_cell} | {error} |")
    print(f"\nDiffers from psql in {len(differ)} of {len(results['matrix'])}: "
          f"{', '.join(differ) or 'none'}.\n")
    print("### Connection strings (the same URL for psql and the driver)\n")
    print("| case | psql | driver | driver's error (or psql's, when only psql fails) |")
    print("|---|---|---|---|")
    for row in results["sslmode"]:
        psql, mine = row["psql"], row[runner]
        mark = "" if verdict(psql) == verdict(mine) else " **≠**"
        if not mine["connected"]:
            error = cell(mine["error"])
        elif not psql["connected"]:
            error = "psql: " + cell(psql["error"])
        else:
            error = ""
        warned = " (warns)" if "Warning" in (mine.get("stderr") or "") else ""
        print(f"| {row['case']} | {verdict(psql)} | {verdict(mine)}{warned}{mark} | {error} |")


if __name__ == "__main__":
    main()
