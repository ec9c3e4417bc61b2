"""The ``alliance`` command: solve a scenario, check a plan, run the Dehua demo, start the service or a worker.

A thin shell over ``alliance`` (schemas, checker, report) and ``solver``:
it reads files, shows progress and tables, and maps outcomes to exit codes.

Exit codes:

* 0 — success (``solve``/``demo``: a plan was found and obeys every rule;
  ``check``: the plan obeys every rule);
* 1 — the work ran but the answer is negative (``check``: the plan breaks a
  rule; ``solve``/``demo``: no plan within the time limit, or a plan that
  fails the check);
* 2 — invalid input (missing file, bad JSON, a field that fails validation):
  each error is printed as its field path, the offending value and the
  message, never as a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress as ProgressBar
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from alliance.check import check as check_plan
from alliance.plan import Plan, Status
from alliance.report import build_report
from alliance.scenario import Scenario
from api.render import render_summary, status_text

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
DEMO_SCENARIO = EXAMPLES_DIR / "dehua-24.json"
# Two cores is what the alliance office PC and these machines have; with one, the run is reproducible.
DEFAULT_THREADS = min(2, os.cpu_count() or 1)

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

app = typer.Typer(
    name="alliance",
    help="德化陶瓷产业链联盟撮合：二次发单与共享用工 / Dehua ceramics alliance matching: "
    "secondary order dispatch and worker lending.",
    no_args_is_help=True,
    add_completion=False,
)


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class Backend(StrEnum):
    highs = "highs"
    scip = "scip"
    cpsat = "cpsat"


def _text(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == Lang.zh else en


# ----- reading input ---------------------------------------------------------------------------------------------


class InputError(Exception):
    """Input the command cannot use; ``lines`` are shown one per line, then the command exits with 2."""

    def __init__(self, title: str, lines: Sequence[str] = ()) -> None:
        super().__init__(title)
        self.title = title
        self.lines = list(lines)


def field_path(loc: Sequence[str | int]) -> str:
    """``("orders", 3, "owner")`` -> ``orders[3].owner``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + str(part)
    return text


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _input_path(loc: Sequence[str | int], data: Any) -> tuple[str | int, ...]:
    """The error's location in the user's document, without pydantic's union-member tags.

    For a value that may be a number or a list, pydantic reports e.g.
    ``idle_workers.glazing.constrained-int``; the tag is no field of the
    document, so the path is walked along the input and such parts are dropped.
    """
    node, path = data, []
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]  # type: ignore[index]
        elif isinstance(node, dict) or node is None:
            node = None  # a missing key, or below one: keep the path as pydantic gives it
        else:
            continue  # a union tag below a scalar or a list
        path.append(part)
    return tuple(path)


