"""Reading a 100,000-row XLSX project list: the old reader against the new one, in one run.

Old: ``pd.read_excel(book, sheet_name=<first sheet>, dtype=str, keep_default_na=False, na_filter=False)`` (the
reader before issue 11 item 3). New: ``screening.projects._read_xlsx`` — sheet choice (first visible sheet with
location columns), header detection over the first 20 rows, merged ranges and uncached formulas looked up in
the sheet XML, cells converted by type. Both are timed alternately, several times; the script prints each
timing, the medians and new/old (the budget is 1.10). Run by hand: ``python benchmarks/xlsx_read_bench.py``
(``--rows``, ``--repeat``, ``--keep FILE`` to keep the workbook).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screening.projects.workbook import _read_xlsx  # noqa: E402
from screening.xlsx import write_table  # noqa: E402


def make_workbook(path: Path, rows: int, seed: int = 11) -> None:
    """id,name,sector,construction,lon,lat with the repo's column-wise writer (text ids/codes, float lon/lat)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "id": [f"P{i:06d}" for i in range(rows)],
        "name": [f"项目{i % 997}" for i in range(rows)],
        "sector": rng.choice(["C3011", "3120", "2614", "0311", "3216"], rows),
        "construction": rng.choice(["新建", "扩建", "技改"], rows),
        "lon": rng.uniform(105.3, 110.1, rows),
        "lat": rng.uniform(28.2, 32.2, rows),
    })
    write_table(frame, path)


def old_reader(path: Path) -> pd.DataFrame:
    """The reader as it was: pandas on the first sheet, every cell as text."""
    with pd.ExcelFile(path, engine="openpyxl") as book:
        return pd.read_excel(book, sheet_name=book.sheet_names[0], dtype=str, keep_default_na=False,
                             na_filter=False)


def new_reader(path: Path) -> pd.DataFrame:
    """The reader now (sheet choice, header detection, merges, formulas, typed cells)."""
    return _read_xlsx(path, None).frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the workbook here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "projects.xlsx"
        started = time.perf_counter()
        make_workbook(path, args.rows)
        print(f"workbook: {args.rows} rows, {path.stat().st_size / 1e6:.1f} MB, written in "
              f"{time.perf_counter() - started:.2f} s")
        old_frame, new_frame = old_reader(path), new_reader(path)  # warm-up, and the two must agree
        assert old_frame.shape == new_frame.shape, (old_frame.shape, new_frame.shape)
        assert (old_frame.to_numpy() == new_frame.to_numpy()).all(), "old and new readers disagree"
        times = {"old": [], "new": []}
        for _ in range(args.repeat):
            for name, reader in (("old", old_reader), ("new", new_reader)):
                started = time.perf_counter()
                reader(path)
                times[name].append(time.perf_counter() - started)
        for name, values in times.items():
            print(f"{name}: " + " ".join(f"{v:.2f}" for v in values) + f" s; median {statistics.median(values):.2f} s")
        ratio = statistics.median(times["new"]) / statistics.median(times["old"])
        print(f"new/old (median): {ratio:.2f} (budget 1.10)")


if __name__ == "__main__":
    main()
