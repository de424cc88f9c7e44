"""The gate: refer medical questions, decline out-of-scope ones, before any passage is retrieved.

A logistic regression over sentence embeddings, trained at start-up on labelled example sets
(`gate_examples.yaml`: medical, out_of_scope, in_scope), and weighed against how well the
knowledge base matches. It learns the direction "asks about my own health" rather than a word
list, so it generalises to phrasings it has never seen (measured on tests/eval, whose questions
are never gate examples).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import yaml

from bot.answer.crisis_model import CrisisModel

if TYPE_CHECKING:
    from bot.answer.encoder import TextEncoder
    from bot.knowledge.embed import EmbeddingCache

EXAMPLES_PATH = Path(__file__).with_name("gate_examples.yaml")
CRISIS_EXAMPLES_PATH = Path(__file__).with_name("crisis_examples.yaml")
LABELS = ("medical", "out_of_scope", "in_scope", "crisis", "uncovered")
REGULARISATION_C = 4.0
# Calibrated on tests/eval; see README "Evaluation".
MEDICAL_MIN = 0.5        # probability that the question is about the asker's own health
OUT_OF_SCOPE_MIN = 0.5
UNCOVERED_MIN = 0.6      # a health-care career topic the guidance lacks: an honest no-answer
FOLLOW_UP_MEDICAL_MIN = 0.8  # a follow-up that on its own is clearly about the asker's health

# The crisis classifier's probability (crisis_model.py; README, Safety); crisis.py's patterns are the
# other layer. Leaving one safety set out at a time, of 382 crisis messages, 364 traps and 877 career
# questions: 306, 4 and 2 reach CRISIS_MIN; 272, 1 and 1 reach CRISIS_SURE; 351, 9 and 12 CRISIS_WATCH.
CRISIS_MIN = 0.8
# Between CRISIS_MIN and this, the classifier alone is unsure: such a message gets a check-in that
# asks directly and still gives 988 and 911.
CRISIS_SURE = 0.9
# Below CRISIS_MIN but above this, a message may still come from someone struggling: the reply
# (whatever it is) ends with one line offering 988.
CRISIS_WATCH = 0.5
# The gate's own crisis class, in decide(): a share this large is a worried tone, not a medical question.
CRISIS_SHARE_WATCH = 0.5

# An urgent situation at work (a needlestick, a patient's alarming reading): not a career question,
# and not the asker's own health either. The reply tells them to act now, not to read guidance.
_WORKPLACE = re.compile(
    r"\b(?:needle ?stick|needle stick|(?:got |was |been )?stuck (?:myself |me |my (?:hand|finger) )?with (?:a|an|the) (?:\w+ )?needle|"
    r"sharps? injur\w*|(?:cut|pricked|stuck|burned|burnt|hurt|injured|scratched) (?:my \w+|myself) .{0,40}?\bat work\b|(?:splash\w*|exposure|exposed) (?:\w+ ){0,3}(?:blood|body fluids?))\b|"
    r"\b(?:my|a|the|this|our) (?:patient|pt)(?:s|'s|’s)?\b.{0,80}?"
    r"\b(?:bp|blood pressure|sugar|glucose|o2|oxygen|sats?|heart rate|pulse|temp|temperature|fever|chest pain|"
    r"cant breathe|can't breathe|unresponsive|fainted|passed out|seizure|seizing|bleeding|reaction|\d{2,3}/\d{2,3})\b"
    r".{0,60}?\b(?:what (?:should|do|can) i do|what now|should i|is (?:that|this|it) (?:normal|ok|okay|bad|dangerous|high|low)|"
    r"(?:does|do|should|will) (?:she|he|they|it) (?:need|get|go|be))",
    re.IGNORECASE)
# ... or an acute event or a reading told as happening now, question or not ("pt is having chest pain
# in room 3", "my patient passed out in the waiting room", "my patient's bp is 190/120"), unless it
# is a hypothetical about the job ("what does an ma do if a patient has a seizure").
_PATIENT_NOW = re.compile(
    r"\b(?:patient|pt)(?:s|'s|’s)?\b(?: \w+){0,3}? (?:is |s |just |started |keeps )?having (?:a |an )?"
    r"(?:stroke|seizure|heart attack|chest pain|allergic reaction|anaphyla\w*|asthma attack)|"
    r"\b(?:patient|pt)\b(?: \w+){0,3}? (?:just )?(?:passed out|fainted|collapsed|stopped breathing|is not breathing|"
    r"isnt breathing|is unresponsive|went unresponsive|is seizing|is choking|is bleeding)|"
    r"\b(?:patient|pt)(?:s|'s|’s) (?:bp|blood pressure|sugar|glucose|o2|sats?|pulse|heart rate|temp|temperature) "
    r"(?:is|was|reads|read|came back at) (?:like |about |over )?\d", re.IGNORECASE)
_HYPOTHETICAL = re.compile(r"\b(?:if|when|whenever|in case)\b", re.IGNORECASE)

Verdict = Literal["medical", "out_of_scope", "in_scope", "uncovered"]


@dataclass(frozen=True)
class GateScores:
    medical: float
    out_of_scope: float
    in_scope: float
    crisis: float
    uncovered: float

    def without_crisis(self) -> "GateScores":
        """The other classes' shares once the crisis class is ruled out (an idiom it misread)."""
        rest = max(1.0 - self.crisis, 1e-9)
        return GateScores(self.medical / rest, self.out_of_scope / rest, self.in_scope / rest, 0.0,
                          self.uncovered / rest)


