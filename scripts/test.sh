#!/usr/bin/env bash
# Install the package with its test extras, the headless browser the map tests use, PostgreSQL + PostGIS
# for the PostGIS tests, and run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
       fonts-noto-cjk >/dev/null) \
      || echo "chromium could not be installed: browser tests will be skipped with that reason"
  fi
fi
# PostgreSQL + PostGIS for tests/test_postgis.py (each test run starts its own private cluster)
if ! ls /usr/lib/postgresql/*/lib/postgis*.so >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
       postgresql postgresql-postgis >/dev/null) \
      || echo "PostgreSQL/PostGIS could not be installed: PostGIS tests will be skipped with that reason"
  fi
fi
python -m pip install -q -e ".[test]"
# the tool as installed from a wheel (pip install ., not editable), run from another folder
bash scripts/check_install.sh
python -m pytest -q "$@"
