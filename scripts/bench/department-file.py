#!/usr/bin/env python3
"""A department file of N rows for `fupin compare` at scale (docs/PERFORMANCE.md, "Department data
comparison"), drawn from a SQLite registry: 60% current members at a fixed stride, each with the next
item in turn (amounts for medical_expense and disaster cycle through empty, 9,999.99, 10,000 and
23,000.50), 39% valid ID numbers of no registered person (a risk item each), 1% broken check
characters.
    scripts/bench/department-file.py REGISTRY.db OUT.csv [N]   (N default 100000)
"""
import csv, sqlite3, sys

db, out = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def check(body):
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11]
items = ["vehicle", "company", "public_payroll", "commercial_housing", "medical_expense",
         "serious_illness", "disability", "death", "disaster", "unemployment"]
risk = ["medical_expense", "serious_illness", "disability", "disaster", "unemployment"]
amounts = ["", "9999.99", "10000", "23000.50"]
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
total = con.execute("SELECT COUNT(*) FROM member WHERE left_on IS NULL").fetchone()[0]
members = int(n * 0.60)
step = max(1, total // members)
rows = con.execute(
    "SELECT id_number, name FROM member WHERE left_on IS NULL AND rowid % ? = 0 LIMIT ?",
    (step, members)).fetchall()
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["id_number", "name", "item", "amount", "date", "department"])
    i = 0
    def amount(item):
        return amounts[i % 4] if item in ("medical_expense", "disaster") else ""
    for idn, name in rows:
        item = items[i % len(items)]
        w.writerow([idn, name, item, amount(item), "2020-06-01", "医保局"])
        i += 1
    k = 0
    while i < n:
        body = f"110101{1960 + k % 40:04d}{1 + k % 12:02d}{1 + k % 28:02d}{k % 1000:03d}"
        idn = body + check(body)
        if k % 100 == 0:  # 1% broken check characters
            idn = body + ("0" if idn[-1] != "0" else "1")
        item = risk[k % len(risk)]
        w.writerow([idn, f"测试{k}", item, amount(item), "2020-06-01", "民政局"])
        i += 1
        k += 1
print(f"{out}: {i} rows ({len(rows)} members of {total})")