# "can I draw blood?", "am I allowed to give shots?": what the job allows, not one's own health.
_SCOPE_QUESTION = re.compile(
    r"^\W*(?:so |and |but )?(?:can|could|may|am|will|do|would|are) (?:i|we|u|you|an? ma|mas|medical assistants?)\b"
    r"(?: \w+){0,3}? (?:draw|give|giving|do|start|take|administer|inject|perform|place|remove|read|call in|"
    r"phone in|refill|prescribe|triage|suture|stitch)\b(?: (?!my\b|his\b|her\b|our\b)\w+){0,2}? (?:blood|shots?|injections?|vaccines?|"
    r"vaccinations?|immunizations?|ivs?|iv lines?|x[- ]?rays?|ekgs?|ecgs?|stitches|sutures|prescriptions?|refills?|meds|"
    r"medications?|finger ?sticks?|venipunctures?|blood draws?|catheters?|calls)\b", re.IGNORECASE)


def is_scope_question(text: str) -> bool:
    return bool(_SCOPE_QUESTION.search(text))


# A person's own medicines: "can i take my adderall before the cma exam" names a credential but asks
# for medical advice, so the credential does not make it a career question.
_OWN_MEDICINE = re.compile(
    r"\b(?:take|taking|took|skip|skipping|stop|stopping|double|mix|mixing) my (?!(?:cma|rma|ccma|ncma|cmac|ma|"
    r"exams?|tests?|boards?|class|classes|courses?|certification|cert|time|break|lunch|kids?|child|son|"
    r"daughter|family|shifts?|chances|career|state|patients?|notes|books?|turn|place|life|first|second|third)\b)\w+|"
    r"\bmy (?:meds|medications?|prescriptions?|pills?|dose|dosage|inhaler|insulin|antibiotics?|birth control)\b|"
    # taking a medicine or a stimulant to get through an exam (blind9, read: "i get panic attacks before
    # exams, should i take something before my cma test"; "can i take adderall to study for the ccma")
    r"\b(?:(?:can|should|could|do|would) i|is it (?:ok|okay|safe|bad|fine) (?:if i|to)) (?:\w+ )?(?:take|use|try|pop) "
    r"(?:some |a |an |any )?(?:a pill|pills|"
    r"meds|medicine|medication|adderall|vyvanse|ritalin|modafinil|xanax|klonopin|ativan|valium|propranolol|beta blockers?|"
    r"benadryl|melatonin|nyquil|zzzquil|tylenol|ibuprofen|advil|motrin|aleve|caffeine pills|energy pills)\b"
    r"(?! (?:orders?|histor\w*|lists?|reconciliation|to (?:the |a |my )?(?:patients?|pts?|room|provider|doctor)))",
    re.IGNORECASE)