def validation_lines(err: ValidationError, data: Any = None) -> list[str]:
    """One line per offending field: ``field.path = value: message`` (alternatives of a union joined)."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for e in err.errors(include_url=False):
        loc = _input_path(e["loc"], data) if data is not None else tuple(e["loc"])
        where = field_path(loc) or "(document / 整个文件)"
        value = "(missing / 缺失)" if e["type"] == "missing" else _short(e.get("input"))
        messages = grouped.setdefault((where, value), [])
        if e["msg"] not in messages:
            messages.append(e["msg"])
    return [f"{where} = {value}: {' | '.join(messages)}" for (where, value), messages in grouped.items()]


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"文件不存在 / file not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"这是目录而不是文件 / a directory, not a file: {path}") from None
    except UnicodeDecodeError as e:
        raise InputError(f"文件不是 UTF-8 文本 / not UTF-8 text: {path} (byte {e.start})") from None
    except OSError as e:
        raise InputError(f"无法读取文件 / cannot read {path}: {e.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"JSON 格式错误 / invalid JSON in {path}",
                         [f"line {e.lineno}, column {e.colno}: {e.msg}"]) from None


def read_scenario(path: Path) -> Scenario:
    data = _read_json(path)
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        title = f"场景数据有误 / invalid scenario {path} ({e.error_count()} errors)"
        raise InputError(title, validation_lines(e, data)) from None


def read_plan(path: Path) -> Plan:
    data = _read_json(path)
    try:
        return Plan.model_validate(data)
    except ValidationError as e:
        title = f"方案数据有误 / invalid plan {path} ({e.error_count()} errors)"
        raise InputError(title, validation_lines(e, data)) from None


def _bad_input(err: InputError) -> NoReturn:
    console = Console(stderr=True, highlight=False)
    console.print(f"[bold red]✗ {escape(err.title)}[/]")
    for line in err.lines:
        console.print(f"  • {escape(line)}")
    raise typer.Exit(EXIT_BAD_INPUT)


# ----- solving ---------------------------------------------------------------------------------------------------


def _fmt(x: float | None, spec: str = ",.2f") -> str:
    return "—" if x is None else format(round(x, 2) + 0.0, spec)  # + 0.0: no "-0.00"


@contextmanager
def solver_quiet(verbose: bool, console: Console) -> Iterator[Console]:
    """Keep the solver's C++ chatter off stdout unless ``verbose``; yields the console for the progress line.

    HiGHS writes some lines (e.g. ``HighsMipSolverData::transformNewIntegerFeasibleSolution``) straight to the
    process's file descriptor 1, past Python's ``sys.stdout``, so only a redirect of the descriptor itself
    silences them.  The progress line goes to a duplicate of the real stdout meanwhile.
    """
    if verbose:
        yield console
        return
    try:
        sys.stdout.flush()
        real = os.dup(1)
    except (OSError, ValueError, AttributeError):  # no real descriptor (e.g. captured output): nothing to hide
        yield console
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    stream = os.fdopen(os.dup(real), "w", encoding="utf-8", closefd=True)
    try:
        yield Console(file=stream, force_terminal=console.is_terminal, width=console.width, highlight=False)
    finally:
        stream.flush()
        stream.close()
        os.dup2(real, 1)
        os.close(real)


def reproducibility(plan: Plan, threads: int, lang: Lang) -> str:
    """Whether the same command gives the same plan again, and how to make it so (said plainly)."""
    if plan.status == Status.OPTIMAL and threads == 1:
        return _text(lang, "可重复：单线程，且在达到所需差距后停止（不是到时限才停），同样的命令会得到同样的方案。",
                     "Reproducible: one thread, and the search stopped at the requested gap, not at the time limit; "
                     "the same command gives the same plan.")
    why_zh, why_en = [], []
    if threads > 1:
        why_zh.append(f"{threads} 个线程并行搜索，谁先找到方案取决于当时的运行速度")
        why_en.append(f"{threads} threads search side by side and which finds a plan first depends on timing")
    if plan.status != Status.OPTIMAL:
        why_zh.append("搜索到时限才停，停在哪一步取决于机器快慢和负载")
        why_en.append("the search stopped at the time limit, so where it stopped depends on the machine's speed "
                      "and load")
    return _text(
        lang,
        "不保证可重复：" + "；".join(why_zh) + "。同样的命令再运行一次，方案和目标值可能略有不同。"
        "要得到可重复的结果：用 --threads 1，并给足 --time-limit 或放宽 --gap，"
        "使求解在达到差距时停止（状态为“已证明最优”）。",
        "Not guaranteed to be reproducible: " + "; ".join(why_en) + ". Running the same command again may give a "
        "slightly different plan and objective. For a reproducible run: --threads 1, and a --time-limit long enough "
        "(or a looser --gap) for the search to stop at the gap (status 'proven optimal').",
    )


def _solve_and_report(
    scenario: Scenario, *, time_limit: float, gap: float, threads: int, seed: int, backend: Backend, lang: Lang,
    console: Console, verbose: bool = False,
) -> Plan:
    """Solve with a live progress line, then attach the reviewer's report."""
    from solver import Progress, SolveOptions  # lazy: OR-Tools loads only for the commands that solve
    from solver import solve as run_solver

    options = SolveOptions(time_limit_s=time_limit, relative_gap=gap, threads=threads, seed=seed, backend=backend.value)
    label = _text(lang, "求解中", "Solving")
    with solver_quiet(verbose, console) as progress_console, ProgressBar(
        SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.fields[info]}"), TimeElapsedColumn(),
        console=progress_console, transient=True,
    ) as bar:
        task = bar.add_task(label, total=None, info="")

        def on_progress(p: Progress) -> None:
            gap_text = "—" if p.gap is None else f"{100 * p.gap:.3f}%"
            bar.update(task, info=_text(
                lang,
                f"目标值 {_fmt(p.objective)}  上界 {_fmt(p.bound)}  差距 {gap_text}  {p.elapsed_s:.1f}s",
                f"objective {_fmt(p.objective)}  bound {_fmt(p.bound)}  gap {gap_text}  {p.elapsed_s:.1f}s",
            ))

        plan = run_solver(scenario, options, on_progress=on_progress)
    if plan.report is None:
        plan.report = build_report(scenario, plan)
    return plan


