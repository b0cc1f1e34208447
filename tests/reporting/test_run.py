"""`python -m bot report` and `accept` as staff run them (lexical grouping: no model needed)."""

import csv

import pytest
import yaml

from bot.cli import main
from tests.support.tracker_store import ALICE, BOB, CAROL, DAVE, PHONE


@pytest.fixture
def salt(monkeypatch):
    monkeypatch.setenv("BOT_REPORT_SALT", "test-salt")


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_report_writes_html_csv_and_review_file(scripted_store, tmp_path, salt, capsys):
    out = tmp_path / "reports"
    assert main(["report", "--db", str(scripted_store), "--out", str(out), "--similarity", "lexical", "--suggest"]) == 0
    printed = capsys.readouterr().out
    assert "5 conversations, 9 questions: 2 answered, 1 clarified, 6 declined" in printed
    assert {p.name for p in out.iterdir()} == {
        "report.html",
        "daily.csv",
        "questions.csv",
        "declined_groups.csv",
        "rated_answers.csv",
        "suggestions.yml",
    }
    daily = read_csv(out / "daily.csv")
    assert [(r["day"], r["questions"], r["declined_rate"]) for r in daily] == [
        ("2026-11-02", "3", "0.6667"),
        ("2026-11-03", "4", "0.7500"),
        ("2026-11-04", "0", ""),
        ("2026-11-05", "2", "0.5000"),
    ]
    assert read_csv(out / "declined_groups.csv")[0]["count"] == "3"
    assert read_csv(out / "rated_answers.csv")[0]["questions_marked_useless"] == "加强针怎么打"
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8-sig")
        for secret in (ALICE, BOB, CAROL, DAVE, PHONE):
            assert secret not in text, (path.name, secret)


def test_date_range_and_bad_dates(scripted_store, tmp_path, salt, capsys):
    out = tmp_path / "r"
    assert (
        main(
            [
                "report",
                "--db",
                str(scripted_store),
                "--out",
                str(out),
                "--similarity",
                "lexical",
                "--since",
                "2026-11-05",
                "--until",
                "2026-11-06",
            ]
        )
        == 0
    )
    assert [r["day"] for r in read_csv(out / "daily.csv")] == ["2026-11-05", "2026-11-06"]
    with pytest.raises(SystemExit, match="YYYY-MM-DD"):
        main(["report", "--db", str(scripted_store), "--since", "11/05/2026"])
    assert main(["report", "--db", str(scripted_store), "--since", "2026-11-06", "--until", "2026-11-05"]) == 2


def test_missing_store_is_a_clear_error(tmp_path, capsys):
    assert main(["report", "--db", str(tmp_path / "none.db"), "--out", str(tmp_path)]) == 1
    assert "没有找到对话数据库" in capsys.readouterr().err


def test_accept_refuses_malformed_files_with_status_2(tmp_path, capsys):
    bad = tmp_path / "review.yml"
    bad.write_text("suggestions: nope", encoding="utf-8")
    assert main(["accept", str(bad)]) == 2
    assert "suggestions" in capsys.readouterr().err
    nothing = tmp_path / "none.yml"
    nothing.write_text(
        yaml.safe_dump({"suggestions": [{"question": "x", "proposed_faq": "y", "approve": False}]}), encoding="utf-8"
    )
    assert main(["accept", str(nothing)]) == 0
    assert "0 added, 0 refused, 0 already known, 1 not approved" in capsys.readouterr().out
