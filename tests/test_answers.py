"""Answers on the real knowledge base: the asked figure first, the asked subject over the named
state, and an honest no-answer for a state whose rules the guidance lacks."""

import re

import pytest

from bot.answer import figures
from bot.answer.compose import answer_first
from bot.types import Context


def first_sentence(answer) -> str:
    return answer.body.split("\n")[0]


def test_the_figure_of_the_asked_kind_leads():
    sentences = [("Fees change; budget for renewal every 2 years too.", 0.70),
                 ("The exam costs $125 for members.", 0.45),
                 ("You apply first, then schedule.", 0.30)]
    assert answer_first(sentences, figures.pattern("how much does it cost")).startswith("The exam costs $125")
    assert answer_first(sentences, None).startswith("Fees change")  # no figure asked: best match


@pytest.mark.parametrize("question, kind_example, other", [
    ("how much does the rma cost", "$150", "every 2 years"),
    ("how many questions are on the exam", "200 multiple-choice questions", "2 hours"),
    ("how long is ma school", "9 to 12 months", "$1,200"),
    ("how many hrs is the externship", "160 hours", "$1,200"),             # abbreviations spelled out
    ("how many times can i retake it", "up to four attempts", "every 2 years"),  # number words, synonyms
    ("how often do i renew", "renew each year", "$1,200"),
    ("how long is the exam", "160 minutes", "$125"),
    ("if i start in january how soon can i be working", "9 to 12 months", "$1,200"),  # a wait
    ("took my ccma yesterday when do i get my score", "within about 2 days", "$125"),
    ("how long is it good for", "must be renewed every 2 years", "3 hours for 180 questions"),  # validity
])
def test_figure_patterns(question, kind_example, other):
    pattern = figures.pattern(question)
    assert pattern is not None and pattern.search(kind_example) and not pattern.search(other)


def test_no_figure_pattern_without_a_figure_question():
    assert figures.pattern("what does a medical assistant do") is None


def test_cost_follow_up_opens_with_the_fee(kb_assistant):
    answer = kb_assistant.ask("and the rma?", Context(previous_question="how much does the cma exam cost"))
    assert answer.status == "answered" and answer.top_doc == "rma-amt"
    assert "$" in first_sentence(answer)


def test_pay_in_a_state_answers_with_pay_not_scope(kb_assistant):
    answer = kb_assistant.ask("ma pay in california per hour")
    assert answer.top_doc == "pay-by-state" and "$" in first_sentence(answer)
    assert "may not perform" not in answer.body  # California's scope rules stay out of a pay answer


def test_scope_in_a_state_without_guidance_is_an_honest_no(kb_assistant):
    answer = kb_assistant.ask("can a medical assistant give flu shots in new york")
    assert answer.status == "no_answer" and "New York" in answer.body and answer.related
    covered = kb_assistant.ask("can an ma give injections in california")
    assert covered.status == "answered" and covered.top_doc == "california-medical-assistants"


def test_a_follow_up_never_repeats_the_previous_answer(kb_assistant):
    first = kb_assistant.ask("how much does the cma exam cost")
    follow = kb_assistant.ask("how much is it", Context(previous_question=first.query, previous_answer=first.body))
    assert follow.status == "answered" and follow.body != first.body


def test_a_word_the_guidance_never_uses_is_an_honest_no(kb_assistant):
    answer = kb_assistant.ask("does speaking spanish and being bilingual help get ma jobs")
    assert answer.status == "no_answer"
    typo = kb_assistant.ask("how much do medcal assistants make a year")  # a typo is not a new subject
    assert typo.status == "answered"
    # A task whose rules the guidance gives is what the question hinges on, not the unknown detail.
    task = kb_assistant.ask("can an ma give a depo shot")
    assert task.status == "answered" and task.top_doc == "injections-and-medications"
    rx = kb_assistant.ask("can i send rx's to the pharmacy under my doctors login")  # "rx" is a prescription
    assert rx.status == "answered"


