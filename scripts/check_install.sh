#!/usr/bin/env bash
# The installed tool, as a user gets it: `pip install .` (not editable) into a fresh venv, then the README's
# main job on the shipped demo and one site, run from another folder (so nothing is found beside the checkout).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# --system-site-packages reuses the dependencies already installed (geopandas, rasterio, …); the package itself
# is installed into the venv from a copy of the sources, so the checkout cannot leak in.
python -m venv --system-site-packages "$work/venv"
git -C "$repo" ls-files -z --cached --others --exclude-standard | (cd "$repo" && tar --null -T - -cf -) | (mkdir "$work/src" && tar -xf - -C "$work/src")
"$work/venv/bin/python" -m pip install -q --no-deps "$work/src" 2>&1 | grep -v "^WARNING: Running pip as" || true
mkdir "$work/elsewhere"
cd "$work/elsewhere"
where="$("$work/venv/bin/python" -c 'import zoning.data as d, screening; print(screening.__file__, d.rules_dir(), d.demo_catalog())')"
case "$where" in
  *"$repo"*) echo "check_install: the installed package resolves into the checkout: $where" >&2; exit 1 ;;
esac
cp "$repo/examples/projects.csv" projects.csv
"$work/venv/bin/zoning" screen projects.csv -o out/ -q
test -s out/results.csv && test -s out/results.xlsx && test -s out/results.gpkg && test -s out/summary.json \
  && test -s out/map.html
"$work/venv/bin/zoning" screen --lon 106.5516 --lat 29.5630 --sector 2614 --construction 新建 --json > site.json
"$work/venv/bin/python" -c 'import json; d = json.load(open("site.json", encoding="utf-8")); assert d["decision"]'
echo "check_install: pip install . (non-editable) runs the demo and one site from another folder"
