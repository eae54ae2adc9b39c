#!/usr/bin/env python3
"""Prints the per-rule table of docs/next-auth-v3-results.md from the cells' JSON reports.

Usage: ci/v3-results-table.py <NEXTAUTH_REPORT_DIR of a run of the next_auth_v3 and
next_auth_v3_prisma tests>. A rule is listed when it fails in at least one cell; the Prisma
columns are the seed's naming (the renamed one gives the same, which the tests assert).
"""
import json
import sys
from pathlib import Path

ZONE = "tz-pacific-chatham::"
CELLS = [
    ("TypeORM PG DDL", "next-auth@3.29.10-postgres.json"),
    ("TypeORM PG sync", "next-auth@3.29.10-postgres-synchronize.json"),
    ("TypeORM Maria DDL", "next-auth@3.29.10-mysql.json"),
    ("TypeORM Maria sync", "next-auth@3.29.10-mysql-synchronize.json"),
    ("Prisma PG", "next-auth@3.29.10-prisma-postgres.json"),
    ("Prisma Maria", "next-auth@3.29.10-prisma-mysql.json"),
]


def main(directory: Path) -> None:
    reports = [json.loads((directory / name).read_text()) for _, name in CELLS]
    outcome = [{r["id"]: r for r in report["results"]} for report in reports]
    order = [r["id"] for r in reports[0]["results"] if not r["id"].startswith(ZONE)]
    print("| rule | level | " + " | ".join(label for label, _ in CELLS) + " | cause |")
    print("| --- | --- | " + " | ".join("---" for _ in CELLS) + " | --- |")
    for rule in order:
        cells, causes, failing = [], [], False
        for results in outcome:
            utc, zone = results.get(rule), results.get(ZONE + rule)
            failed = utc is not None and utc["status"] == "failed"
            failed_zone = zone is not None and zone["status"] == "failed"
            failing |= failed or failed_zone
            for r in (utc, zone):
                if r is not None and r["status"] == "failed" and r.get("cause") not in causes:
                    causes.append(r.get("cause"))
            if failed and failed_zone:
                cells.append("FAIL, zone too")
            elif failed:
                cells.append("FAIL")
            elif failed_zone:
                cells.append("zone only")
            elif utc is not None and utc["status"] == "not_applicable":
                cells.append("n/a")
            else:
                cells.append("pass")
        if failing:
            level = outcome[0][rule]["level"].upper()
            print(f"| `{rule}` | {level} | " + " | ".join(cells) + " | " + ", ".join(causes) + " |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