def test_a_task_the_states_guidance_does_not_cover_is_an_honest_no(kb_assistant):
    """Florida's guidance covers X-rays only: EKGs there are not answered from a survey that
    happens to name Florida for X-rays, and X-rays there still are."""
    gap = kb_assistant.ask("can ma's do ekgs in florida")
    assert gap.status == "no_answer" and "EKGs" in gap.body and "Florida" in gap.body
    covered = kb_assistant.ask("can mas do x-rays in florida")
    assert covered.status == "answered" and "Florida" in first_sentence(covered)


@pytest.mark.parametrize("question, doc", [("how do i pay for ma school", "program-cost-and-financial-aid"),
                                           ("what is telephone triage", "telephone-triage"),
                                           ("ccma renewal fee", "ccma-nha"),
                                           ("pell grants for medical assistant programs", "program-cost-and-financial-aid")])
def test_a_question_a_passage_covers_closely_is_answered_whatever_the_gate_says(kb_assistant, question, doc):
    """The gate read the first as a topic the guidance lacks, the terse others as out of scope."""
    answer = kb_assistant.ask(question)
    assert answer.status == "answered" and answer.top_doc == doc
    assert kb_assistant.ask("how long does it take to become an electrician").status == "out_of_scope"


def test_pay_in_a_state_without_a_figure_for_it_is_an_honest_no(kb_assistant):
    """Naming Ohio must not get the national median, nor a ranking of states by jobs for Florida."""
    # Texas: the gate itself declines it as uncovered; the reply still names the state and BLS.
    for question, state in (("how much do mas make in ohio", "Ohio"), ("average ma salary in florida?", "Florida"),
                            ("how much do medical assistants make in texas", "Texas"),
                            ("ma pay in chicago", "Illinois")):  # a city names its state
        answer = kb_assistant.ask(question)
        assert answer.status == "no_answer" and state in answer.body and "31-9092" in answer.body, question
    covered = kb_assistant.ask("what do medical assistants earn in california")
    assert covered.status == "answered" and "California at about $" in covered.body


def test_a_sentence_on_a_state_not_asked_about_never_leads(kb_assistant):
    """The triage section notes that there is no Pennsylvania-specific rule: not the first thing to
    tell someone who named no state."""
    answer = kb_assistant.ask("my boss wants me to triage calls is that allowed")
    assert answer.status == "answered" and answer.top_doc == "telephone-triage"
    assert "Pennsylvania" not in answer.body and "Pennsylvania" in answer.body_full


def test_a_state_is_never_answered_from_another_states_section(kb_assistant):
    """One document covers South Dakota, North Dakota and Delaware: each section speaks for the
    state it names only."""
    north = kb_assistant.ask("do mas need a license in north dakota")
    assert north.status == "answered" and "North Dakota" in first_sentence(north)
    south = kb_assistant.ask("can mas give shots in south dakota")
    assert south.status == "no_answer" and "South Dakota" in south.body and "North Dakota" not in south.body


@pytest.mark.parametrize("question, missing", [
    ("is the cpc coding exam hard", "medical billing and coding"),
    ("should i get my cpht or become an ma", "pharmacy technicians"),
])
def test_credentials_of_other_occupations_are_an_honest_no(kb_assistant, question, missing):
    answer = kb_assistant.ask(question)
    assert answer.status == "no_answer" and missing in answer.body


def test_an_uncovered_question_names_what_the_guidance_lacks_when_it_can(kb_assistant):
    for question, name in (("how many months is surgical tech school", "surgical technologists"),
                           ("what does pharmacy tech school cost", "pharmacy technicians")):
        answer = kb_assistant.ask(question)
        assert answer.status == "no_answer" and name in answer.body, question


@pytest.mark.parametrize("question, role", [("how do i become a pharmacist", "becoming a pharmacist"),
                                            ("how long does it take to become a dentist?", "becoming a dentist"),
                                            ("i want a career as a doula in texas", "becoming a doula")])
def test_becoming_a_role_the_guidance_never_names_is_an_honest_no(kb_assistant, question, role):
    answer = kb_assistant.ask(question)
    assert answer.status == "no_answer" and role in answer.body
    # Roles the guidance covers, a typo of one, and an abbreviation are still answered.
    for covered in ("how do i become a phlebotomist", "how do i become a medcal asistant",
                    "how long does it take to become an rma"):
        assert kb_assistant.ask(covered).status == "answered", covered


