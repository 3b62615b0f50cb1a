"""`zoning rules test` and `zoning rules list`: run the YAML rule cases; show the rules with their sources."""

from __future__ import annotations

import click
from rich.console import Console

from ..rules import RuleError, load_rules
from ..ruletests import coverage_gaps, run_rule_tests
from .options import default_rules, rules_option


@click.group()
def rules() -> None:
    """Rules: run their test cases, list them."""


@rules.command("test")
@rules_option
@click.option("-v", "--verbose", is_flag=True, help="Print every case, not only failures.")
def test(rules_dir, verbose) -> None:
    """Run every YAML case in RULES/tests; fail on a wrong outcome or a rule without cases."""
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
        console.print(f"[red]no case[/red] {gap}")
    console.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed or gaps:
        raise click.ClickException(f"{len(failed)} case(s) failed, {len(gaps)} coverage gap(s)")


@rules.command("list")
@rules_option
def list_rules(rules_dir) -> None:
    """Every rule: id, outcome, title (zh/en) and its source clause."""
    console = Console(soft_wrap=True)
    try:
        ruleset = load_rules(rules_dir or default_rules())
    except RuleError as exc:
        raise click.ClickException(str(exc)) from exc
    for r in ruleset.rules:
        console.print(f"[bold]{r.id}[/bold] → {r.outcome}: {r.title_zh} / {r.title_en}  [dim]{r.citation}[/dim]",
                      highlight=False)
