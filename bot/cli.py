"""`python -m bot <command>`: the project's command line."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import IO, Optional

from bot.paths import PROJECT_ROOT

DATA = PROJECT_ROOT / "data"


def cmd_ingest(args) -> int:
    from bot.ingest.pipeline import ingest_all
    from bot.rasa_data.faq_responses import write_faq_responses

    _, faqs = ingest_all(DATA / "sources" / "sources.yml", DATA / "articles.yml", DATA / "faq.yml")
    write_faq_responses(faqs, DATA / "responses" / "faq.yml")
    print(f"ingested {len(faqs)} Q&A pairs -> data/faq.yml, data/articles.yml, data/responses/faq.yml")
    return 0


def cmd_build_model(args) -> int:
    from bot.embedding.build_command import main as build_main

    return build_main(["--force"] if args.force else [])


def cmd_build_index(args) -> int:
    from bot.answering.service import build_retriever

    retriever = build_retriever()
    print(f"retrieval index ready: {retriever.describe()}")
    return 0


def cmd_run(args) -> int:
    import os
    import signal

    from bot.serving.run_info import clear_run_info, write_run_info
    from bot.serving.stack import Stack, StackError

    stack = Stack(
        rasa_port=args.port, actions_port=args.actions_port, start_actions=True, web_port=args.web_port or None
    )
    if os.environ.get("BOT_MESSAGING") == "1":
        # Telegram needs its variables and the internet at startup: opt-in only (docs/channels.md).
        stack.credentials = "credentials.messaging.yml"
        unset = [
            v for v in ("TELEGRAM_ACCESS_TOKEN", "TELEGRAM_VERIFY", "TELEGRAM_WEBHOOK_URL") if not os.environ.get(v)
        ]
        if unset:
            print(f"error: BOT_MESSAGING=1 needs {', '.join(unset)} (see docs/channels.md)", file=sys.stderr)
            return 1
    try:
        if args.shell:
            print(
                "starting the action server and the Rasa server for a terminal chat (about 30-60 s; "
                "BOT_DEBUG=1 also prints the answer metadata)...",
                flush=True,
            )
            return stack.run_shell()
        print("starting the action server and the Rasa server (about 30-60 s)...", flush=True)
        stack.start()
        write_run_info(stack.rasa_url, stack.auth_token)
        web_line = f"Web chat demo: {stack.web_url}\n" if stack.web_url else ""
        print(
            f"""
The bot is running.
  Rasa server (REST channel): {stack.rasa_url}/webhooks/rest/webhook
  Action server:              {stack.actions_url}/webhook
  Logs:                       {stack.log_dir}
{web_line}Try:  curl -s -X POST {stack.rasa_url}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
        -d '{{"sender": "me", "message": "加强针怎么打"}}'
  or: echo 加强针怎么打 | .venv/bin/python -m bot ask