# A person's own readings and results: "im a cma, is my cholesterol of 260 bad" names a credential
# but asks what a number means for their health. An exam's or a program's results are not these.
_OWN_READING = re.compile(
    r"\bmy (?:cholesterol|ldl|hdl|triglycerides|blood pressure|bp|a1c|blood sugars?|glucose|heart rate|"
    r"resting heart rate|pulse|thyroid|tsh|potassium|sodium|iron|ferritin|hemoglobin|platelets?|white (?:blood )?count|"
    r"wbc|psa|creatinine|liver (?:enzymes|numbers)|vitamin d|b12 level|bmi|oxygen|o2|sats?|temperature|temp|fever|"
    r"mammogram|pap(?: smear)?|biopsy|mri|ct scan|blood ?work|labs? (?:came back|results?|say|show\w*))\b"
    r"(?! (?:class|course|cert\w*|exam|test|skills?|lab|practical|check ?off|permit|program|school))",
    re.IGNORECASE)


# Whether something is safe for oneself while pregnant or nursing: "is the hep b series for ma
# school safe while im pregnant" is about the asker's health, whatever the school requires.
_OWN_PREGNANCY = re.compile(
    r"\b(?:safe|ok|okay|dangerous|risky|harmful|bad)\b.{0,80}\b(?:(?:while|when|if|since|because|bc) (?:i'?m|i am|im)|"
    r"during my|in my) (?:\w+ )?(?:pregnan\w*|nursing|breast ?feeding|first trimester|second trimester|third trimester)\b|"
    r"\b(?:i'?m|i am|im) (?:\w+ ){0,2}(?:pregnant|breast ?feeding)\b.{0,80}\b(?:safe|ok|okay|dangerous|risky|harmful)\b",
    re.IGNORECASE)


# Going in with a symptom, or having one: "is it ok to go to clinicals with a 100.4 fever" is whether
# one is well enough, which a clinician or the site's policy decides (blind8, read).
_SYMPTOMS = (r"(?:\d+(?:\.\d)? ?(?:degree |f )?)?(?:fever|temp|temperature|cold|cough|flu|covid|strep|migraine|rash|"
             r"sore throat|stomach bug|pink ?eye|diarrhea|vomiting|the flu|the shingles|shingles|chickenpox|lice)"
             r"(?! (?:patients?|pts?|clinics?|shots?|vaccines?|vaccinations?|tests?|testing|units?|wards?|season|swabs?)\b)")
_OWN_SYMPTOM = re.compile(
    r"\b(?:go|going|come|coming|work|working|show up|showing up|attend|attending|head in|take (?:the|my) \w+)\b"
    r"(?: (?!with\b)[\w']+){0,3} with (?:a |an |my |this )?" + _SYMPTOMS + r"\b|"
    r"\b(?:i have|i've got|ive got|i got|i'?m running|im running|i am running) (?:a |an |the |this )?"
    r"(?:high |low grade |bad )?" + _SYMPTOMS + r"\b", re.IGNORECASE)


# "should i take something" is a medicine only beside nerves, pain or sleep ("should i take something
# like a review course" is not).
_TAKE_SOMETHING = re.compile(r"\b(?:can|should|could|do|would) i (?:\w+ )?(?:take|try) (?:something|anything)\b", re.IGNORECASE)
_NERVES = re.compile(r"\b(?:panic|anxiety|anxious|nerves|nervous|insomnia|cant sleep|can't sleep|headaches?|migraines?|pain)\b",
                     re.IGNORECASE)


