#!/usr/bin/env python3
"""Markdown tables for docs/drivers/*.md from mysql_matrix.py's results.

    python3 mysql_tables.py OUT_DIR CLIENT [settings]   # mariadb, mysql2, pymysql, rootcert

The reference column is the mariadb client with --ssl-verify-server-cert (the task's
"psql" column for MySQL). `≠` marks a verdict that differs from it.
"""

import json
import sys
from pathlib import Path


def load(path):
    return {row["case"]: row for row in map(json.loads, path.open())} if path.exists() else {}


def verdict(result):
    return {True: "connects", False: "refuses", None: "error"}[result["connected"]]


def cell(text):
    return (text or "").replace("|", "\\|")[:160]


def main():
    out, client = Path(sys.argv[1]), sys.argv[2]
    matrix = load(out / "matrix.jsonl")
    extra = load(out / "matrix-pymysql-py3.13.jsonl")
    rootcert = load(out / "rootcert.jsonl")
    ref = "mariadb verify-full"
    if sys.argv[3:] == ["settings"]:
        print("| setting | connects | TLS | error or warning |")
        print("|---|---|---|---|")
        for row in map(json.loads, (out / "settings.jsonl").open()):
            if row["client"] == client:
                note = row["error"] or (row["stderr"].splitlines() or [""])[0]
                print(f"| {cell(row['setting'])} | {'yes' if row['connected'] else 'no'} "
                      f"| {'yes' if row.get('tls') else 'no'} | {cell(note)} |")
        return
    if client == "rootcert":
        print("| case | host | mariadb client | rootcert `mariadb://…&ssl-verify-server-cert=1` "
              "| mariadb `--ssl-ca` only | rootcert `mariadb://…?ssl-ca=` |")
        print("|---|---|---|---|---|---|")
        for c, row in matrix.items():
            r = rootcert[c]
            marks = ["" if r[k]["connected"] == row[k]["connected"] else " ≠"
                     for k in (ref, "mariadb verify-ca")]
            print(f"| {c} {row['name']} | `{row['host']}` | {verdict(row[ref])} "
                  f"| {verdict(r[ref])}{marks[0]} | {verdict(row['mariadb verify-ca'])} "
                  f"| {verdict(r['mariadb verify-ca'])}{marks[1]} |")
        return
    columns = [f"{client} verify-full", f"{client} verify-ca"]
    head = {"mariadb": ["`--ssl-verify-server-cert`", "`--ssl-ca` only"],
            "mysql2": ["`{ca, verifyIdentity: true}`", "`{ca}`"],
            "pymysql": ["`ssl_verify_identity=True`", "`ssl_verify_cert=True`"]}[client]
    if client == "pymysql" and extra:
        head.append("Python 3.13 `ssl_verify_identity=True`")
    first = [] if client == "mariadb" else ["mariadb client"]
    print("| case | host | " + " | ".join(first + head) + " | error (first refusing column) |")
    print("|---" * (3 + len(first) + len(head)) + "|")
    for c, row in matrix.items():
        cells = [] if client == "mariadb" else [verdict(row[ref])]
        results = [row[k] for k in columns]
        if client == "pymysql" and extra:
            results.append(extra[c]["pymysql-py3.13 verify-full"])
        for i, result in enumerate(results):
            same = client == "mariadb" or result["connected"] == row[
                ref if i != 1 else "mariadb verify-ca"]["connected"]
            cells.append(verdict(result) + ("" if same else " ≠"))
        error = next((r["error"] for r in results if not r["connected"]), "")
        print(f"| {c} {row['name']} | `{row['host']}` | " + " | ".join(cells)
              + f" | {cell(error)} |")


main()
