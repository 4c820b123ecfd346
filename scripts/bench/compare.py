"""Row-for-row comparison of the benchmark outputs of tier, DuckDB and Polars.

    python compare.py TIER.csv DUCKDB.csv POLARS.csv INPUT.csv

Streams the three files together (constant memory) and compares, per row: 客户编号, the grade,
the score and each component's points (rounded half away from zero to 2 decimals, as exact
decimals), the status, the Pareto class, the tags, the next follow-up date and the overdue flag.
tier writes the status and the Pareto class as its sub-grade `状态/ABC`. Exits 1 on any
difference, after printing the first few of each kind.

When a score or a component differs, the input row is graded a fourth time with exact rational
arithmetic (Python's Fraction: no rounding anywhere before the final half-away-from-zero
rounding to 2 decimals), and the report says which engine agrees with the exact value.
"""

import csv
import sys
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from itertools import zip_longest

CENT = Decimal("0.01")
COMPONENTS = ["得分.销售额", "得分.增长率", "得分.回款率", "得分.退货率", "得分.经理评分"]
FIELDS = ["客户编号", "等级", "得分", *COMPONENTS, "状态", "ABC", "标签", "下次跟进", "逾期"]


def money2(text: str):
    """A decimal text rounded half away from zero to 2 decimals, as an integer number of
    hundredths: exact string arithmetic (|x| ≥ k.ab5 exactly when the third decimal digit is
    ≥ 5), much faster than Decimal. Falls back to Decimal for exponents; the text itself when it
    is not a number."""
    t = text.strip()
    neg = t.startswith("-")
    if neg:
        t = t[1:]
    whole, _, frac = t.partition(".")
    if whole.isdigit() and (frac == "" or frac.isdigit()):
        frac = frac + "000"
        cents = int(whole) * 100 + int(frac[:2]) + (1 if frac[2] >= "5" else 0)
        return -cents if neg and cents else cents
    try:
        return int(Decimal(text).quantize(CENT, rounding=ROUND_HALF_UP) * 100)
    except InvalidOperation:
        return text


def exact_points(inp: dict, scale: int = 100) -> list:
    """The score and the 5 components of the benchmark ruleset, from exact fractions, rounded
    half away from zero to 1/`scale` (hundredths by default)."""

    def frac(text: str) -> Fraction:
        return Fraction(text.strip().rstrip("%")) if text.strip() else Fraction(0)

    def clamp(x: Fraction) -> Fraction:
        return min(max(x, Fraction(0)), Fraction(100))

    s, p = frac(inp["年度销售额(万元)"]), frac(inp["上年销售额(万元)"])
    c, r, m = frac(inp["回款率"]), frac(inp["退货率"]), frac(inp["经理评分"])
    pts = [
        clamp((s - 10) / 2),
        clamp((s - p) / p * 400) if p > 0 else Fraction(0),
        clamp((c - 90) * 10),
        clamp((5 - r) * 25),
        m,
    ]
    weights = [Fraction(3, 10), Fraction(3, 10), Fraction(2, 10), Fraction(1, 10), Fraction(1, 10)]
    score = sum(w * x for w, x in zip(weights, pts))
    return [round_exact(score, scale)] + [round_exact(x, scale) for x in pts]


def money4(text: str) -> int:
    """A decimal text at ≤ 4 decimals, in ten-thousandths."""
    return int(Decimal(text.strip()) * 10000)


