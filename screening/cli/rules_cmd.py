"""`zoning rules test` and `zoning rules list`: run the YAML rule cases; show the rules with their sources."""

from __future__ import annotations

import click
from rich.console import Console
from rich.markup import escape

from ..rules import Parameter, RuleError, Source, load_rules
from ..ruletests import coverage_gaps, run_rule_tests
from .options import default_rules, rules_option


@click.group()
def rules() -> None:
    """Rules: run their test cases, list them."""


@rules.command("test")
@rules_option
@click.option("-v", "--verbose", is_flag=True, help="Print every case, not only failures.")
def test(rules_dir, verbose) -> None:
    """Run every YAML case in RULES/tests; fail on a wrong outcome, a rule without cases in its topic's
    test file, or a rule file and test file that are not paired by name (see docs/rules.md)."""
    console = Console(soft_wrap=True)
    try:
        ruleset = load_rules(rules_dir or default_rules())
        results = run_rule_tests(rules=ruleset)
        gaps = coverage_gaps(rules=ruleset)
    except RuleError as exc:
        raise click.ClickException(str(exc)) from exc
    failed = [r for r in results if not r.passed]
    for r in results:
        if verbose or not r.passed:
            mark = "[green]ok[/green]" if r.passed else "[red]FAIL[/red]"
            console.print(f"{mark} {r.file}: {r.name}" + (f"\n    {r.message}" if r.message else ""))
    for gap in gaps:
        console.print(f"[red]gap[/red] {escape(gap)}", highlight=False)
    console.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed or gaps:
        raise click.ClickException(f"{len(failed)} case(s) failed, {len(gaps)} coverage gap(s)")


@rules.command("list")
@rules_option
def list_rules(rules_dir) -> None:
    """Every rule in rule order: id, outcome, title (zh/en), its source clause and reference URL; then
    the parameters with their values (dated ones with each date) and sources."""
    console = Console(soft_wrap=True)
    try:
        ruleset = load_rules(rules_dir or default_rules())
    except RuleError as exc:
        raise click.ClickException(str(exc)) from exc
    for r in ruleset.rules:
        console.print(f"[bold]{escape(r.id)}[/bold] → {r.outcome}: {escape(r.title_zh)} / {escape(r.title_en)}  "
                      f"{_cited(r.source)}", highlight=False)
    if ruleset.parameters:
        console.print("[bold]参数 / parameters[/bold]", highlight=False)
    for p in ruleset.parameters.values():
        console.print(f"  {escape(p.name)} = {escape(_values(p))} {escape(p.unit)}  {_cited(p.source)}",
                      highlight=False)


def _cited(source: Source) -> str:
    """The citation, dimmed, and the reference URL when there is one (shown, never fetched)."""
    text = f"[dim]{escape(source.citation)}[/dim]"
    return text + (f" [dim]<{escape(source.reference)}>[/dim]" if source.reference else "")


def _values(p: Parameter) -> str:
    """`35`, or the dated values `75 (2012-02-29), 35 (2024-01-01)` after any undated one."""
    parts = [] if p.value is None else [f"{p.value:g}" + (" (before / 之前)" if p.values else "")]
    return ", ".join(parts + [f"{v:g} ({since.isoformat()})" for since, v in p.values])