def test_a_place_or_a_stated_figure_does_not_make_a_question_uncovered(kb_assistant):
    """A city the guidance never names beside a credential it covers, and a state's pay with the
    asker's own figure to put in context, are answered."""
    for question in ("do i need the ma-c before my first job in tacoma", "is 16 an hour ok for an ma in ohio"):
        assert kb_assistant.ask(question).status == "answered", question


@pytest.mark.parametrize("question", ["can i take my xanax before the ccma exam",
                                      "should i skip my insulin on rma test day",
                                      "as an rma, is my a1c of 7.2 something to worry about",
                                      "im pregnant, is it safe to do my ma externship at an x-ray clinic"])
def test_ones_own_medicine_or_reading_is_referred_even_beside_a_credential(kb_assistant, question):
    assert kb_assistant.ask(question).status == "medical"


@pytest.mark.parametrize("question", ["can i take my cma exam online", "when do my cma results come out",
                                      "can i practice blood pressure on my classmates"])
def test_taking_an_exam_is_still_a_career_question(kb_assistant, question):
    assert kb_assistant.ask(question).status != "medical"


def test_failing_an_exam_is_a_career_question_not_a_crisis(kb_assistant):
    answer = kb_assistant.ask("failed my ccma by two points, what do i do now")
    assert answer.status == "answered" and "988" not in answer.body


@pytest.mark.parametrize("question, doc", [
    ("how long until I'm working?", "how-long-to-start-working"),   # the README's own example
    ("How long is the AAMA certification good for?", "cma-recertification"),
    ("can MAs give vaccines?", "injections-and-medications"),
])
def test_the_examples_the_product_is_described_with_are_answered(kb_assistant, question, doc):
    answer = kb_assistant.ask(question)
    assert answer.status == "answered" and answer.top_doc == doc


def test_a_list_item_that_leads_brings_the_line_introducing_the_list():
    sentences = [("Some things belong to licensed professionals.", 0.40),
                 ("An MA may not:", 0.10),
                 ("• diagnose a condition", 0.30),
                 ("• interpret test results on their own", 0.60)]
    reply = answer_first(sentences, None)
    assert reply.startswith("An MA may not:\n") and "• interpret test results" in reply


def test_a_question_on_a_declared_gap_gets_an_honest_no_naming_it(small_assistant):
    """tests/fixtures/knowledge/pay.md declares 401(k) plans a gap beside pay by workplace."""
    gap = small_assistant.ask("does being an ma get you a 401k")
    assert gap.status == "no_answer" and "retirement plans such as a 401(k)" in gap.body
    assert "pay" in [r.doc_id for r in gap.related]  # the nearest topic is still offered
    pay = small_assistant.ask("do outpatient care centers pay medical assistants more")
    assert pay.status == "answered" and "$47,560" in pay.body


def test_a_longer_question_with_a_pronoun_and_no_subject_of_its_own_is_a_follow_up():
    from bot.answer.followup import is_follow_up

    assert is_follow_up("how many hrs of training do i need for that")
    assert not is_follow_up("how many hrs of training do i need for the cma exam")
    assert is_follow_up("how many questions is their exam")  # "their": the organisation asked about before
    assert is_follow_up("do they ever turn into a job")  # the pronoun is what is asked about
    assert not is_follow_up("do externships ever turn into a job")


def test_known_gaps_of_the_knowledge_base_are_declined_by_name(kb_assistant):
    bonus = kb_assistant.ask("will i get a signing bonus as a new ma")
    assert bonus.status == "no_answer" and "sign-on bonuses for MAs" in bonus.body
    assert "entry-level-pay-and-raises" in [r.doc_id for r in bonus.related]  # where the gap is declared
    # Declared in the lead-MA document; retrieval finds the pay documents, but the gap matches closely.
    instructors = kb_assistant.ask("what do medical assisting instructors earn")
    assert instructors.status == "no_answer" and "pay for MA instructors" in instructors.body


def test_a_gap_about_another_credential_does_not_decline_the_one_asked_about(kb_assistant):
    """The RMA document declares where its exam is taken a gap; the CMAC's remote testing is covered."""
    answer = kb_assistant.ask("can i take the amca cmac exam online from home")
    assert answer.status == "answered" and answer.top_doc == "cmac-amca"


