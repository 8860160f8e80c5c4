#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/ from the repository's files.

Run from the repository root: python3 fuzz/seed_corpus.py
Seeds are named by their SHA-1, as libFuzzer names the inputs it adds, so
re-running adds nothing twice. Ledgers are cut to their first 50 lines. The
UI cases (tests/cases/*.case, each a base project and its changes) are first
written out as projects by the UI test binary (UI_MATERIALIZE).
"""

import atexit
import glob
import hashlib
import os
import re
import shutil
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = tempfile.mkdtemp(prefix="reddition-cases-")
atexit.register(shutil.rmtree, CASES, True)
subprocess.run(["cargo", "test", "--quiet", "--test", "ui"], cwd=ROOT, check=True,
               env=dict(os.environ, UI_MATERIALIZE=CASES))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
LEDGER_LINES = 50


def read(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return f.read()


def head(data, lines=LEDGER_LINES):
    return b"".join(data.splitlines(keepends=True)[:lines])


def seed(target, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def rel(pattern):
    return sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, pattern), recursive=True))


def cases(pattern):
    """Paths (absolute) in the written-out case projects."""
    return sorted(glob.glob(os.path.join(CASES, pattern)))


# parse: every specification file.
specs = rel("reports/**/*.rdn") + cases("*/reports/*.rdn")
for path in specs:
    seed("parse", read(path))

# check: spec files joined by \x01, then \0 and the tables joined by \x01 in
# the order the checker includes them (the harness's loader hands table n to
# the n-th include).
project = rel("reports/**/*.rdn")
tables = [read("reports/crosswalks/%s.csv" % name) for name in ("lakeshore", "riviere", "sommets")]
seed("check", b"\x01".join(read(p) for p in project) + b"\x00" + b"\x01".join(tables))
for case in cases("*/reports"):
    spec = b"\x01".join(read(p) for p in sorted(glob.glob(case + "/*.rdn")))
    case_tables = [read(p) for p in sorted(glob.glob(case + "/*.csv"))]
    seed("check", spec + (b"\x00" + b"\x01".join(case_tables) if case_tables else b""))

# crosswalk_table: every crosswalk table.
for path in rel("reports/crosswalks/*.csv") + cases("*/reports/*.csv"):
    seed("crosswalk_table", read(path))

# csv_reader: first byte = dialect (see csv_dialect in fuzz/src/lib.rs).
for path in rel("ledgers/riviere/*.csv"):
    seed("csv_reader", b"\x00" + head(read(path)))
for path in rel("ledgers/sommets/*.csv"):
    seed("csv_reader", b"\x01" + head(read(path)))
for path in rel("ledgers/lakeshore/*.csv"):
    seed("csv_reader", b"\x02" + head(read(path)))
for path in cases("*/ledgers/*.csv"):
    data = head(read(path))
    seed("csv_reader", b"\x04" + data)
    if data.startswith(b"Date;Compte;D"):  # windows-1252 debit/credit cases
        seed("csv_reader", b"\x00" + data)
tab = re.sub(rb"(\d\d)/(\d\d)/(\d{4})", rb"\3-\2-\1", head(read("tests/cases/bases/minimal/ledgers/gl-2024.csv")))
seed("csv_reader", b"\x03" + tab.replace(b";", b"\t"))

# amount: first byte = dialect (AMOUNT_DIALECTS in fuzz/src/lib.rs).
amounts = {
    0: ["1234.56", "-0.5", "  12 ", "1e5", "+1", "(5)", "0000000000000000000000000001.000001",
        "9999999999999999999999999999", "99999999999999999999999999999", "1.1234567", "-", "."],
    1: ["1234,56", "-12,5", "12,34,5", "1.5"],
    2: ["1 234 567,89", "1 23 456", "1\u00a0234,5", "1\u202f234\u00a0567,5", "-622 401,09", "1234 567"],
    3: ["1,234,567.89", "498,635.93", "1,23", "-0.00"],
    4: ["1.234,56", "1.234.567"],
    5: ["1'234.5", "12'34"],
}
for dialect, cells in amounts.items():
    for cell in cells:
        seed("amount", bytes([dialect]) + cell.encode())
