#!/usr/bin/env bash
# Rebuild the README's screenshots from the demo: zoning map, batch decision map, single-site map.
# Needs Debian's chromium and a CJK font (installed here when run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
zoning map -o "$work/zoning.html"
zoning screen examples/projects.csv -o "$work/batch" -q
zoning screen --lon 107.046 --lat 29.826 --sector C2614 --construction 扩建 --name "长寿经开区有机化学原料扩建项目" \
  -o "$work/site" -q >/dev/null
cp "$work/batch/map.html" "$work/decisions.html"
cp "$work/site/map.html" "$work/site.html"
python scripts/screenshots.py "$work/zoning.html" "$work/decisions.html" "$work/site.html" -o docs/img
