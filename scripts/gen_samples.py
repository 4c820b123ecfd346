#!/usr/bin/env python3
"""Generate the sample data files in rulesets/samples/ (deterministic: fixed seed).

    python3 scripts/gen_samples.py            # writes rulesets/samples/*

One sample per shipped ruleset, with the column headers that ruleset maps (Chinese, as the
industry exports them). The values are drawn per row from a "profile" so that every grade of
the ruleset occurs, and dates fall around 2026-08..2026-11 so that follow-ups are sometimes
overdue at the as-of date 2026-11-23.

Encodings: the distributor sample is GBK (as Chinese Excel saves CSV), the pharma sample is
.xlsx (needs `pip install openpyxl`), the others are UTF-8 with a BOM (Excel's "CSV UTF-8").
Only two samples carry deliberate dirt (an empty required cell, a bad number or date): the
distributor and the health-leads samples; all others are clean.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "rulesets" / "samples"
AS_OF = dt.date(2026, 11, 23)
SEED = 20261123

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂焦向柳邢骆岳齐沿梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解强丛华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来嵺苟全褚廉简娄盖符奚木穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻揭窦迟宇敖糜鄢冷卓花艾蓝都巩稽井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应台巫鞠僧桑荆谌银扬明沙薄伏岑习胥保和蔺"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂英华玉兰萍鹏辉玲建华飞鑫波宇浩凯婷雪琳晨晓东海燕红梅文斌志强建国丹颖倩慧佳瑞博阳然子轩欣怡梓涵宇航思远"
FIRMS = ["鑫源", "恒达", "永昌", "华联", "宏达", "盛世", "金石", "东方", "远航", "百川", "瑞丰", "中兴",
         "天成", "汇通", "联创", "德信", "新纪元", "三和", "长城", "华泰", "宝丰", "正大", "安泰", "万隆",
         "嘉禾", "同创", "九州", "富源", "晨光", "利民", "兴业", "海天", "卓越", "光明", "建业", "广厦"]
CITIES = ["苏州", "杭州", "南京", "合肥", "宁波", "无锡", "济南", "郑州", "武汉", "长沙", "成都", "重庆",
          "西安", "石家庄", "太原", "南昌", "福州", "厦门", "青岛", "大连", "沈阳", "昆明", "南宁", "佛山"]
REGIONS = {"苏州": "华东", "杭州": "华东", "南京": "华东", "合肥": "华东", "宁波": "华东", "无锡": "华东",
           "济南": "华北", "郑州": "华中", "武汉": "华中", "长沙": "华中", "成都": "西南", "重庆": "西南",
           "西安": "西北", "石家庄": "华北", "太原": "华北", "南昌": "华中", "福州": "华南", "厦门": "华南",
           "青岛": "华北", "大连": "东北", "沈阳": "东北", "昆明": "西南", "南宁": "华南", "佛山": "华南"}


class Gen:
    """Random helpers over one seeded generator, so every file is reproducible."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.used_names: set[str] = set()

    def person(self) -> str:
        for _ in range(100):
            name = self.r.choice(SURNAMES) + "".join(self.r.choice(GIVEN) for _ in range(self.r.choice([1, 2])))
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        return self.r.choice(SURNAMES) + self.r.choice(GIVEN)

    def firm(self, suffixes: list[str]) -> tuple[str, str]:
        city = self.r.choice(CITIES)
        return city, f"{city}{self.r.choice(FIRMS)}{self.r.choice(suffixes)}"

    def date(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.r.randint(0, (end - start).days))

    def recent(self, max_days: int = 110, min_days: int = 0) -> dt.date:
        return AS_OF - dt.timedelta(days=self.r.randint(min_days, max_days))

    def yn(self, p: float) -> str:
        return "是" if self.r.random() < p else "否"

    def phone(self) -> str:
        return "1" + self.r.choice("3589") + "".join(str(self.r.randint(0, 9)) for _ in range(9))


def fmt(x: float, nd: int = 2) -> str:
    """A number as a CRM export writes it: no trailing zeros."""
    s = f"{x:.{nd}f}".rstrip("0").rstrip(".")
    return s if s != "-0" else "0"


