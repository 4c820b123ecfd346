#!/usr/bin/env bash
# Regenerates docs/images/report.png, the README's picture of `tier run --report`: grades the
# Pareto ABC sample (rulesets/pareto_abc.tier on rulesets/samples/pareto_abc.csv, as of
# 2026-11-23) into an HTML report and has headless Chromium photograph the top of the page
# (figures, grade distribution, Pareto curve with its cut lines) in a window 860×1180.
#
# Needs chromium and a font with Chinese characters (Debian: apt-get install chromium
# fonts-wqy-microhei); the picture is only as good as the fonts installed. When pngquant or
# optipng is on PATH, the PNG is made smaller with it (optional).
set -euo pipefail
cd "$(dirname "$0")/.."

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser="$b"; break; fi
done
if [ -z "$browser" ]; then
  echo "report-screenshot: no chromium on PATH (Debian: apt-get install chromium)" >&2
  exit 1
fi
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  echo "report-screenshot: no Chinese font; the page would show boxes" \
    "(Debian: apt-get install fonts-wqy-microhei)" >&2
  exit 1
fi

cargo build --quiet --bin tier
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/debug/tier run rulesets/pareto_abc.tier rulesets/samples/pareto_abc.csv \
  --as-of 2026-11-23 -q -o /dev/null --report "$work/report.html"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
  --user-data-dir="$work/profile" --window-size=860,1180 \
  --screenshot="$work/report.png" "file://$work/report.html" 2>/dev/null
if command -v pngquant >/dev/null 2>&1; then
  pngquant --force --skip-if-larger --output "$work/report.png" -- "$work/report.png" || true
elif command -v optipng >/dev/null 2>&1; then
  optipng -quiet -o5 "$work/report.png"
fi
mkdir -p docs/images
cp "$work/report.png" docs/images/report.png
echo "docs/images/report.png: $(wc -c < docs/images/report.png) bytes"
