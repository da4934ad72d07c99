#!/usr/bin/env python3
"""Writes a synthetic county member sheet (CSV, Chinese headers) for the import benchmark and demos.

    scripts/gen-county.py HOUSEHOLDS OUT.csv

Household i has 3 members, every third household 4 (300,000 households make 1,000,000 members);
every ID number has a correct check character and is the file's only one (each relationship has an
area code of its own: a household's birth dates move a day every 1,000 households, and a head's date
reaches the spouses' 731,000 households later); every household passes the exit checks.
"""
import csv
import datetime
import sys

HEADERS = ["户编号", "行政区划代码", "村民小组", "户状态", "状态变动原因", "贫困户属性", "主要致贫原因",
           "其他致贫原因", "监测对象类别", "住房安全等级", "不愁吃", "不愁穿", "饮水安全", "收入年度",
           "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出", "医疗自付支出",
           "教育支出", "灾害损失", "其他刚性支出", "联系电话", "银行账号", "证件号码", "姓名", "与户主关系",
           "劳动技能", "健康状况", "残疾等级", "在校生状况", "参加城乡居民基本医疗保险",
           "参加城乡居民基本养老保险", "务工状况", "务工时间(月)", "增加原因", "减少原因"]
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def rid(area, birth, seq):
    first = area + birth.strftime("%Y%m%d") + "%03d" % (seq % 1000)
    return first + "10X98765432"[sum(int(c) * w for c, w in zip(first, W)) % 11]


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    people = [("户主", "普通劳动力", "非在校生", datetime.date(1960, 1, 1), "140525"),
              ("配偶", "普通劳动力", "非在校生", datetime.date(1962, 1, 1), "140524"),
              ("子女", "无劳动力", "小学", datetime.date(2010, 1, 1), "140522"),
              ("父母", "丧失劳动力", "非在校生", datetime.date(1935, 1, 1), "140521")]
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        for i in range(1, n + 1):
            area = "140525%03d%03d" % (100 + i % 20, 201 + (i // 20) % 30)
            hh = [f"H{i:07d}", area, f"{1 + i % 5}组", "未脱贫", "", "一般贫困户", "因病", "缺技术",
                  "", "B", "是", "是", "是", "2019", "15000.00", "1200.50", "0.00", "600.00", "300.00",
                  "0.00", "0.00", "0.00", "0.00", f"139{i:08d}", ""]
            k = 4 if i % 3 == 0 else 3
            day = datetime.timedelta(days=i // 1000)
            for rel, labor, school, base, born_in in people[:k]:
                w.writerow(hh + [rid(born_in, base + day, i), f"成员{i}", rel, labor, "健康", "", school, "是", "是",
                                 "", "", "", ""])


if __name__ == "__main__":
    main()
