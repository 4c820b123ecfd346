#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the shipped rulesets, the test fixtures and the data samples.
# Run from anywhere; it replaces the seed corpus. (Fuzzing runs should write their new inputs to
# a corpus outside the repository: see docs/FUZZING.md.)
set -euo pipefail
cd "$(dirname "$0")/.."
for target in parse check fmt read_csv read_json; do
  rm -rf "fuzz/corpus/$target"
  mkdir -p "fuzz/corpus/$target"
done
name() { echo "$1" | tr '/' '_'; }
while IFS= read -r f; do
  for target in parse check fmt; do cp "$f" "fuzz/corpus/$target/$(name "$f")"; done
done < <(find rulesets tests/fixtures -name '*.tier' | sort)
while IFS= read -r f; do
  cp "$f" "fuzz/corpus/read_csv/$(name "$f")"
done < <(find rulesets/samples tests/fixtures -name '*.csv' | sort)
while IFS= read -r f; do
  cp "$f" "fuzz/corpus/read_json/$(name "$f")"
done < <(find tests/fixtures -name '*.json' | sort)
# The CLI fixture's rows as JSON, so the JSON target starts from records of its own ruleset.
cat > fuzz/corpus/read_json/shop.json <<'JSON'
[
  {"客户名称": "甲公司", "区域": "华东", "年度销售额(万元)": "100", "回款率": "100%", "最近联系日期": "2026-11-20"},
  {"客户名称": "乙公司", "区域": "华东", "年度销售额(万元)": 50, "回款率": 0.95, "最近联系日期": "2026-10-01"},
  {"客户名称": "丙公司", "区域": "华南", "年度销售额(万元)": null, "回款率": "", "最近联系日期": null}
]
JSON
du -sh fuzz/corpus