def is_own_health(text: str) -> bool:
    """One's own medicines, readings, symptoms or safety while pregnant, whatever career words come
    with them."""
    return bool(_OWN_MEDICINE.search(text) or _OWN_READING.search(text) or _OWN_SYMPTOM.search(text)
                or _OWN_PREGNANCY.search(text) or (_TAKE_SOMETHING.search(text) and _NERVES.search(text)))


# Signs of an emergency happening now, to oneself or someone nearby: the medical referral then opens
# with 911 (and Poison Control for something swallowed) instead of ending with it.
_EMERGENCY = re.compile(
    r"\b(?:swallow(?:ed|s)? (?:a |an |some |the )?(?:\w+ ){0,2}(?:battery|batteries|pills?|bleach|magnets?|poison\w*|detergent|pods?)|"
    r"overdos\w*|took too many|chest pain|chest (?:hurts|tight\w*)|can'?t breathe|cannot breathe|trouble breathing|"
    r"not breathing|stopped breathing|choking|unconscious|unresponsive|passed out|won'?t wake up|seizur\w*|"
    r"(?:going to|gonna|about to) (?:pass out|faint)|heart (?:is )?racing|"
    r"stroke|face (?:is )?droop\w*|bleeding (?:a lot|heavily|badly|won'?t stop)|won'?t stop bleeding|"
    r"anaphyla\w*|throat (?:is )?(?:closing|swelling)|suicid\w*)\b", re.IGNORECASE)


def is_emergency(text: str) -> bool:
    return bool(_EMERGENCY.search(text))


def is_workplace_emergency(text: str) -> bool:
    return bool(_WORKPLACE.search(text) or (_PATIENT_NOW.search(text) and not _HYPOTHETICAL.search(text)))


def load_examples(path: Path = EXAMPLES_PATH, labels: Sequence[str] = LABELS) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {label: [str(x) for x in data[label]] for label in labels}


def load_crisis_examples(path: Path = CRISIS_EXAMPLES_PATH) -> dict[str, list[str]]:
    return load_examples(path, ("crisis", "not_crisis"))


def examples_hash(path: Path = EXAMPLES_PATH, crisis_path: Path = CRISIS_EXAMPLES_PATH,
                  career_questions: Sequence[str] = ()) -> str:
    """Identifies a trained gate: the examples and the settings it was fitted with."""
    from bot.answer import crisis_model

    settings = (REGULARISATION_C, crisis_model.NGRAMS, crisis_model.MIN_DOCUMENT_COUNT,
                crisis_model.NGRAM_WEIGHT, crisis_model.REGULARISATION_C, crisis_model.TOLERANCE)
    payload = (path.read_bytes() + crisis_path.read_bytes() + repr(settings).encode()
               + "\n".join(career_questions).encode())
    return hashlib.sha256(payload).hexdigest()[:16]


