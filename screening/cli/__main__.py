"""`python -m screening.cli` runs the `zoning` command (useful where the console script is not on PATH)."""

from . import main

main()
