"""The command line: ask (one question, --json, --file), chat, eval's failure exit."""

import io
import json

import pytest

from bot.assistant import Assistant
from bot.chat import run_chat
from bot.knowledge.admin import build_index
from bot.cli import answer_lines, main


@pytest.fixture
def env(small_settings, encoder, monkeypatch):
    build_index(small_settings, encoder)
    monkeypatch.setenv("CAREERBOT_INDEX_DIR", str(small_settings.index_dir))
    monkeypatch.setenv("CAREERBOT_DATA_DIR", str(small_settings.data_dir))
    monkeypatch.setenv("CAREERBOT_KNOWLEDGE_DIR", str(small_settings.knowledge_dir))
    return small_settings


def test_ask_file_prints_one_json_line_per_question_in_order(env, tmp_path, capsys):
    questions = ["what do mas earn", "", "   ", "how long is the cma exam", "tell me a joke",
                 "can ma give injections"]
    path = tmp_path / "q.txt"
    path.write_text("\n".join(questions) + "\n")
    assert main(["ask", "--file", str(path), "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    results = [json.loads(line) for line in lines]
    assert [r["question"] for r in results] == [q for q in questions if q.strip()]
    assert [r["status"] for r in results] == ["answered", "answered", "out_of_scope", "answered"]
    assert results[0]["sources"][0]["doc_id"] == "pay"
    assert set(results[0]) >= {"status", "answer", "sources", "passages", "timings_ms"}


def test_a_failing_question_prints_an_error_line_and_the_rest_go_on(small_assistant):
    class Flaky(Assistant):
        def ask(self, question, context=None, **kw):
            if "boom" in question:
                raise RuntimeError("encoder crashed")
            return super().ask(question, context, **kw)

    flaky = Flaky(small_assistant.settings, small_assistant.store)
    results = list(answer_lines(flaky, ["what do mas earn", "boom", "cma exam length"], None))
    assert [r["status"] for r in results] == ["answered", "error", "answered"]
    assert results[1] == {"question": "boom", "status": "error", "error": "RuntimeError: encoder crashed"}


def test_ask_prints_text_with_source(env, capsys):
    assert main(["ask", "what is the median pay for medical assistants"]) == 0
    out = capsys.readouterr().out
    assert "$44,200" in out and "Source: BLS" in out


@pytest.mark.parametrize("knowledge, flags", [("missing", []), ("fixture", ["--no-build"])])
def test_ask_without_index_or_without_building_is_one_clear_line(small_kb, tmp_path, monkeypatch, capsys,
                                                                 knowledge, flags):
    monkeypatch.setenv("CAREERBOT_INDEX_DIR", str(tmp_path / "none"))
    monkeypatch.setenv("CAREERBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CAREERBOT_KNOWLEDGE_DIR", str(small_kb if knowledge == "fixture" else tmp_path / "nowhere"))
    assert main(["ask", "hello", *flags]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "careerbot index build" in err
    assert not (tmp_path / "none" / "current").exists()


def test_ask_builds_and_publishes_a_missing_index_then_answers(small_settings, monkeypatch, capsys):
    monkeypatch.setenv("CAREERBOT_INDEX_DIR", str(small_settings.index_dir))
    monkeypatch.setenv("CAREERBOT_DATA_DIR", str(small_settings.data_dir))
    monkeypatch.setenv("CAREERBOT_KNOWLEDGE_DIR", str(small_settings.knowledge_dir))
    assert main(["ask", "--json", "what do mas earn"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["status"] == "answered"  # stdout stays clean JSON
    assert err.count("\n") == 1 and err.startswith("No index is published") and "published v" in err
    # A second ask finds the index and says nothing about building.
    assert main(["ask", "what do mas earn"]) == 0 and capsys.readouterr().err == ""


def test_version_prints_the_package_and_the_published_index(env, capsys):
    from bot.knowledge.index import read_manifest

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("careerbot ") and read_manifest(env.index_dir)["version"] in out


def test_index_build_reports_invalid_documents_with_exit_2(env, capsys):
    (env.knowledge_dir / "pay.md").write_text("no front matter")
    assert main(["index", "build"]) == 2
    assert "pay.md" in capsys.readouterr().err


def test_chat_answers_follows_suggestions_sets_state_and_quits(small_assistant):
    stdin = io.StringIO("can a medical assistant give injections\n1\n/state ca\n"
                        "can a medical assistant give injections\n/quit\n")
    stdout = io.StringIO()
    assert run_chat(small_assistant, stdin, stdout) == 0
    out = stdout.getvalue()
    assert "Rules differ by state" in out and "Related (type a number)" in out
    assert "State set to California." in out
    assert "ten clock hours" in out  # the California guidance, after the state was set
    assert out.count("bot>") == 3


def test_chat_ends_on_a_bare_quit_too(small_assistant):
    stdout = io.StringIO()
    assert run_chat(small_assistant, io.StringIO("what do mas earn\nquit\nwhat do mas earn\n"), stdout) == 0
    assert stdout.getvalue().count("bot>") == 1


def test_chat_ends_on_ctrl_d(small_assistant):
    assert run_chat(small_assistant, io.StringIO("what do mas earn\n"), io.StringIO()) == 0
