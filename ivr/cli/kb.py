"""`ivr kb`: ask a knowledge base a question, or measure its match accuracy."""
from __future__ import annotations

from typing import Optional

import click

from .common import EXIT_FINDINGS, format_option, print_json, user_errors


@click.group("kb")
def command() -> None:
    """Self-service knowledge bases: answer questions, measure accuracy."""


_threshold = click.option("--min-confidence", type=click.FloatRange(0, 1), default=None,
                          help="Below this the caller goes to a person (default: the file's, else 0.25).")


@command.command("ask")
@click.argument("kb_file", metavar="KB", type=click.Path(dir_okay=False))
@click.argument("text")
@_threshold
@format_option("text", "json")
@user_errors
def ask(kb_file: str, text: str, min_confidence: Optional[float], fmt: str) -> None:
    """Answer TEXT (what the caller said) from KB, or say it goes to a person."""
    from ..knowledge import Matcher, load_knowledge  # scikit-learn: load only when used

    m = Matcher(load_knowledge(kb_file), min_confidence).match(text)
    e = m.entry
    result = {"to_human": m.to_human, "reason": m.reason, "confidence": round(m.confidence, 3),
              "id": e.id if e else None, "answer": e.answer if e else None,
              "source": e.source if e else None}
    if fmt == "json":
        print_json(result)
    elif e:
        click.echo(f"[{e.id}, confidence {m.confidence:.2f}] {e.answer}\n  source: {e.source}")
    else:
        click.echo(f"-> a person ({m.reason}, confidence {m.confidence:.2f})")


@command.command("eval")
@click.argument("kb_file", metavar="KB", type=click.Path(dir_okay=False))
@click.argument("cases_file", metavar="CASES", type=click.Path(dir_okay=False))
@_threshold
@click.option("--min-accuracy", type=click.FloatRange(0, 1), default=0.8, show_default=True,
              help="Exit 1 when accuracy is below this.")
@format_option("text", "json")
@user_errors
def eval_cmd(kb_file: str, cases_file: str, min_confidence: Optional[float], min_accuracy: float,
             fmt: str) -> None:
    """Match accuracy on CASES, a YAML list of {text, expect: entry-id or "@human"}."""
    from ..knowledge import Matcher, load_knowledge
    from ..knowledge.evaluate import evaluate

    report = evaluate(Matcher(load_knowledge(kb_file), min_confidence), cases_file)
    if fmt == "json":
        print_json(report)
    else:
        for row in report["results"]:
            if not row["ok"]:
                click.echo(f"miss: {row['text']} -> {row['got']} ({row['confidence']}), "
                           f"expected {row['expect']}")
        click.echo(f"accuracy {report['accuracy']:.1%} ({report['correct']}/{report['cases']}); "
                   f"wrong answers {report['wrong_answers']}, sent to a person instead "
                   f"{report['missed_to_human']}; threshold {report['min_confidence']}")
    if report["accuracy"] < min_accuracy:
        raise SystemExit(EXIT_FINDINGS)