def _write_plan(plan: Plan, path: Path) -> None:
    try:
        path.write_text(
            json.dumps(plan.model_dump(mode="json", by_alias=True), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
    except OSError as e:
        raise InputError(f"无法写入方案文件 / cannot write the plan to {path}: {e.strerror}") from None


def _outcome(plan: Plan, lang: Lang, console: Console) -> int:
    if plan.status not in (Status.OPTIMAL, Status.FEASIBLE):
        console.print(_text(lang, f"[red]未得到可行方案（{status_text(plan.status, 'zh')}），可延长 --time-limit[/]",
                            f"[red]no plan found ({status_text(plan.status, 'en')}); try a longer --time-limit[/]"))
        return EXIT_FAILED
    report = plan.report or {}
    improvement = report.get("manual_baseline", {}).get("objective_improvement", 0.0)
    if improvement < 0:
        # Legal but worse than matching by hand: the solver stopped too early; say so rather than hide it.
        console.print(_text(
            lang, f"[yellow]注意：本方案比人工就近撮合少 {-improvement:,.2f} 元，可延长 --time-limit[/]",
            f"[yellow]note: this plan is {-improvement:,.2f} yuan worse than nearest-first matching by hand; "
            "try a longer --time-limit[/]",
        ))
    return EXIT_OK if report.get("checks", {}).get("ok", False) else EXIT_FAILED


@app.command()
def solve(
    scenario: Annotated[Path, typer.Argument(help="场景 JSON / scenario JSON (MODEL.md)", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="写出方案 JSON / where to write the plan JSON")],
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.01, help="求解时限（秒）/ seconds")] = 60.0,
    gap: Annotated[float, typer.Option("--gap", min=0.0, help="相对差距 / relative gap to stop at")] = 1e-4,
    threads: Annotated[int, typer.Option("--threads", min=1, help="线程数 / threads")] = DEFAULT_THREADS,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 / random seed")] = 0,
    backend: Annotated[Backend, typer.Option("--backend", help="求解器 / MILP backend")] = Backend.highs,
    lang: Annotated[Lang, typer.Option("--lang", help="输出语言 / output language")] = Lang.zh,
    show_all: Annotated[bool, typer.Option("--all", help="列出全部行，不只前 15 行 / list every row, not the first 15")
                        ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="显示求解器自身的输出 / show the solver's own output")
                       ] = False,
) -> None:
    """求解场景并写出方案 / Solve a scenario and write the plan."""
    console = Console()
    try:
        s = read_scenario(scenario)
        plan = _solve_and_report(s, time_limit=time_limit, gap=gap, threads=threads, seed=seed, backend=backend,
                                 lang=lang, console=console, verbose=verbose)
        _write_plan(plan, output)
    except InputError as e:
        _bad_input(e)
    if plan.report is not None:
        console.print(render_summary(plan.report, "zh" if lang == Lang.zh else "en",
                                     max_rows=None if show_all else 15))
    console.print(reproducibility(plan, threads, lang))
    console.print(_text(lang, f"方案已写入 {output}", f"Plan written to {output}"))
    raise typer.Exit(_outcome(plan, lang, console))


@app.command("check")
def check_command(
    scenario: Annotated[Path, typer.Argument(help="场景 JSON / scenario JSON", show_default=False)],
    plan: Annotated[Path, typer.Argument(help="方案 JSON / plan JSON", show_default=False)],
    lang: Annotated[Lang, typer.Option("--lang", help="输出语言 / output language")] = Lang.zh,
) -> None:
    """校验方案是否满足全部规则 / Check that a plan obeys every rule (exit 0) or list what it breaks (exit 1)."""
    console = Console(highlight=False)
    try:
        s = read_scenario(scenario)
        p = read_plan(plan)
    except InputError as e:
        _bad_input(e)
    result = check_plan(s, p)
    console.print(_text(lang, "按明细重算目标值", "Objective recomputed from the rows") + f": {result.objective:,.2f}")
    if p.objective is None:
        console.print(_text(lang, "方案未填写目标值", "The plan reports no objective"))
    else:
        same = result.objective_matches
        console.print(
            _text(lang, "方案填写的目标值", "Reported objective") + f": {p.objective:,.2f} "
            + (_text(lang, "（一致）", "(matches)") if same else _text(lang, "（不一致！）", "(does NOT match!)"))
        )
    if result.ok:
        console.print(_text(lang, "[green]✓ 方案满足全部 9 条规则[/]", "[green]✓ the plan obeys all 9 rules[/]"))
        raise typer.Exit(EXIT_OK)
    n = len(result.violations)
    table = Table(title=_text(lang, f"✗ 违反规则 {n} 处", f"✗ {n} violations"), title_justify="left",
                  title_style="bold red")
    table.add_column(_text(lang, "规则", "Rule"), justify="right")
    table.add_column(_text(lang, "说明", "Message"), overflow="fold")
    for v in result.violations:
        table.add_row(str(v.rule) if v.rule else "—", escape(v.message))
    console.print(table)
    raise typer.Exit(EXIT_FAILED)