Press Ctrl-C to stop.""",
            flush=True,
        )
        # Blocked first, so SIGTERM waits here too instead of killing us before cleanup.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
        print("\nstopping...", flush=True)
        return 0
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()
        clear_run_info()


def _lines(stream: IO[bytes]):
    for raw in stream:
        yield raw[:-1] if raw.endswith(b"\n") else raw


def cmd_ask(args) -> int:
    from bot.serving.ask import answer_lines

    return answer_lines(
        _lines(sys.stdin.buffer), sys.stdout, url=args.url, token=args.token, one_conversation=args.conversation
    )


def cmd_eval(args) -> int:
    if args.dialogues:
        # Whole conversations through the real stack (eval/dialogues.yml).
        from bot.evaluation.dialogues import main as dialogues_main

        return dialogues_main(PROJECT_ROOT / args.dialogues, url=args.url, markdown=args.markdown)
    from bot.evaluation.run import main as eval_main

    return eval_main(args)


def cmd_calibrate(args) -> int:
    from bot.evaluation.calibrate import main as calibrate_main

    return calibrate_main(args)


def cmd_report(args) -> int:
    from bot.reporting.run import report_main

    return report_main(args)


def cmd_accept(args) -> int:
    from bot.reporting.run import accept_main

    return accept_main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="COVID-19 vaccination FAQ bot")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ingest", help="repair the source pages and extract the Q&A pairs").set_defaults(func=cmd_ingest)
    build_model = sub.add_parser(
        "build-model", help="build the embedding model (zero-shot or fine-tuned, as settings/retrieval.yml selects)"
    )
    build_model.add_argument("--force", action="store_true", help="rebuild the selected model even if up to date")
    build_model.set_defaults(func=cmd_build_model)
    sub.add_parser("build-index", help="build (or reuse) the retrieval index").set_defaults(func=cmd_build_index)

    run = sub.add_parser("run", help="start the Rasa server and the action server")
    run.add_argument("--port", type=int, default=5005)
    run.add_argument("--actions-port", type=int, default=5055)
    run.add_argument("--shell", action="store_true", help="chat in this terminal instead of serving")
    run.add_argument(
        "--web-port", type=int, default=8000, help="serve the web chat demo page on this port (0: do not serve it)"
    )
    run.set_defaults(func=cmd_run)

    ask = sub.add_parser("ask", help="answer questions from stdin, one JSON object per line")
    ask.add_argument("--url", default=None, help="a running bot (default: the one `make run` started, else start one)")
    ask.add_argument("--token", default=None, help="the Rasa API token, to report intent and confidence")
    ask.add_argument(
        "--conversation",
        action="store_true",
        help="treat all lines as one conversation (follow-ups); default: each line on its own",
    )
    ask.set_defaults(func=cmd_ask)

    ev = sub.add_parser("eval", help="compare intent-only, retrieval-only and hybrid on the held-out set")
    ev.add_argument(
        "--set",
        action="append",
        default=None,
        help="an evaluation set (repeatable; default: eval/test.yml and eval/holdout.yml)",
    )
    ev.add_argument("--markdown", default=None, help="also write the report to this file")
    ev.add_argument(
        "--dialogues",
        nargs="?",
        const="eval/dialogues.yml",
        default=None,
        help="evaluate whole conversations instead (default set: eval/dialogues.yml)",
    )
    ev.add_argument("--url", default=None, help="with --dialogues: a running bot (default: start a private one)")
    ev.set_defaults(func=cmd_eval)

    cal = sub.add_parser("calibrate", help="choose the answer thresholds on eval/dev.yml")
    cal.add_argument("--set", default="eval/dev.yml")
    target = cal.add_mutually_exclusive_group()
    target.add_argument("--write", action="store_true", help="write them to settings/answering.yml (reviewed)")
    target.add_argument(
        "--build",
        action="store_true",
        help="fit them for this build's models into .cache/calibration/ (what `make setup` does; "
        "skipped while the fit there is current)",
    )
    cal.set_defaults(func=cmd_calibrate)

    rep = sub.add_parser("report", help="conversation report (HTML + CSV) from the tracker store")
    rep.add_argument(
        "--db",
        default=None,
        help="tracker store: a SQLite file or an SQLAlchemy URL (default: $BOT_REPORT_DB_URL, "
        "else state/conversations.db)",
    )
    rep.add_argument("--since", default=None, help="first day, YYYY-MM-DD (Beijing time)")
    rep.add_argument("--until", default=None, help="last day, YYYY-MM-DD (inclusive)")
    rep.add_argument("--out", default=str(PROJECT_ROOT / "state" / "reports"), help="output folder")
    rep.add_argument(
        "--similarity",
        choices=["embedding", "lexical"],
        default=None,
        help="how to group questions (default: the embedding model, else lexical)",
    )
    rep.add_argument(
        "--group-threshold",
        type=float,
        default=None,
        help="similarity a question needs to join a group (default per method, see bot/reporting/similarity.py)",
    )
    rep.add_argument(
        "--suggest",
        action="store_true",
        help="also write a review file of (question, proposed FAQ, score) for `accept`",
    )
    rep.add_argument("--suggest-file", default=None, help="where to write it (default: <out>/suggestions.yml)")
    rep.set_defaults(func=cmd_report)

    acc = sub.add_parser("accept", help="add approved suggestions to data/nlu/faq_accepted.yml (no retraining)")
    acc.add_argument("file", help="a review file from `report --suggest`, entries set to approve: true")
    acc.set_defaults(func=cmd_accept)
    return parser


def main(argv: Optional[list] = None) -> int:
    args = build_parser().parse_args(argv)
    # The build steps take minutes on a first run: say what they are doing.
    verbose = args.command in ("build-model", "build-index")
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    return args.func(args)