def write_csv(name: str, header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> None:
    path = OUT / name
    with path.open("w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    print(f"{path.relative_to(ROOT)}: {len(rows)} rows ({encoding})")


def save_xlsx_reproducibly(wb, path: Path) -> None:
    """Save an openpyxl workbook byte-for-byte reproducibly.

    openpyxl stamps the save time into docProps/core.xml and the zip entries; both are pinned to
    the as-of date so that rerunning this script gives an identical file.
    """
    import io
    import re
    import zipfile

    buf = io.BytesIO()
    wb.save(buf)
    stamp = "2026-11-23T00:00:00Z"
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 11, 23, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)


# --- S1 distributor (GBK, with dirt) -------------------------------------------------------------

def distributor(g: Gen) -> None:
    header = ["客户编号", "客户名称", "区域", "年度销售额(万元)", "上年销售额(万元)", "销售批次", "欠款(万元)",
              "回款率", "上年回款率", "退货率", "本年新增", "经理评分", "最近拜访日期"]
    rows = []
    profiles = (["A"] * 8 + ["B"] * 22 + ["C"] * 26 + ["D"] * 22 + ["idle"] * 6 + ["stale"] * 5
                + ["new_ok"] * 5 + ["new_small"] * 6)
    g.r.shuffle(profiles)
    for i, p in enumerate(profiles, start=1):
        city, name = g.firm(["商贸有限公司", "建材经营部", "五金批发部", "贸易有限公司", "经销处"])
        last_year, coll_prev, new = None, None, "否"
        if p == "A":
            sales = g.r.uniform(180, 380); last_year = sales / g.r.uniform(1.22, 1.45)
            coll = g.r.uniform(97.5, 100); ret = g.r.uniform(0.2, 1.5); mgr = g.r.randint(82, 96); batches = g.r.randint(15, 40)
        elif p == "B":
            sales = g.r.uniform(110, 230); last_year = sales / g.r.uniform(1.08, 1.3)
            coll = g.r.uniform(93, 99.5); ret = g.r.uniform(0.8, 3.5); mgr = g.r.randint(65, 88); batches = g.r.randint(8, 25)
        elif p == "C":
            sales = g.r.uniform(60, 160); last_year = sales / g.r.uniform(1.03, 1.2)
            coll = g.r.uniform(93, 98); ret = g.r.uniform(1.5, 5); mgr = g.r.randint(55, 80); batches = g.r.randint(4, 14)
        elif p == "D":
            sales = g.r.uniform(3, 45); last_year = sales / g.r.uniform(0.4, 1.05)
            coll = g.r.uniform(78, 94); ret = g.r.uniform(3, 9); mgr = g.r.randint(35, 70); batches = g.r.randint(1, 6)
            if g.r.random() < 0.3:
                coll_prev = coll + g.r.uniform(10, 15)
        elif p == "idle":
            sales = 0.0; last_year = g.r.choice([0.0, g.r.uniform(2, 15)]); coll = None; ret = None
            mgr = g.r.randint(20, 50); batches = 0
        elif p == "stale":
            sales = g.r.choice([0.0, g.r.uniform(0.5, 1.9)]); last_year = g.r.uniform(8, 30)
            coll = None if sales == 0 else g.r.uniform(20, 60); ret = None if sales == 0 else g.r.uniform(0, 3)
            mgr = g.r.randint(15, 40); batches = 0 if sales == 0 else 1
        elif p == "new_ok":
            sales = g.r.uniform(12, 90); coll = g.r.uniform(95, 100); ret = g.r.uniform(0.5, 3); mgr = g.r.randint(60, 85)
            batches = g.r.randint(3, 9); new = "是"
        else:  # new_small
            sales = g.r.uniform(1.5, 9.5); coll = g.r.uniform(88, 100); ret = g.r.uniform(0, 4); mgr = g.r.randint(45, 75)
            batches = g.r.randint(1, 3); new = "是"
        arrears = 0.0
        if p in ("stale",):
            arrears = g.r.uniform(2.5, 18)
        elif p == "idle" and g.r.random() < 0.5:
            arrears = g.r.uniform(0.3, 1.5)
        elif p in ("C", "D") and g.r.random() < 0.4:
            arrears = g.r.uniform(0.5, 8)
        if coll is not None and coll_prev is None and p in ("B", "C") and g.r.random() < 0.5:
            coll_prev = min(100.0, coll + g.r.uniform(-3, 4))
        visit = g.recent(150 if p in ("D", "idle", "stale") else 75)
        rows.append([
            f"JX{i:04d}", name, REGIONS[city], fmt(sales), "" if last_year is None else fmt(last_year), str(batches),
            fmt(arrears), "" if coll is None else fmt(coll, 1) + "%", "" if coll_prev is None else fmt(min(coll_prev, 100), 1) + "%",
            "" if ret is None else fmt(ret, 1) + "%", new, str(mgr), visit.isoformat(),
        ])
    # Realistic dirt (this sample and health_leads only): an empty required cell, a bad number.
    rows[17][11] = ""            # 经理评分 left empty by the regional manager
    rows[42][3] = "12.5O"        # letter O typed for a zero
    write_csv("distributor_composite.gbk.csv", header, rows, encoding="gbk")


# --- S2 property potential --------------------------------------------------------------------------

def property_potential(g: Gen) -> None:
    header = ["客户编号", "项目名称", "区域", "联系人", "建筑面积(万㎡)", "项目金额(万元)", "业主结构", "企业性质",
              "客户来源", "最近拜访日期"]
    kinds = ["商业综合体", "产业园", "写字楼", "医院后勤楼", "物流中心", "安置小区", "学校校区", "酒店", "厂区", "政务中心"]
    sources = ["业主直接关系", "员工直接关系", "政府推荐", "朋友介绍", "朋友推荐", "网络搜索", "杂志", "展会资料"]
    rows = []
    for i in range(1, 61):
        city = g.r.choice(CITIES)
        size = g.r.random()
        if size < 0.35:
            area = g.r.uniform(3, 9); value = g.r.uniform(60, 400)
        elif size < 0.7:
            area = g.r.uniform(1.5, 2.99); value = g.r.uniform(30, 99)
        else:
            area = g.r.uniform(0.3, 1.49); value = g.r.uniform(8, 49)
        if g.r.random() < 0.12:
            value = g.r.uniform(100, 180)  # small area but valuable: area and value disagree
        area_cell = "" if g.r.random() < 0.08 else fmt(area)
        rows.append([f"WY{i:03d}", f"{city}{g.r.choice(FIRMS)}{g.r.choice(kinds)}", REGIONS[city], g.person(),
                     area_cell, fmt(value, 0), g.r.choice(["独立业主", "独立业主", "多家业主"]),
                     g.r.choice(["私营", "民营", "国企", "国有"]), g.r.choice(sources), g.recent(70).isoformat()])
    write_csv("property_potential.csv", header, rows)


# --- S3 pharma nine-grid (.xlsx) -------------------------------------------------------------------

def pharma(g: Gen) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header = ["序号", "医院", "科室", "姓名", "职称", "医院级别", "医院年收入(亿元)", "处方行为", "月均处方量(支)",
              "竞品月均处方量(支)", "最近拜访日期"]
    hospitals = [("省人民医院", "三甲", 38), ("市第一人民医院", "三甲", 22), ("医科大学附属医院", "三甲", 45),
                 ("市中医院", "三乙", 1.6), ("市第三人民医院", "三乙", 1.5), ("区人民医院", "二甲", 2.4),
                 ("区中心医院", "二甲", 1.2), ("县人民医院", "二甲", 0.9), ("县中医院", "二乙", 0.6),
                 ("街道社区医院", "社区医院", 0.1), ("镇卫生院", "卫生院", 0.05)]
    depts = ["神经内科", "心内科", "内分泌科", "老年科", "神经外科", "全科"]
    titles = ["主任医师", "副主任医师", "主治医师", "主治医师", "住院医师"]
    wb = Workbook()
    ws = wb.active
    ws.title = "客户分级表"
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
    for i in range(1, 81):
        hosp, level, revenue = g.r.choice(hospitals)
        title = g.r.choice(titles)
        behaviour = g.r.choice(["首选", "首选", "次选", "二线", "竞品", "未使用", None])
        ours = {"首选": g.r.randint(300, 900), "次选": g.r.randint(100, 500), "二线": g.r.randint(80, 400),
                "竞品": g.r.randint(0, 60), "未使用": 0, None: g.r.choice([0, g.r.randint(100, 800)])}[behaviour]
        comp = g.r.randint(0, 1000) if g.r.random() < 0.8 else None
        visit = g.recent(25)
        ws.append([i, hosp, g.r.choice(depts), g.person(), title, level, revenue, behaviour, ours, comp,
                   dt.datetime(visit.year, visit.month, visit.day)])
        ws.cell(row=ws.max_row, column=11).number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEFGHIJK", [6, 18, 10, 8, 12, 10, 16, 10, 14, 18, 14]):
        ws.column_dimensions[col].width = width
    path = OUT / "pharma_ninegrid.xlsx"
    save_xlsx_reproducibly(wb, path)
    print(f"{path.relative_to(ROOT)}: 80 rows (xlsx)")


# --- S4 lead close time ------------------------------------------------------------------------------

def lead_close_time(g: Gen) -> None:
    header = ["线索编号", "客户名称", "行业", "需求判断", "预计成交日期", "预计金额(万元)", "负责人", "最近跟进日期"]
    industries = ["制造", "零售", "医疗", "教育", "物流", "能源"]
    reps = [g.person() for _ in range(5)]
    rows = []
    for i in range(1, 71):
        _, name = g.firm(["科技有限公司", "实业有限公司", "集团", "股份有限公司"])
        need = g.r.choices(["明确", "明显需求", "潜在", "无需求"], [50, 10, 25, 15])[0]
        if need in ("明确", "明显需求"):
            close = AS_OF + dt.timedelta(days=g.r.randint(-15, 260)) if g.r.random() > 0.06 else None
        elif need == "潜在":
            close = AS_OF + dt.timedelta(days=g.r.randint(60, 400)) if g.r.random() < 0.5 else None
        else:
            close = None
        rows.append([f"XS{i:04d}", name, g.r.choice(industries), need, "" if close is None else close.isoformat(),
                     fmt(g.r.uniform(5, 300), 1), g.r.choice(reps), g.recent(45).isoformat()])
    write_csv("lead_close_time.csv", header, rows)


# --- S5 health leads (with dirt) ----------------------------------------------------------------

def health_leads(g: Gen) -> None:
    header = ["序号", "获客时间", "姓名", "年龄", "电话", "获客渠道", "产品期望", "疾病需求", "购买力", "有意识", "有需求",
              "沟通意愿", "允许联系", "挂单", "重点客户", "建议类别", "沟通时间", "沟通纪要"]
    channels = ["异业合作", "老客转介绍", "线上咨询", "社区讲座", "体检中心", "抖音"]
    diseases = ["", "糖尿病", "关节退行", "术后康复", "亚健康", "家人有需求"]
    notes = ["电话沟通，了解家庭情况", "有顾虑，想再了解效果", "约下周到公司参观", "暂不考虑", "已发资料", "未接通"]
    rows = []
    for i in range(1, 81):
        p = g.r.random()
        if p < 0.3:
            crit = g.r.sample([1, 1, 0], 3) if g.r.random() < 0.6 else [1, 1, 1]
            will = g.r.choice(["积极", "一般"])
        elif p < 0.6:
            crit = g.r.sample([1, 0, 0], 3); will = g.r.choice(["积极", "一般", "有抗点"])
        elif p < 0.8:
            crit = [0, 0, 0]; will = g.r.choice(["一般", "积极"])
        else:
            crit = [g.r.randint(0, 1) for _ in range(3)]; will = g.r.choice(["不需要", "拒绝沟通", "一般"])
        parked = g.yn(0.08); allowed = "否" if g.r.random() < 0.04 else "是"
        suggestion = g.r.choice(["", "", "", "A", "B", "C", "D"])
        rows.append([str(i), g.date(dt.date(2026, 5, 1), dt.date(2026, 11, 15)).isoformat(), g.person(),
                     str(g.r.randint(28, 72)), g.phone(), g.r.choice(channels), g.r.choice(["改善体质", "疾病治疗", "抗衰", ""]),
                     g.r.choice(diseases), *["是" if c else "否" for c in crit], will, allowed, parked, g.yn(0.15),
                     suggestion, g.recent(g.r.choice([4, 10, 40])).isoformat(), g.r.choice(notes)])
    rows[9][11] = ""                  # 沟通意愿 not filled in
    rows[55][16] = "11月第二周"        # a contact date typed as text
    write_csv("health_leads.csv", header, rows)


# --- S6 real estate ------------------------------------------------------------------------------------

def real_estate(g: Gen) -> None:
    header = ["客户编号", "客户姓名", "置业顾问", "来访日期", "有购房需求", "资金或贷款资格", "已选定房源", "已交意向金/预约金",
              "购买意向", "认可地段及产品", "价格态度", "当期产品匹配", "已认购", "意向变淡", "定级日期", "最近回访日期"]
    consultants = [g.person() for _ in range(4)]
    rows = []
    for i in range(1, 71):
        p = g.r.random()
        need, means, chosen, deposit, intent, loc, price, fit, bought, fading = "是", "是", "否", "否", "一般", "否", "可引导", "部分满足", "否", "否"
        if p < 0.18:    # A
            chosen, deposit, intent, loc, price, fit = "是", "是", "明确", "是", g.r.choice(["认可", "差距不大"]), "满足"
            bought = g.yn(0.3)
        elif p < 0.38:  # B
            chosen, intent, loc, price, fit = "是", "明确", "是", g.r.choice(["认可", "差距不大"]), "满足"
            fading = g.yn(0.2)
        elif p < 0.58:  # C
            intent, price, fit = g.r.choice(["一般", "较弱"]), "可引导", "部分满足"
        elif p < 0.72:  # C1
            intent, price, fit = "一般", "不可引导", g.r.choice(["满足", "部分满足"])
        elif p < 0.86:  # C2
            intent, price, fit = g.r.choice(["一般", "较弱"]), g.r.choice(["可引导", "不可引导"]), "仅后期满足"
        else:           # 无效
            need, means = g.r.choice([("否", "是"), ("是", "否"), ("否", "否")])
            intent, fit = "较弱", "不满足"
        visit = g.date(dt.date(2026, 8, 1), dt.date(2026, 11, 20))
        graded = visit + dt.timedelta(days=g.r.randint(0, 10))
        graded = min(graded, AS_OF)
        last = max(graded, AS_OF - dt.timedelta(days=g.r.randint(1, 12)))
        rows.append([f"FK{i:04d}", g.person() + g.r.choice(["先生", "女士"]), g.r.choice(consultants), visit.isoformat(),
                     need, means, chosen, deposit, intent, loc, price, fit, bought, fading, graded.isoformat(),
                     "" if g.r.random() < 0.05 else last.isoformat()])
    write_csv("real_estate.csv", header, rows)


# --- S7 furniture VIP ----------------------------------------------------------------------------------

def furniture_vip(g: Gen) -> None:
    header = ["客户编号", "客户姓名", "手机", "门店", "累计消费金额(万元)", "购买次数", "转介绍成交数", "购买/使用过竞品",
              "有投诉记录", "粉丝级(分享/带客)", "送货日期"]
    stores = ["万达店", "红星美凯龙店", "居然之家店", "旗舰店"]
    rows = []
    for i in range(1, 61):
        spend = g.r.choice([g.r.uniform(0.8, 2.9)] * 3 + [g.r.uniform(3, 5.9)] * 2 + [g.r.uniform(6, 15)])
        times = g.r.choices([1, 2, 3], [88, 9, 3])[0]
        refs = g.r.choices([0, 1, 2], [92, 7, 1])[0]
        rows.append([f"JJ{i:04d}", g.person(), g.phone(), g.r.choice(stores), fmt(spend), str(times), str(refs),
                     g.yn(0.12), g.yn(0.08), g.yn(0.1), g.recent(20).isoformat()])
    write_csv("furniture_vip.csv", header, rows)


# --- S8 contract rolling -----------------------------------------------------------------------------

def contract_rolling(g: Gen) -> None:
    header = ["客户编号", "客户名称", "所属方", "近12个月交易额(万元)", "最近交易日期", "统计截止日", "最近联系日期"]
    rows = []
    for i in range(1, 61):
        party = "甲方" if i <= 32 else "乙方"
        _, name = g.firm(["贸易有限公司", "工程有限公司", "实业有限公司"])
        p = g.r.random()
        if p < 0.35:
            amount = g.r.uniform(30, 180); last = g.recent(200)
        elif p < 0.7:
            amount = g.r.uniform(2, 49); last = g.recent(330)
        elif p < 0.85:
            amount = 0.0; last = AS_OF - dt.timedelta(days=g.r.randint(370, 900))
        else:
            amount = 0.0; last = None
        cutoff = dt.date(2026, 11, 20) if g.r.random() < 0.9 else dt.date(2026, 10, 31)
        rows.append([f"{'J' if party == '甲方' else 'Y'}{i:03d}", name, party, fmt(amount),
                     "" if last is None else last.isoformat(), cutoff.isoformat(), g.recent(120).isoformat()])
    write_csv("contract_rolling.csv", header, rows)


# --- S9 review cadence -----------------------------------------------------------------------------------

def review_cadence(g: Gen) -> None:
    header = ["客户编号", "客户名称", "近12个月合作次数", "合作年限(年)", "年合作金额(万元)", "合作潜力", "上次评估日期"]
    rows = []
    for i in range(1, 51):
        tier = g.r.random()
        if tier < 0.2:
            n, yrs, amt, pot = g.r.randint(10, 30), g.r.uniform(4, 12), g.r.uniform(150, 600), g.r.choice(["高", "较高"])
        elif tier < 0.5:
            n, yrs, amt, pot = g.r.randint(5, 14), g.r.uniform(2.5, 6), g.r.uniform(40, 220), g.r.choice(["较高", "一般"])
        elif tier < 0.8:
            n, yrs, amt, pot = g.r.randint(2, 7), g.r.uniform(0.8, 3.5), g.r.uniform(8, 60), g.r.choice(["一般", "较低"])
        else:
            n, yrs, amt, pot = g.r.randint(0, 2), g.r.uniform(0.1, 1.2), g.r.uniform(0.5, 12), g.r.choice(["较低", "一般"])
        _, name = g.firm(["机电设备有限公司", "包装材料有限公司", "化工有限公司", "电子有限公司"])
        last = g.date(dt.date(2024, 10, 1), dt.date(2026, 11, 1)) if g.r.random() > 0.06 else None
        rows.append([f"K{i:03d}", name, str(n), fmt(yrs, 1), fmt(amt), pot, "" if last is None else last.isoformat()])
    write_csv("review_cadence.csv", header, rows)


# --- S10 pareto ABC -------------------------------------------------------------------------------------

def pareto_abc(g: Gen) -> None:
    header = ["客户编号", "客户名称", "区域", "年度销售额(万元)", "回款率", "最近拜访日期"]
    rows = []
    for i in range(1, 121):
        city, name = g.firm(["商贸有限公司", "超市", "批发部", "连锁有限公司"])
        sales = round(g.r.lognormvariate(2.3, 1.6), 2)
        coll = "" if g.r.random() < 0.1 else fmt(g.r.uniform(82, 100), 1) + "%"
        rows.append([f"C{i:04d}", name, REGIONS[city], fmt(min(sales, 2500)), coll, g.recent(75).isoformat()])
    write_csv("pareto_abc.csv", header, rows)


# --- S11 RFM ---------------------------------------------------------------------------------------------

def rfm(g: Gen) -> None:
    header = ["会员编号", "姓名", "手机", "最近消费日期", "近12个月消费次数", "近12个月消费金额(元)"]
    rows = []
    for i in range(1, 201):
        days = int(min(360, g.r.expovariate(1 / 70)))
        freq = max(1, int(g.r.expovariate(1 / 4)) + (2 if days < 30 and g.r.random() < 0.5 else 0))
        amount = sum(g.r.uniform(60, 900) for _ in range(freq)) * (3 if g.r.random() < 0.1 else 1)
        rows.append([f"M{i:05d}", g.person(), g.phone(), (AS_OF - dt.timedelta(days=days)).isoformat(), str(freq),
                     fmt(amount)])
    write_csv("rfm.csv", header, rows)


# --- S12 leasing -----------------------------------------------------------------------------------------

def leasing(g: Gen) -> None:
    header = ["合同编号", "承租人", "行业", "上期分类", "降级原因", "近6个月单次最大逾期天数", "近6个月7天以上逾期率",
              "未偿租金(万元)", "原租金总额(万元)", "其他不利因素", "抵质押物", "担保人", "上次巡视日期"]
    industries = ["医疗", "印刷", "工程机械", "纺织", "船舶", "新能源", "教育"]
    rows = []
    for i in range(1, 61):
        prev = g.r.choices(["正常", "关注", "次级", "可疑", "损失"], [34, 20, 18, 15, 13])[0]
        reason = "未降级" if prev == "正常" else g.r.choice(["逾期还款", "逾期还款", "经营恶化"])
        clean = g.r.random() < (0.8 if prev == "正常" else 0.45)
        if clean:
            maxd = g.r.choice([0, 0, 3, 5, 8, 12]); rate = g.r.choice([0, 0, 0, 16.67])
        else:
            maxd = g.r.choice([20, 35, 60, 95, 150, 240]); rate = g.r.choice([16.67, 33.33, 50, 66.67, 100])
        total = g.r.choice([300, 500, 800, 1200, 2000, 3500])
        unpaid = total * g.r.uniform(0.05, 0.7)
        rows.append([f"FL2024-{i:04d}", g.firm(["医疗集团", "印务有限公司", "建工有限公司", "纺织有限公司", "船务有限公司"])[1],
                     g.r.choice(industries), prev, reason, str(maxd), fmt(rate) + "%", fmt(unpaid), str(total),
                     g.yn(0.15), g.r.choice(["无", "无", "部分抵押", "足额抵押"]), g.r.choice(["无", "个人担保", "企业担保"]),
                     g.recent(200, 5).isoformat()])
    write_csv("leasing_five_class.csv", header, rows)


# --- S13 bank wealth --------------------------------------------------------------------------------------

def bank_wealth(g: Gen) -> None:
    header = ["客户号", "客户姓名", "开户网点", "月日均财富资产(万元)", "月日均个贷余额(万元)", "客户经理", "最近联系日期"]
    branches = ["城东支行", "高新支行", "营业部", "滨江支行"]
    managers = [g.person() for _ in range(5)]
    rows = []
    for i in range(1, 101):
        p = g.r.random()
        if p < 0.05:
            wealth = g.r.uniform(500, 1800)
        elif p < 0.22:
            wealth = g.r.uniform(100, 499)
        elif p < 0.6:
            wealth = g.r.uniform(10, 99)
        else:
            wealth = g.r.uniform(0.1, 9.9)
        loan = 0.0
        if g.r.random() < 0.3:
            loan = g.r.choice([g.r.uniform(50, 300), g.r.uniform(300, 900)])
        rows.append([f"62{i:08d}", g.person(), g.r.choice(branches), fmt(wealth), fmt(loan), g.r.choice(managers),
                     "" if g.r.random() < 0.1 else g.recent(120).isoformat()])
    write_csv("bank_wealth.csv", header, rows)


# --- S15 B2B four dimensions ------------------------------------------------------------------------------

def b2b(g: Gen) -> None:
    header = ["客户编号", "客户名称", "年度销售额(万元)", "年度采购量(吨)", "行业影响力", "合作年限(年)", "客户经理", "最近拜访日期"]
    managers = [g.person() for _ in range(4)]
    rows = []
    for i in range(1, 61):
        base = g.r.choice([150, 150, 70, 70, 30, 10])
        sales = base * g.r.uniform(0.6, 1.8)
        volume = sales * g.r.uniform(0.6, 1.5)
        influence = g.r.choice(["行业龙头", "知名品牌", "具有一定市场影响力", "中小型企业", "中小型企业", "行业新进入"])
        years = g.r.choice([0.5, 1, 2, 3, 4, 5, 6, 8, 12])
        _, name = g.firm(["材料股份有限公司", "化工有限公司", "钢构有限公司", "新材料科技有限公司"])
        rows.append([f"B{i:03d}", name, fmt(sales), fmt(volume, 1), influence, fmt(years, 1), g.r.choice(managers),
                     g.recent(100).isoformat()])
    write_csv("b2b_four_dimension.csv", header, rows)


# --- S16 power segments ------------------------------------------------------------------------------------

def power_segments(g: Gen) -> None:
    header = ["客户名称", "签订年供货协议", "近12个月订单额(万元)", "所属平台", "社会价值高", "经常使用且认可", "契约精神差",
              "累计合作次数", "首单日期", "业务员", "最近拜访日期", "最近致电日期"]
    reps = [g.person() for _ in range(4)]
    # The last call (a column added later) from a generator of its own, so the other columns
    # keep their values.
    calls = random.Random(SEED + 1000)
    rows = []
    for i in range(1, 61):
        _, name = g.firm(["供电公司", "电力工程有限公司", "配电设备有限公司", "城投公司", "开发区管委会"])
        p = g.r.random()
        orders = g.r.choice([g.r.uniform(520, 1500), g.r.uniform(100, 480), g.r.uniform(20, 99), g.r.uniform(1, 19)])
        count = g.r.randint(2, 30)
        first = g.date(dt.date(2016, 1, 1), dt.date(2025, 6, 1))
        if p < 0.12:
            count, first = 1, g.date(dt.date(2026, 6, 1), dt.date(2026, 11, 10))
            orders = g.r.uniform(5, 120)
        elif p < 0.22:
            count, first, orders = 1, g.date(dt.date(2024, 3, 1), dt.date(2026, 3, 1)), 0.0
        platform = g.r.choices(["北京电力公司", "国家电网", "省电力公司", "其他"], [5, 10, 10, 75])[0]
        rows.append([name, g.yn(0.15), fmt(orders), platform, g.yn(0.1), g.yn(0.15), g.yn(0.06), str(count),
                     first.isoformat(), g.r.choice(reps), g.recent(30).isoformat()])
    for row in rows:
        called = AS_OF - dt.timedelta(days=calls.randint(0, 12))
        row.append("" if calls.random() < 0.1 else called.isoformat())
    write_csv("power_segments.csv", header, rows)


# --- S17 car dealer --------------------------------------------------------------------------------------------

def car_dealer(g: Gen) -> None:
    header = ["客户姓名", "手机号", "意向车型", "销售顾问", "来店日期", "已交定金", "预计购车日期", "最近跟进日期"]
    models = ["途胜L 2.0T", "伊兰特 1.5L", "索纳塔 2.0T", "名图 1.8L", "库斯途 2.0T", "ix35 2.0L"]
    consultants = [g.person() for _ in range(5)]
    rows = []
    for _ in range(70):
        visit = g.date(dt.date(2026, 8, 15), dt.date(2026, 11, 22))
        deposit = g.yn(0.12)
        horizon = g.r.choice([g.r.randint(-10, 7), g.r.randint(8, 31), g.r.randint(32, 92), g.r.randint(93, 200)])
        planned = "" if g.r.random() < 0.08 else (AS_OF + dt.timedelta(days=horizon)).isoformat()
        last = min(visit + dt.timedelta(days=g.r.randint(0, 40)), AS_OF - dt.timedelta(days=1))
        rows.append([g.person() + g.r.choice(["先生", "女士"]), g.phone(), g.r.choice(models), g.r.choice(consultants),
                     visit.isoformat(), deposit, planned, last.isoformat()])
    write_csv("car_dealer_hbc.csv", header, rows)


# --- S18 star levels ----------------------------------------------------------------------------------------

def star_levels(g: Gen) -> None:
    header = ["客户号", "客户姓名", "星点值", "上期星级", "上次评定日期"]
    levels = [(0, 0), (1, 49), (50, 499), (500, 1999), (2000, 9999), (10000, 79999), (80000, 150000)]
    names = ["未评级", "准星", "三星", "四星", "五星", "六星", "七星"]
    weights = [6, 14, 26, 24, 16, 10, 4]
    rows = []
    for i in range(1, 101):
        k = g.r.choices(range(7), weights)[0]
        lo, hi = levels[k]
        points = g.r.uniform(lo, hi) if hi > lo else 0
        prev = names[max(0, min(6, k + g.r.choice([0, 0, 0, 0, 1, -1])))]
        rows.append([f"95588{i:06d}", g.person(), fmt(points, 0 if points > 100 else 2),
                     "" if g.r.random() < 0.1 else prev, g.r.choice(["2026-06-30", "2026-06-30", "2025-12-31"])])
    write_csv("star_levels.csv", header, rows)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    # One generator per file, each with its own derived seed, so editing one generator does not
    # change the others' data.
    jobs = [distributor, property_potential, pharma, lead_close_time, health_leads, real_estate, furniture_vip,
            contract_rolling, review_cadence, pareto_abc, rfm, leasing, bank_wealth, b2b, power_segments,
            car_dealer, star_levels]
    for n, job in enumerate(jobs):
        job(Gen(SEED + n))


if __name__ == "__main__":
    main()