def test_after_a_referral_whether_to_go_in_or_a_bare_follow_up_is_referred_again(kb_assistant):
    from bot.answer.followup import remember

    context = remember(kb_assistant.ask("my bp was 160/100 at my externship physical is that bad"), Context())
    assert context.referred and context.previous_question is None
    go = kb_assistant.ask("should i still go to externship tomorrow", context)
    assert go.status == "medical" and "well enough to go in" in go.body and not go.sources
    assert kb_assistant.ask("will it go away", context).status == "medical"
    assert kb_assistant.ask("should i still go tomorrow", context).status == "medical"  # not the check-in
    career = kb_assistant.ask("ok how much does the cma cost", context)
    assert career.status == "answered" and "$" in career.body
    assert not remember(career, context).referred
    # Without the referral, whether to go to externship is no health question.
    assert kb_assistant.ask("should i still go to externship tomorrow").status != "medical"


def test_a_linking_word_never_opens_the_answer():
    sentences = [("Pay varies by state.", 0.2), ("So in May 2024 half of MAs earned more than $21.25 an hour.", 0.9)]
    body = answer_first(sentences, figures.pattern("how much do mas make an hour"))
    assert body.startswith("In May 2024 half")


def test_after_an_out_of_scope_question_a_bare_follow_up_is_declined_too(kb_assistant):
    """"how long is the apprenticeship" after "how do i become an electrician" asks about the
    electrician's, not the MA apprenticeship the guidance describes (blind8, read)."""
    from bot.answer.followup import remember

    context = remember(kb_assistant.ask("how do i become an electrician"), Context())
    assert context.declined
    assert kb_assistant.ask("how long is the apprenticeship", context).status == "out_of_scope"
    assert kb_assistant.ask("can i take advil for my back after", context).status == "medical"  # still referred
    career = kb_assistant.ask("ok and how long is ma school", context)
    assert career.status == "answered" and not remember(career, context).declined


def test_a_question_without_a_vetted_answer_is_still_leaned_on(kb_assistant):
    from bot.answer.followup import remember

    first = kb_assistant.ask("how much do mas make in ohio")
    context = remember(first, Context())
    assert first.status == "no_answer" and context.previous_question and context.previous_answer is None
    assert "Texas" in kb_assistant.ask("and in texas?", context).body


def test_here_is_the_state_the_asker_set(kb_assistant):
    """"how much do ma's make here" with Texas set is Texas pay, which the guidance has no figure for."""
    answer = kb_assistant.ask("how much do ma's make here on average", Context(state="TX"))
    assert answer.status == "no_answer" and "Texas" in answer.body and "31-9092" in answer.body
    assert kb_assistant.ask("how much do ma's make on average", Context(state="TX")).status == "answered"


def test_a_states_missing_rules_come_before_a_declared_gap(kb_assistant):
    """"what can mas do in ohio" is closer to the gap "is it hard to find ma work in ohio" than to any
    passage; the honest no is about Ohio's rules."""
    answer = kb_assistant.ask("what can mas do in ohio")
    assert answer.status == "no_answer" and "what medical assistants may do in Ohio" in answer.body


def test_whether_certification_is_required_in_a_state_gets_the_general_rule(kb_assistant):
    answer = kb_assistant.ask("do i legally have to be certified to work as an ma? i live in ohio")
    assert answer.status == "answered" and answer.top_doc == "is-certification-required"
    assert "not a legal requirement" in answer.body


def test_a_gap_must_beat_the_closest_of_the_best_passages(kb_assistant):
    """0.76 from the gap "minimum grades to pass MA courses", 0.80 from the courses section (second)."""
    answer = kb_assistant.ask("what classes do u take in ma school, is there a lot of math")
    assert answer.status == "answered" and answer.top_doc == "what-you-study"


@pytest.mark.parametrize("question", ["is it ok to go to clinicals with a 100.4 fever",
                                      "i have a fever can i still go to my externship",
                                      "can i take my cma exam with a cold"])
def test_going_in_with_a_symptom_is_referred(kb_assistant, question):
    answer = kb_assistant.ask(question)
    assert answer.status == "medical" and not answer.sources