class Gate:
    """Scores a question vector; fitted once per index build and stored with the index, so the
    server neither embeds the examples nor imports scikit-learn (82 MB) at start-up."""

    FILE = "gate.npz"

    def __init__(self, weights: np.ndarray, bias: np.ndarray, crisis: CrisisModel):
        self._weights = weights.astype(np.float32)
        self._bias = bias.astype(np.float32)
        self._crisis = crisis

    @classmethod
    def fit(cls, vectors: dict[str, np.ndarray], crisis: CrisisModel) -> "Gate":
        from sklearn.linear_model import LogisticRegression

        X = np.vstack([vectors[label] for label in LABELS])
        y = np.concatenate([np.full(len(vectors[label]), i) for i, label in enumerate(LABELS)])
        model = LogisticRegression(C=REGULARISATION_C, max_iter=2000).fit(X, y)
        return cls(model.coef_, model.intercept_, crisis)

    @classmethod
    def from_examples(cls, encoder: TextEncoder, cache: EmbeddingCache, path: Path = EXAMPLES_PATH,
                      crisis_path: Path = CRISIS_EXAMPLES_PATH, career_questions: Sequence[str] = ()) -> "Gate":
        """The crisis classifier learns from the gate's examples too (its crisis list is crisis,
        every other list is not) and from `career_questions`, the questions the knowledge base's
        sections answer: with them, 3 career questions of 877 (dev, blind4, blind5, blind6, none
        trained on) reach 0.8, against 7 without."""
        from bot.knowledge.embed import embed_with_cache
        from bot.answer.query import expand

        examples = load_examples(path)
        vectors = {label: embed_with_cache([expand(t) for t in texts], encoder, cache)[0]
                   for label, texts in examples.items()}
        extra = load_crisis_examples(crisis_path)
        extra["not_crisis"] = extra["not_crisis"] + list(career_questions)
        extra_vectors = {label: embed_with_cache([expand(t) for t in texts], encoder, cache)[0]
                         for label, texts in extra.items()}
        texts = [t for label in LABELS for t in examples[label]] + extra["crisis"] + extra["not_crisis"]
        crisis = [label == "crisis" for label in LABELS for _ in examples[label]]
        crisis += [True] * len(extra["crisis"]) + [False] * len(extra["not_crisis"])
        all_vectors = np.vstack([vectors[label] for label in LABELS] + [extra_vectors["crisis"],
                                                                         extra_vectors["not_crisis"]])
        return cls.fit(vectors, CrisisModel.fit(texts, all_vectors, crisis))

    def save(self, directory: Path) -> None:
        arrays = {"weights": self._weights, "bias": self._bias, **self._crisis.arrays()}
        np.savez(directory / self.FILE, **arrays)  # type: ignore[arg-type]  # a ** dict could name allow_pickle

    @classmethod
    def load(cls, directory: Path) -> "Gate":
        data = dict(np.load(directory / cls.FILE))
        return cls(data["weights"], data["bias"], CrisisModel.from_arrays(data))

    def scores(self, vector: np.ndarray) -> GateScores:
        logits = self._weights @ vector + self._bias
        p = np.exp(logits - logits.max())
        p /= p.sum()
        return GateScores(*(float(x) for x in p))

    def crisis_probability(self, text: str, vector: np.ndarray) -> float:
        return self._crisis.probability(text, vector)

    def crisis_level(self, text: str, vector: np.ndarray) -> Literal["no", "watch", "unsure", "sure"]:
        """The message on its own, embedded as `vector`."""
        p = self.crisis_probability(text, vector)
        return "sure" if p >= CRISIS_SURE else "unsure" if p >= CRISIS_MIN else "watch" if p >= CRISIS_WATCH else "no"

    @staticmethod
    def decide(s: GateScores, career_question: bool = False) -> Verdict:
        """A career question the wording gives away (a scope question such as "can I draw blood?",
        a named credential) is never read as a request for medical advice, nor as out of scope
        ("ccma renewal fee" was)."""
        # Below the crisis line, a message about one's own wellbeing is still about one's health; but
        # one the crisis class alone holds in its watch band ("crisis" 0.75, "medical" 0.04) is a
        # career question in a worried tone, answered with the 988 line under it, not referred: the
        # other classes decide it. Below the watch band the crisis share still counts ("im pregnant
        # can i still get the hep b shot": crisis 0.29, medical 0.27).
        if (s.medical + s.crisis >= MEDICAL_MIN and not career_question
                and (s.crisis < CRISIS_SHARE_WATCH or s.medical >= s.crisis or s.without_crisis().medical >= MEDICAL_MIN)):
            return "medical"
        # A loose knowledge-base match never overrides this: "how long does it take to become an
        # electrician" matches the MA timeline at 0.45 and is still out of scope (the Assistant
        # lets only a passage matching at 0.70 or more speak for the question).
        if s.uncovered >= UNCOVERED_MIN:
            return "uncovered"
        if s.out_of_scope >= OUT_OF_SCOPE_MIN and not career_question:
            return "out_of_scope"
        return "in_scope"
