"""Offline work on the spam model: cold-start training from corpora, and `commentgate eval`."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

import click

from workers.scoring.corpus import CorpusError, read_abuse_set, read_corpus
from workers.scoring.evaluation import (
    OddReport,
    Report,
    abuse_report,
    cross_validate,
    evaluate,
    evaluate_odd,
)
from workers.scoring.model import SpamModel
from workers.scoring.training import progress_steps, train


def train_model(
    files: Sequence[str], progress: bool = True, version: str = "cold-start"
) -> SpamModel:
    """Cold-start a model from JSONL corpora, with a progress bar on stderr.

    Raises:
        CorpusError: if a file has a malformed line.
    """
    examples = read_corpus(files)
    if not progress:
        return train(examples, version)
    steps = progress_steps(len(examples))
    with click.progressbar(length=steps, label="training", file=sys.stderr) as bar:
        return train(examples, version, progress=bar.update)


def _format_report(report: Report, positive: str = "spam", negative: str = "ham") -> str:
    """Human-readable metrics, confusion matrix and top reasons (of ``positive`` calls)."""
    lines = [
        f"examples   {report.n}",
        f"precision  {report.precision:.4f}",
        f"recall     {report.recall:.4f}",
        f"F1         {report.f1:.4f}",
        f"FPR        {report.fpr:.4f}",
        "",
        f"confusion        predicted {positive}  predicted {negative}",
        f"  actual {positive:<8}{report.tp:>14}  {report.fn:>13}",
        f"  actual {negative:<8}{report.fp:>14}  {report.tn:>13}",
        "",
        f"top reasons in {positive} calls:",
    ]
    lines += [f"  {code:<22} {count}" for code, count in report.top_reasons]
    return "\n".join(lines)


@click.command("eval")
@click.option(
    "--train",
    "train_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Labelled JSONL to train the throwaway model on (repeatable).",
)
@click.option(
    "--test",
    "test_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Labelled JSONL to score (repeatable).",
)
@click.option(
    "--cv",
    type=click.IntRange(min=2),
    default=None,
    help="Cross-validate over the --train files with K stratified folds instead.",
)
@click.option(
    "--abuse",
    "abuse_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help='Measure abuse detection instead, on JSONL labelled "abuse" or "ok".',
)
@click.option(
    "--odd",
    "odd_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Report instead how many harmless texts of this JSONL a model trained on --train "
    "calls spam, and how many of them on the model's word alone.",
)
@click.option("--json", "as_json", is_flag=True, help="Print only one JSON object.")
def eval_command(
    train_files: tuple[str, ...],
    test_files: tuple[str, ...],
    cv: int | None,
    abuse_file: str | None,
    odd_file: str | None,
    as_json: bool,
) -> None:
    """Score labelled comments with the stateless checks plus a throwaway model, or
    (``--abuse``) measure abuse detection: "spam" then reads "abuse", or (``--odd``) count
    what becomes of harmless texts."""
    if odd_file is not None:
        if not train_files:
            raise click.UsageError("--odd FILE needs --train FILE")
        odd = _guarded(lambda: evaluate_odd(read_corpus(train_files), _texts(odd_file)))
        _echo_odd(odd, as_json)
        return
    if abuse_file is None and (not train_files or (cv is None and not test_files)):
        raise click.UsageError(
            "give --train FILE with --test FILE, --cv K or --odd FILE, or --abuse FILE"
        )
    report = _guarded(lambda: _report(train_files, test_files, cv, abuse_file))
    if as_json:
        summary = report.to_dict()
        click.echo(
            json.dumps({key: summary[key] for key in ("precision", "recall", "f1", "fpr", "n")})
        )
    else:
        click.echo(_format_report(report, *(("abuse", "ok") if abuse_file else ())))


def _report(
    train_files: Sequence[str], test_files: Sequence[str], cv: int | None, abuse_file: str | None
) -> Report:
    if abuse_file is not None:
        return abuse_report(read_abuse_set(abuse_file))
    examples = read_corpus(train_files)
    return cross_validate(examples, cv) if cv else evaluate(examples, read_corpus(test_files))


def _guarded(work):
    """Run ``work``, turning a malformed corpus line into the command's error."""
    try:
        return work()
    except CorpusError as error:
        raise click.ClickException(str(error)) from None


def _texts(path: str) -> list[str]:
    return [example.text for example in read_corpus([path])]


def _echo_odd(report: OddReport, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.to_dict()))
        return
    click.echo(
        "\n".join(
            [
                f"texts                 {report.n}",
                f"flagged as spam       {report.flagged} ({report.flagged_share:.2%})",
                f"  by the model alone  {report.model_only}",
                f"held for a moderator  {report.held} (the model alone, not decisive)",
            ]
        )
    )
