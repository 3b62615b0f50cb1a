"""Map sizes on the synthetic province layer set (issue 5 targets): whole-city zoning map < 15 MB even with a
5M-vertex red line, single-site map < 2 MB. Writes benchmarks/results.d/maps.md.

    python benchmarks/generate.py && python benchmarks/maps_bench.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATALOG = HERE / "data" / "catalog.toml"
SITE = ("106.963", "29.822")  # the middle of the synthetic box


def _run(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "screening.cli", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t_zoning = _run(["map", "--catalog", str(CATALOG), "-o", str(tmp / "zoning.html")])
        t_site = _run(["screen", "--lon", SITE[0], "--lat", SITE[1], "--sector", "2614", "--construction", "new",
                       "--catalog", str(CATALOG), "-o", str(tmp / "site"), "-q"])
        zoning_mb = (tmp / "zoning.html").stat().st_size / 1e6
        site_mb = (tmp / "site" / "map.html").stat().st_size / 1e6
    rows = [
        ("whole-city zoning map (`zoning map`)", zoning_mb, 15, t_zoning),
        ("single-site map (`zoning screen --lon --lat -o`)", site_mb, 2, t_site),
    ]
    lines = ["## Map sizes (issue 5)", "",
             "`python benchmarks/maps_bench.py` on the synthetic province set (5M-vertex red line, 100,000 control "
             "units, which the whole-city view draws merged by category). Pages are self-contained (Leaflet "
             "inlined).", "",
             "| map | size MB | target MB | met? | wall s |", "|---|---:|---:|---|---:|"]
    lines += [f"| {name} | {mb:.1f} | {target} | {'met' if mb < target else '**not met**'} | {t:.1f} |"
              for name, mb, target, t in rows]
    (HERE / "results.d").mkdir(exist_ok=True)
    (HERE / "results.d" / "maps.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