@app.command()
def demo(
    lang: Annotated[Lang, typer.Option("--lang", help="输出语言 / output language")] = Lang.zh,
    scenario: Annotated[Path | None, typer.Option("--scenario", help="改用其他场景 / another scenario JSON",
                                                  show_default=False)] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.01, help="求解时限（秒）/ seconds")] = 30.0,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="同时写出方案 / also write the plan JSON",
                                                show_default=False)] = None,
    county: Annotated[bool, typer.Option("--county", help="三个园区联盟与县级轮次：提交上级全流程 / three park "
                                         "alliances and a county round fed by their escalations")] = False,
    show_all: Annotated[bool, typer.Option("--all", help="列出全部行，不只前 15 行 / list every row, not the first 15")
                        ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="显示求解器自身的输出 / show the solver's own output")
                       ] = False,
) -> None:
    """德化 24 家企业示例：求解、校验、汇总 / The Dehua 24-firm example end to end: solve, check, summarise."""
    console = Console()
    if county:
        from api.county.demo import run_county_demo  # lazy: the database and the service load only for --county

        raise typer.Exit(run_county_demo(time_limit, lambda line: console.print(escape(line))))
    path = scenario or DEMO_SCENARIO
    if scenario is None and not path.is_file():
        _bad_input(InputError(f"找不到示例场景 / example scenario not found: {path}",
                              ["用 --scenario 指定场景文件 / pass a scenario file with --scenario"]))
    try:
        s = read_scenario(path)
        console.print(_text(lang, f"场景：{s.alliance.name}（{len(s.enterprises)} 家企业，{len(s.orders)} 个订单，"
                                  f"{s.horizon_days} 天）",
                            f"Scenario: {s.alliance.name} ({len(s.enterprises)} firms, {len(s.orders)} orders, "
                            f"{s.horizon_days} days)"))
        plan = _solve_and_report(s, time_limit=time_limit, gap=1e-4, threads=DEFAULT_THREADS, seed=0,
                                 backend=Backend.highs, lang=lang, console=console, verbose=verbose)
        if output is not None:
            _write_plan(plan, output)
    except InputError as e:
        _bad_input(e)
    if plan.report is not None:
        console.print(render_summary(plan.report, "zh" if lang == Lang.zh else "en",
                                     max_rows=None if show_all else 15))
    console.print(reproducibility(plan, DEFAULT_THREADS, lang))
    raise typer.Exit(_outcome(plan, lang, console))


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="端口 / port")] = 8000,
    database_url: Annotated[str | None, typer.Option("--database-url", help="数据库 / SQLAlchemy URL",
                                                     show_default=False)] = None,
) -> None:
    """启动网页与接口服务 / Start the web service and API."""
    from api.server import serve as run_server  # lazy: FastAPI and the database load only for this command

    run_server(host=host, port=port, database_url=database_url)


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option("--concurrency", "-c", min=1, max=64,
                                             help="并行求解的进程数 / solver processes")] = DEFAULT_THREADS,
    max_memory_per_child_mb: Annotated[int, typer.Option(
        "--max-memory-per-child-mb", min=64,
        help="任务结束后进程内存超过此值（MB）则换新进程 / replace a process whose memory exceeds this after a task",
    )] = 1024,
    loglevel: Annotated[str, typer.Option("--loglevel", help="日志级别 / log level")] = "info",
) -> None:
    """运行计划任务的 Celery 工作进程（需 ALLIANCE_BROKER_URL）/ Run planning jobs as a Celery worker."""
    from api.distributed.worker import run_worker  # lazy: Celery loads only for this command

    raise typer.Exit(run_worker(concurrency=concurrency, max_memory_per_child_mb=max_memory_per_child_mb,
                                loglevel=loglevel))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