def test_working_with_sick_patients_is_no_symptom_of_ones_own():
    from bot.answer.gate import is_own_health

    assert not is_own_health("do i have to work with covid patients")
    assert not is_own_health("what if a patient comes in with a fever")
    assert is_own_health("im running a fever, should i call out")


def test_how_many_with_nothing_counted_leans_on_the_previous_question(kb_assistant):
    from bot.answer.followup import is_follow_up, remember

    assert is_follow_up("how many can i take at once") and not is_follow_up("how many questions are on the cma exam")
    context = remember(kb_assistant.ask("can i take tylenol before my externship shift? my back hurts"), Context())
    assert kb_assistant.ask("how many can i take at once", context).status == "medical"


def test_an_adjective_before_pay_still_asks_for_a_figure():
    assert figures.pattern("whats starting pay for a brand new ma w no experience") is not None
    assert figures.pattern("what is the average salary") is not None
    assert figures.pattern("what is the best way to pay for school") is None


def test_a_gap_closer_than_a_loose_passage_counts_wherever_it_is_declared(kb_assistant):
    """0.74 from the TEAS gap of the MA-to-RN document, 0.57 from the LPN bridge (blind8, read)."""
    answer = kb_assistant.ask("whats a good teas score for lpn programs")
    assert answer.status == "no_answer" and "TEAS" in answer.body


@pytest.mark.parametrize("question", ["whats an ma called in the uk", "how do i transfer my ccma to work in canada",
                                      "can i work abroad as an ma"])
def test_work_outside_the_us_is_an_honest_no(kb_assistant, question):
    answer = kb_assistant.ask(question)
    assert answer.status == "no_answer" and "outside the US" in answer.body


def test_where_a_diploma_came_from_is_not_work_abroad():
    from bot.states import abroad

    assert abroad("my high school diploma is from mexico, can i enroll") is None
    assert abroad("travel ma jobs in georgia") is None
    assert abroad("can i work as an ma in the philippines") == "philippines"


def test_a_pay_question_is_not_answered_from_a_passage_that_never_speaks_of_pay(kb_assistant):
    """The comparison's first section (0.98) says how the jobs differ; the pay is a declared gap."""
    answer = kb_assistant.ask("ma vs phlebotomist which one makes more")
    assert answer.status == "no_answer" and "phlebotomist pay" in answer.body
    assert kb_assistant.ask("what do medical assistants earn in california").status == "answered"


def test_which_is_quicker_asks_for_durations(kb_assistant):
    """After the MA-vs-phlebotomist pay question, "which one is quicker to finish school for" leads
    with how long each training takes (blind8, read: it got how the two jobs differ)."""
    from bot.answer.followup import remember

    assert figures.pattern("which one is quicker to finish school for") is not None
    context = remember(kb_assistant.ask("ma vs phlebotomist which one makes more"), Context())
    answer = kb_assistant.ask("which one is quicker to finish school for", context)
    assert answer.status == "answered" and "9 to 12 months" in first_sentence(answer)


def test_a_follow_up_keeps_the_figure_it_asks_for_even_if_just_said(kb_assistant):
    """One sentence gives both the CCMA's questions and its time: the follow-up asking for the time
    still opens with it, and is still not the previous answer word for word."""
    from bot.answer.followup import remember

    first = kb_assistant.ask("how many questions is the ccma exam")
    follow = kb_assistant.ask("and how long do i get to take it", remember(first, Context()))
    assert re.search(r"\b(?:3|three) hours\b", first_sentence(follow), re.IGNORECASE) and follow.body != first.body


@pytest.mark.parametrize("question, words", [("how long is the ccma good for", "every 2 years"),
                                             ("how long is the ncma good for", "every year")])
def test_how_long_a_credential_is_good_for_gets_its_renewal_cycle(kb_assistant, question, words):
    """Not the exam's length ("how long is the ccma good for" got 180 questions in 3 hours)."""
    answer = kb_assistant.ask(question)
    assert answer.status == "answered" and words in first_sentence(answer)


def test_a_follow_up_that_varies_the_question_keeps_its_figure(kb_assistant):
    """ "and if im a member?" after the CMA fee asks for the fee again, on a condition (blind9, read:
    it opened with who may take the exam)."""
    answer = kb_assistant.ask("and if im a member of the aama?", Context(previous_question="what does the cma exam cost"))
    assert answer.status == "answered" and "$125" in first_sentence(answer)


