"""Exit codes and the quiet terminal: no traceback in normal runs, library warnings summed up in one line.

Exit codes (documented in the README and `zoning --help`):

* 0 — screened (every row has a decision; some may be `invalid`);
* 1 — failure: layers, rules, outputs, or an unexpected error (``--debug`` shows its traceback);
* 2 — unusable input or options: a project file that cannot be read, an empty list, a bad option value.
"""

from __future__ import annotations

import collections
import sys
import traceback
import warnings

import click

from zoning.errors import CoordinateError, ZoningError

EXIT_OK, EXIT_FAILURE, EXIT_INPUT = 0, 1, 2
EXIT_CODES_HELP = ("Exit codes: 0 screened; 1 failure (layers, rules, outputs); 2 unusable input or options. "
                   "退出码：0 已筛查；1 失败（图层、规则、输出）；2 输入或选项不可用。")


class InputError(click.ClickException):
    """Unusable input or options: exit 2."""

    exit_code = EXIT_INPUT


class Failure(click.ClickException):
    """Layers, rules or outputs failed: exit 1."""

    exit_code = EXIT_FAILURE


def _input_errors() -> tuple[type[BaseException], ...]:
    """Exception types that mean the user's input or options are unusable (exit 2)."""
    from zoning.facts import MaxDistanceError

    from ..projects import ProjectFileError
    from ..rules import AsOfError
    return (ProjectFileError, CoordinateError, AsOfError, MaxDistanceError)


def classify(exc: BaseException) -> click.ClickException:
    """A ClickException with the right exit code and a one-line message for any error."""
    if isinstance(exc, click.ClickException):
        return exc
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, _input_errors()):
        return InputError(text)
    if isinstance(exc, (ZoningError, OSError)) or type(exc).__name__ in ("RuleError", "EngineError", "AdmissionError"):
        return Failure(text)
    return Failure(f"内部错误 / internal error: {type(exc).__name__}: {text} (rerun with --debug for the traceback; "
                   "please report it)")


def debug_enabled() -> bool:
    """Whether --debug was given anywhere on the command line."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().meta.get("zoning.debug"))


def _set_debug(ctx: click.Context, _param, value: bool) -> bool:
    if value:
        ctx.find_root().meta["zoning.debug"] = True
    return value


debug_option = click.option("--debug", is_flag=True, expose_value=False, is_eager=True, callback=_set_debug,
                            help="Show tracebacks and raw library warnings (for bug reports).")


class QuietGroup(click.Group):
    """A click group whose commands fail with one line and an exit code, never a traceback (unless --debug),
    and whose library warnings end up as one summary line on stderr."""

    def invoke(self, ctx: click.Context):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            try:
                return super().invoke(ctx)
            except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
                raise
            except KeyboardInterrupt:
                raise
            except Exception as exc:
                if ctx.meta.get("zoning.debug"):
                    traceback.print_exc()
                raise classify(exc) from None
            finally:
                _summarise_warnings(caught, bool(ctx.meta.get("zoning.debug")))


def _summarise_warnings(caught: list, debug: bool) -> None:
    """One line per distinct library warning (with a count), or every warning in full with --debug."""
    if not caught:
        return
    if debug:
        for w in caught:
            print(warnings.formatwarning(w.message, w.category, w.filename, w.lineno), file=sys.stderr, end="")
        return
    counts = collections.Counter(f"{w.category.__name__}: {' '.join(str(w.message).split())[:160]}" for w in caught)
    for text, n in counts.most_common(3):
        print(f"库警告 / library warning ({n}×): {text}", file=sys.stderr)
    if len(counts) > 3:
        print(f"… {len(counts) - 3} more kind(s) of library warning; --debug shows them", file=sys.stderr)
