#!/usr/bin/env python3
"""Run every query in docs/queries.md against a freshly recorded database.

usage: test_queries.py E1KSIM DOC.md   (from the project's root)

```sql blocks go to the sqlite3 shell, ```sh blocks to sh, ```python blocks
to python3, each in a scratch directory holding the database as results.db;
each must succeed and print something. Blocks needing pandas run when pandas
is installed; otherwise the SQL strings in them are still run, with the
standard library's sqlite3.
"""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile


def main():
    e1ksim, doc = os.path.abspath(sys.argv[1]), sys.argv[2]
    text = open(doc, encoding="utf-8").read()
    blocks = re.findall(r"^```(\w+)\n(.*?)^```", text, re.S | re.M)
    if not blocks:
        sys.exit("FAIL: no code blocks in " + doc)
    try:
        import pandas  # noqa: F401
        have_pandas = True
    except ImportError:
        have_pandas = False
    work = tempfile.mkdtemp(prefix="e1k-queries-test.")
    failures = 0
    try:
        db = os.path.join(work, "results.db")
        subprocess.run(["sh", "tests/report/make_db.sh", e1ksim, db], check=True)
        for n, (lang, body) in enumerate(blocks, 1):
            first = body.strip().splitlines()[0][:70]
            if lang == "sql":
                cmd = ["sqlite3", "-bail", "-header", "results.db"]
            elif lang == "sh":
                cmd = ["sh", "-e"]
            elif lang == "python":
                if "import pandas" in body and not have_pandas:
                    sqls = re.findall(r'"""(.*?)"""', body, re.S)
                    con = sqlite3.connect(db)
                    for q in sqls:
                        rows = con.execute(q).fetchall()
                        if not rows:
                            print("FAIL block %d (pandas, no pandas here): no rows from %r" % (n, q))
                            failures += 1
                    con.close()
                    print("ok   block %d (%s; pandas missing: its %d queries checked): %s"
                          % (n, lang, len(sqls), first))
                    continue
                cmd = [sys.executable, "-"]
            else:
                continue
            p = subprocess.run(cmd, input=body, cwd=work, capture_output=True, text=True,
                               timeout=60)
            if p.returncode != 0 or p.stderr.strip() or not p.stdout.strip():
                print("FAIL block %d (%s): %s\n  exit %d\n  stderr: %s\n  stdout: %s"
                      % (n, lang, first, p.returncode, p.stderr.strip()[:500],
                         p.stdout.strip()[:200]))
                failures += 1
            else:
                print("ok   block %d (%s, %d lines out): %s"
                      % (n, lang, len(p.stdout.splitlines()), first))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        sys.exit("FAIL: %d of %d blocks" % (failures, len(blocks)))
    print("queries ok: %d blocks" % len(blocks))


if __name__ == "__main__":
    main()
