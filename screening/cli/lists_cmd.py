"""`zoning lists check`: load the catalog's admission lists, report bad cells, counts and units without a list."""

from __future__ import annotations

import datetime as dt

import click
import pandas as pd
from rich.console import Console

from zoning.catalog import read_catalog
from zoning.errors import ZoningError
from zoning.layers import ZoningLayers
from zoning.vector import read_vector

from ..admission import ANY, DIMENSIONS, admission_lists, unit_table
from ..rules import RuleError, load_rules
from .options import catalog_option, rules_option

_EFFECTS = ("prohibited", "restricted", "allowed_only", "requirement", "check")
_SCOPES = ("unit", "district", "category", "city")


@click.group()
def lists() -> None:
    """Admission lists (生态环境准入清单): check the lists of a catalog."""


@lists.command("check")
@catalog_option
@rules_option
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Count rows in force on this date.")
def check(catalog, rules_dir, as_of) -> None:
    """Validate every admission list; print counts by dimension, effect and scope, and units with no list."""
    console = Console(soft_wrap=True)
    try:
        cat = read_catalog(catalog)
        frames = {role: read_vector(spec)[0] for role in ("control_unit", "district") for spec in cat.by_role(role)}
        layers = ZoningLayers(catalog=cat, frames=frames)
        lst = admission_lists(layers, load_rules(rules_dir).sectors)
    except (ZoningError, RuleError) as exc:
        raise click.ClickException(str(exc)) from exc
    if lst is None:
        raise click.ClickException(f"{catalog}: no [[layer]] with role = \"admission_list\"")
    rows = lst.rows
    day = (as_of.date() if as_of else dt.date.today())
    console.print(f"[bold]{len(rows):,} list row(s)[/bold] from {', '.join(rows['file'].unique())}")
    console.print(_crosstab(rows), markup=False, highlight=False)
    scopes = rows["scope"].value_counts()
    console.print("scope: " + ", ".join(f"{s} {scopes.get(s, 0):,}" for s in _SCOPES))
    pending = rows["valid_from"] > pd.Timestamp(day)
    console.print(f"not yet in force on {day}: {int(pending.sum()):,}; "
                  f"requirements to check (effect 待核 / check): {int((rows['effect'] == 'check').sum()):,}")
    _no_list(console, lst, unit_table(layers))


def _crosstab(rows: pd.DataFrame) -> str:
    """Rows by dimension (lines) and effect (columns), as aligned plain text."""
    counts = pd.crosstab(rows["dimension"], rows["effect"]).reindex(index=list(DIMENSIONS), columns=list(_EFFECTS))
    counts = counts.fillna(0).astype(int)
    lines = ["dimension " + "".join(f"{e:>14}" for e in (*_EFFECTS, "total"))]
    for dim, (zh, _en, _words) in DIMENSIONS.items():
        line = counts.loc[dim].tolist()
        lines.append(f"{dim:<10}" + "".join(f"{v:>14,}" for v in (*line, sum(line))) + f"  {zh}")
    total = counts.sum().tolist()
    lines.append(f"{'total':<10}" + "".join(f"{v:>14,}" for v in (*total, sum(total))))
    return "\n".join(lines)


def _no_list(console: Console, lst, units: pd.DataFrame) -> None:
    """Units without a unit-specific list, and units no row reaches at all (unit, category, district or city)."""
    own = units.loc[~units["unit"].isin(lst.units["unit"]), "unit"]
    keys = pd.concat([units.assign(category=ANY if any_cat else units["category"],
                                   district=ANY if any_dist else units["district"])
                      for any_cat in (False, True) for any_dist in (False, True)])
    reached = keys.merge(lst.areas[["category", "district"]].drop_duplicates(), on=["category", "district"])["unit"]
    none = own[~own.isin(reached)]
    for label, codes in (("without a unit-specific list", own), ("with no list row at all", none)):
        shown = ": " + ", ".join(codes[:30]) + (" ..." if len(codes) > 30 else "") if len(codes) else ""
        console.print(f"units {label}: {len(codes):,} of {len(units):,}{shown}")