def test_a_switched_credential_is_named_once():
    from bot.answer import entities

    switched = entities.replace_credentials("whats the passing score on the nha ccma",
                                            entities.credentials("whats the passing score on the nha ccma"), "RMA")
    assert switched == "whats the passing score on the RMA"


def test_a_switched_credential_keeps_the_figure_asked_for(kb_assistant):
    answer = kb_assistant.ask("and the rma?", Context(previous_question="what score do i need on the nha ccma"))
    assert answer.top_doc == "rma-amt" and "70" in first_sentence(answer)


@pytest.mark.parametrize("question", ["should i take something for my nerves before the rma, i get panic attacks",
                                      "is it ok if i take ritalin to study for my ncma",
                                      "im 5 months pregnant, is it safe to keep drawing blood at my externship"])
def test_medicines_to_get_through_an_exam_and_pregnancy_are_referred(kb_assistant, question):
    """A credential named beside one's own medicine or pregnancy does not make it a career question."""
    assert kb_assistant.ask(question).status == "medical"


@pytest.mark.parametrize("question", ["should i take something like a prep course before the cma",
                                      "can i take a snack into the ccma exam"])
def test_taking_a_course_or_a_snack_is_no_medicine(question):
    from bot.answer.gate import is_own_health

    assert not is_own_health(question)


def test_a_scope_question_comparing_with_another_occupation_is_answered(kb_assistant):
    """ "or do u need a rad tech license" compares; the question is what an MA may do (blind9, read)."""
    answer = kb_assistant.ask("can medical assistants do x rays or is that only for a radiology tech")
    assert answer.status == "answered" and answer.top_doc == "x-ray-and-limited-radiography"


def test_rules_on_giving_medications_in_a_state_answer_for_injections(kb_assistant):
    answer = kb_assistant.ask("can an ma give shots in delaware")
    assert answer.status == "answered" and "Delaware" in answer.body


def test_after_an_occupation_the_guidance_lacks_a_bare_follow_up_names_it_again(kb_assistant):
    """ "how long does that take" after the dental assistant asks about dental assisting, not the MA
    timeline (blind9, read)."""
    from bot.answer.followup import remember

    context = remember(kb_assistant.ask("how do you become a surgical tech"), Context())
    assert context.declined
    follow = kb_assistant.ask("and how long is that?", context)
    assert follow.status == "no_answer" and "surgical technologists" in follow.body
    state_pay = remember(kb_assistant.ask("how much do mas make in ohio"), Context())
    assert not state_pay.declined  # a state without a pay figure is leaned on: "and in texas?"


def test_medical_coding_is_an_occupation_the_guidance_lacks(kb_assistant):
    from bot.answer import entities

    assert entities.uncovered_occupation("is medical coding from home a real job") == "medical billing and coding"
    assert kb_assistant.ask("is medical coding a good job to do from home").status == "no_answer"
    assert kb_assistant.ask("do medical assistants do billing and coding").status == "answered"


def test_whether_one_must_be_certified_in_california_gets_californias_rules(kb_assistant):
    """Not California's supervision rules (blind9, read: "do i need to be certified to work as an ma
    in ca" got them once "ca" was read as California)."""
    answer = kb_assistant.ask("is certification required to be a medical assistant in ca")
    assert answer.status == "answered" and "unlicensed" in answer.body and "training" in answer.body


def test_a_lead_too_short_to_stand_alone_leaves_room_for_a_long_sentence():
    """"Medical assistants have two kinds of duties." leads into the 60-word list of clinical duties,
    which must not lose to a shorter, worse sentence for want of room (blind8, read)."""
    from bot.answer import compose

    long = "Clinical duties include " + ", ".join(f"task number {i}" for i in range(18)) + "."
    sentences = [("Medical assistants have two kinds of duties.", 0.61), (long, 0.54),
                 ("Administrative duties include phones and scheduling for the whole front office team.", 0.48)]
    assert len(long.split()) > compose.ANSWER_WORDS - 7
    assert compose.choose(sentences) == [sentences[0][0], long]
