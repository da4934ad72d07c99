#!/usr/bin/env python3
"""Baseline: the whole-registry assessment of `fupin assess --all` in pandas over the CSV that
`fupin export` writes (one row per member, Chinese headers). Counts by county and in total.

    python3 scripts/bench/assess_pandas.py EXPORT.csv AS_OF LINE MLINE

LINE and MLINE are the poverty and monitoring lines (yuan) of the one policy that applies to the
data. Money is compared in fen (integers), as the store keeps it.
"""
import sys
import time

import pandas as pd

t0 = time.time()
path, as_of, line, mline = sys.argv[1], pd.Timestamp(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
money = ["工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出",
         "医疗自付支出", "教育支出", "灾害损失", "其他刚性支出"]
cols = ["户编号", "行政区划代码", "户状态", "住房安全等级", "不愁吃", "不愁穿", "饮水安全",
        "证件号码", "在校生状况", "参加城乡居民基本医疗保险"] + money
df = pd.read_csv(path, usecols=cols, dtype=str, keep_default_na=False)
t_read = time.time() - t0

for c in money:
    df[c] = (pd.to_numeric(df[c].replace("", "0")) * 100).round().astype("int64")
has_member = df["证件号码"] != ""
born = pd.to_datetime(df["证件号码"].str.slice(6, 14), format="%Y%m%d", errors="coerce")
age = as_of.year - born.dt.year - ((born.dt.month > as_of.month) |
                                  ((born.dt.month == as_of.month) & (born.dt.day > as_of.day))).astype(int)
df["out_of_school"] = has_member & df["在校生状况"].isin(["非在校生", "辍学"]) & age.between(6, 15)
df["uninsured"] = has_member & (df["参加城乡居民基本医疗保险"] != "是")
df["member"] = has_member.astype(int)

g = df.groupby("户编号", sort=False)
h = g.agg(area=("行政区划代码", "first"), status=("户状态", "first"), housing=("住房安全等级", "first"),
          food=("不愁吃", "first"), clothing=("不愁穿", "first"), water=("饮水安全", "first"),
          n=("member", "sum"), out_of_school=("out_of_school", "any"), uninsured=("uninsured", "any"),
          wage=("工资性收入", "first"), business=("生产经营性收入", "first"), prop=("财产性收入", "first"),
          transfer=("转移性收入", "first"), cost=("生产经营性支出", "first"), med=("医疗自付支出", "first"),
          edu=("教育支出", "first"), dis=("灾害损失", "first"), oth=("其他刚性支出", "first"))
net = h.wage + h.business + h.prop + h.transfer - h.cost
rigid = h.med + h.edu + h.dis + h.oth
fails = ((h.food != "是") | (h.clothing != "是") | h.out_of_school | h.uninsured |
         ~h.housing.isin(["A", "B"]) | (h.water != "是"))
status = h.status.map({"未脱贫": "poor", "已脱贫": "exited", "返贫": "returned", "清退": "removed",
                       "非贫困户": "non_poor"})
h["status"] = status
h["exit_meets"] = status.isin(["poor", "returned"]) & (net > line * 100 * h.n) & ~fails
below = (net < mline * 100 * h.n) | fails
mon = pd.Series("none", index=h.index)
mon[~status.isin(["exited", "non_poor"])] = ""
mon[(mon == "none") & (net - rigid < mline * 100 * h.n)] = "sudden_hardship"
mon[status.eq("exited") & below] = "unstable"
mon[status.eq("non_poor") & below] = "marginal"
h["monitoring"] = mon
h["county"] = h.area.str.slice(0, 6)


def counts(x):
    out = {}
    for s in ["poor", "exited", "returned", "removed"]:
        m = x.status == s
        out[s + "_h"], out[s + "_p"] = int(m.sum()), int(x.n[m].sum())
    m = x.exit_meets
    out["meets_h"], out["meets_p"] = int(m.sum()), int(x.n[m].sum())
    for s in ["unstable", "marginal", "sudden_hardship"]:
        m = x.monitoring == s
        out[s + "_h"], out[s + "_p"] = int(m.sum()), int(x.n[m].sum())
    return pd.Series(out)


rows = h.groupby("county").apply(counts, include_groups=False)
rows.loc["all"] = counts(h)
pd.set_option("display.width", 250)
pd.set_option("display.max_columns", 30)
print(rows)
print(f"read {t_read:.2f}s, total {time.time() - t0:.2f}s, {len(h)} households", file=sys.stderr)
