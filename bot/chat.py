"""The console chat: the same answers, sources and suggestions as Telegram, in a terminal."""

from __future__ import annotations

import sys
from dataclasses import replace

from bot.answer.followup import remember
from bot.answer.render import to_text
from bot.states import name, normalise
from bot.types import Context

WELCOME = (
    "careerbot: career guidance for medical assistants, from vetted sources.\n"
    "I can't give medical advice. Ask a question, type a number to open a suggestion,\n"
    "'more' for the whole section behind an answer, '/state CA' to set your state, or /quit (Ctrl-D) to leave."
)


def run_chat(assistant, stdin=sys.stdin, stdout=sys.stdout) -> int:
    def say(text: str) -> None:
        print(text, file=stdout, flush=True)

    say(WELCOME)
    context = Context()
    suggestions: list[str] = []
    more = None
    while True:
        stdout.write("\nyou> ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            say("")
            return 0
        line = line.strip()
        if not line:
            continue
        if line.lower() in ("/quit", "/exit", "quit", "exit"):  # a bare "quit" is no question to answer
            return 0
        if line.startswith("/state"):
            arg = line[len("/state"):].strip()
            context.state = normalise(arg) if arg else None
            say(f"State set to {name(context.state)}." if context.state else
                ("That is not a US state code." if arg else "State cleared."))
            continue
        if line.lower() == "more":
            if more is None:
                say("There is nothing more to show yet: ask a question first.")
                continue
            answer = more
        elif line.isdigit():  # a number opens a listed topic; it is never asked (or logged) as a question
            if not 1 <= int(line) <= len(suggestions):
                say(f"There is no topic {line} here: type one of the numbers listed under an answer, or ask a question."
                    if suggestions else "There are no topics to open yet: ask a question first.")
                continue
            answer = assistant.document(suggestions[int(line) - 1])
        else:
            answer = assistant.ask(line, context)
            context = remember(answer, context)
        say(f"\nbot> {answer.answer if not answer.related else _with_numbers(answer)}")
        suggestions = [r.doc_id for r in answer.related]
        more = assistant.more(answer.more_ref) if answer.more_ref else None


def _with_numbers(answer) -> str:
    plain = to_text(replace(answer, related=[]))
    numbered = "\n".join(f"  {i}. {r.title}" for i, r in enumerate(answer.related, 1))
    return f"{plain}\n\nRelated (type a number):\n{numbered}"
