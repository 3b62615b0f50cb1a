"""Render map HTML files to PNG screenshots with headless Chromium (e.g. for docs/).

Usage: python scripts/screenshots.py zoning.html map.html -o docs/   -> docs/zoning.png, docs/map.png
By default the browser gets no network (pages are self-contained); pass --network for tile base maps.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

NO_NETWORK = ['--host-resolver-rules=MAP * ~NOTFOUND', "--proxy-server=127.0.0.1:9"]


def find_chromium(explicit: str | None = None) -> str:
    """Path of the Chromium binary, or exit with how to install it."""
    for candidate in (explicit, shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    sys.exit("chromium not found: install it (apt-get install chromium) or pass --chromium PATH")


def screenshot(chromium: str, html: Path, png: Path, *, width: int = 1200, height: int = 800,
               budget_ms: int = 5000, network: bool = False) -> Path:
    """Load `html` from file:// in a fresh headless profile and write a `width`x`height` PNG."""
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="maps-shot-") as profile:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={profile}", f"--window-size={width},{height}",
               f"--virtual-time-budget={budget_ms}", f"--screenshot={png.resolve()}",
               *([] if network else NO_NETWORK), html.resolve().as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if done.returncode != 0 or not png.exists():
        raise RuntimeError(f"chromium failed on {html}: {done.stderr[-1000:]}")
    return png


def main(argv=None) -> int:
    """Screenshot each HTML file given on the command line into the output folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", nargs="+", type=Path, help="map HTML files")
    parser.add_argument("-o", "--out", type=Path, default=Path("."), help="folder for the PNGs")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--budget", type=int, default=5000, help="virtual time budget, ms")
    parser.add_argument("--network", action="store_true", help="let the browser reach the network (tiles)")
    parser.add_argument("--chromium", help="path of the chromium binary")
    args = parser.parse_args(argv)
    chromium = find_chromium(args.chromium)
    for html in args.html:
        if not html.exists():
            parser.error(f"{html} does not exist")
        png = screenshot(chromium, html, args.out / (html.stem + ".png"), width=args.width, height=args.height,
                         budget_ms=args.budget, network=args.network)
        print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