def round_exact(x: Fraction, scale: int = 100) -> int:
    """Half away from zero to 2 decimals (or to 1/`scale`), from an exact fraction, in
    hundredths (in 1/`scale`)."""
    scaled = x * scale
    sign = -1 if scaled < 0 else 1
    return sign * int((abs(scaled) * 2 + 1) // 2)  # floor(|x|·100 + 1/2)


def ambiguous_at_2(text: str) -> bool:
    """Whether a number tier wrote at 4 decimals ([OUTPUT_DECIMALS]) rounds to 2 decimals
    differently depending on digits it no longer shows: `74.305` is 74.3049976… rounded to 4
    places, whose 2-decimal rounding is 74.30, not the 74.31 that rounding `74.305` again gives.
    Only such texts (the part past 2 decimals is exactly `5`) are ambiguous."""
    _, _, frac = text.strip().partition(".")
    return len(frac) > 2 and frac[2:].rstrip("0") == "5"


def normalize(row: list, idx: dict, is_tier: bool) -> tuple:
    if is_tier:
        status, _, abc = row[idx["子级"]].partition("/")
    else:
        status, abc = row[idx["状态"]], row[idx["ABC"]]
    return (
        row[idx["客户编号"]],
        row[idx["等级"]],
        money2(row[idx["得分"]]),
        *(money2(row[idx[c]]) for c in COMPONENTS),
        status,
        abc,
        row[idx["标签"]],
        row[idx["下次跟进"]],
        row[idx["逾期"]],
    )


def main() -> int:
    paths = sys.argv[1:4]
    names = ["tier", "duckdb", "polars"]
    files = [open(p, newline="", encoding="utf-8-sig") for p in paths]
    readers = [csv.reader(f) for f in files]
    idxs = [{h: i for i, h in enumerate(next(r))} for r in readers]
    # tier heads its score and sub-grade by the ruleset's names (综合得分, 分级码) when they
    # are not inputs; the peers' files use the fixed words.
    for h, i in list(idxs[0].items()):
        if h == "分级码":
            idxs[0].setdefault("子级", i)
        elif h.startswith("综合得分"):
            idxs[0].setdefault("得分" + h[len("综合得分"):], i)
    inp_file = open(sys.argv[4], newline="", encoding="utf-8-sig") if len(sys.argv) > 4 else None
    inp_reader = csv.reader(inp_file) if inp_file else None
    inp_header = next(inp_reader) if inp_reader else []
    # Who matches exact rational arithmetic where the engines disagree on a number.
    exact_verdicts: dict[str, int] = {}
    rows = 0
    diffs: dict[tuple[str, str], int] = {}
    shown = 0
    for triple in zip_longest(*readers):
        rows += 1
        if any(r is None for r in triple):
            lengths = [n for n, r in zip(names, triple) if r is None]
            print(f"row {rows}: {', '.join(lengths)} ended early")
            diffs[("rows", "count")] = 1
            break
        inp = next(inp_reader) if inp_reader else None
        t, d, p = (normalize(r, idxs[i], i == 0) for i, r in enumerate(triple))
        # tier writes points at 4 decimals; rounding those again to 2 is double rounding. Where
        # that is ambiguous, the 2-decimal value is the exact one (tier's 4 decimals are the
        # exact value rounded, which the referee checks below against the same digits).
        amb = [i for i, c in enumerate(COMPONENTS) if ambiguous_at_2(triple[0][idxs[0][c]])]
        if amb and inp is not None:
            exact = exact_points(dict(zip(inp_header, inp)))
            t = list(t)
            for i in amb:
                exact4 = exact_points(dict(zip(inp_header, inp)), 10000)[1 + i]
                if money4(triple[0][idxs[0][COMPONENTS[i]]]) == exact4:
                    t[3 + i] = exact[1 + i]
            t = tuple(t)
        if inp is not None and not (t[2:8] == d[2:8] == p[2:8]):
            exact = exact_points(dict(zip(inp_header, inp)))
            for i in range(6):
                got = {n: v[2 + i] for n, v in zip(names, (t, d, p))}
                if len(set(got.values())) > 1:
                    right = [n for n, v in got.items() if v == exact[i]] or ["none"]
                    wrong = [n for n, v in got.items() if v != exact[i]]
                    key = f"{FIELDS[2 + i]}: exact value agrees with {'+'.join(right)}, not {'+'.join(wrong)}"
                    exact_verdicts[key] = exact_verdicts.get(key, 0) + 1
        for other_name, other in (("duckdb", d), ("polars", p)):
            if other != t:
                for i, field in enumerate(FIELDS):
                    if other[i] != t[i]:
                        key = (other_name, field)
                        diffs[key] = diffs.get(key, 0) + 1
                        if shown < 6:
                            shown += 1
                            print(f"row {rows} ({t[0]}): {field}: tier {t[i]!r} vs {other_name} {other[i]!r}")
    for f in files:
        f.close()
    for verdict, n in sorted(exact_verdicts.items()):
        print(f"EXACT {verdict} ({n} rows)")
    if diffs:
        for (engine, field), n in sorted(diffs.items()):
            print(f"MISMATCH {engine} {field}: {n} rows")
        return 1
    print(f"AGREE: {rows} rows, fields {', '.join(FIELDS)} identical in tier, DuckDB and Polars")
    return 0


if __name__ == "__main__":
    sys.exit(main())
