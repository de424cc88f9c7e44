"""What a question or passage is about: the credential it names, the subject it asks about, and
occupations the guidance does not cover. The reranker uses them so a passage about the CMAC
never answers a question about the CMA, and a state never pulls scope-of-practice guidance above
the pay guidance a question asks for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Distinct credentials people confuse. Order matters only for readability; each is matched alone.
CREDENTIALS = {
    "CMA": r"\bcma\b(?![- ]?c\b)|\baama\b|certified medical assistant\b(?! \(amca)",
    "CMAC": r"\bcmac\b|\bamca\b",
    "CCMA": r"\bccma\b|\bnha\b|certified clinical medical assistant",
    "NCMA": r"\bncma\b|\bncct\b|national certified medical assistant",
    "RMA": r"\brma\b|\bamt\b|registered medical assistant\b",
    "MA-C": r"\bma-c\b|\bmac\b|medical assistant-certified",
    "MA-R": r"\bma-r\b|medical assistant-registered",
    "CPT": r"\bcpt\b|phlebotomy technician certification|certified phlebotomy",
    "CET": r"\bcet\b|ekg technician certification|certified ekg",
}
_CREDENTIAL_RE = {k: re.compile(v, re.IGNORECASE) for k, v in CREDENTIALS.items()}

# Tasks whose rules differ by state. A question about one of them in a named state is answered
# only from guidance on that state that mentions the task.
DUTIES = {
    "injections": r"\binject\w*|\bshots?\b|\bvaccin\w*|\bimmuniz\w*|\bb-?12\b",
    "IVs": r"\bivs?\b|\bintravenous\w*",
    "blood draws": r"\bdraw\w* blood\b|\bblood draws?\b|\bphlebotom\w*|\bvenipuncture\b",
    "x-rays": r"\bx[- ]?rays?\b|\bradiograph\w*",
    "EKGs": r"\be[kc]gs?\b|\belectrocardiogra\w*",
    "cosmetic procedures": r"\bbotox\b|\bfillers?\b|\bmed ?spas?\b|\blasers?\b",
    "medications": r"\bmedications?\b|\bmeds\b|\bprescri\w+|\brefills?\b|\brx(?:'?s)?\b",
    "triage": r"\btriage\b",
}
_DUTY_RE = {k: re.compile(v, re.IGNORECASE) for k, v in DUTIES.items()}

# What is being asked about. A heading or title that names a different subject ranks down.
SUBJECTS = {
    # "make" only with money around it: "can a ca ma make assessments" is not about pay.
    "pay": r"\b(?:pay|pays|paid|salary|salaries|wages?|earn\w*|income|per hour|hourly|raise|raises|money)\b|"
           r"\bhow much (?:[\w'’]+ ){0,4}makes?\b|\bmakes? (?:\$|\d|a lot|good|more|less|per|an hour|a year|money)|"
           r"\bwhat (?:[\w'’]+ ){1,4}(?:make|earn)\b(?! (?:it|sure|up|time|friends|a |an |the |my |me |you ))",
    "cost": r"\b(?:cost|costs|fee|fees|price|tuition|afford|expensive|cheap|financial aid|fafsa)\b",
    "exam": r"\b(?:exam|exams|test|tests|questions|pass|passing|score|fail|failed|retake|proctor\w*)\b",
    "renewal": r"\b(?:renew\w*|recertif\w*|expire\w*|expiration|ceus?|continuing education|lapse\w*|reinstat\w*)\b",
    # What MAs may do, and the tasks whose rules differ by state (DUTIES, above).
    "scope": r"\b(?:allowed|scope|legal|legally|permitted|may an?|can an? ma|can (?:an? )?ma'?s|can medical assistants)\b|"
             + "|".join(DUTIES.values()),
    "length": r"\b(?:how long|how soon|how quickly|how fast|weeks|months|years|duration|takes? to|time to)\b",
    "training": r"\b(?:school|program|programs|classes|class|course|courses|curriculum|study|studying|learn)\b",
    "job": r"\b(?:job|jobs|hired|hiring|interview|resume|work as|start working|be working|employer|employers)\b",
}
_SUBJECT_RE = {k: re.compile(v, re.IGNORECASE) for k, v in SUBJECTS.items()}


# Occupations a question may be about that the guidance does not cover (yet). Medical assisting
# and its neighbours that the guidance compares it with (CNA, LPN, RN, phlebotomist, PA) are covered.
UNCOVERED_OCCUPATIONS = {
    "dental assistants": r"\bdental (?:assistant|assisting|hygienist)s?\b|\brdas?\b|\bcdas?\b",
    "medical scribes": r"\bscribes?\b|\bscribing\b",
    "surgical technologists": r"\bsurgical (?:tech|techs|technologist|technologists|technician)\b|\bscrub tech\b|\bcst\b",
    "pharmacy technicians": r"\bpharmacy (?:tech|techs|technician|technicians)\b|\bcpht\b|\bptcb\b",
    # The coding credentials (AAPC's CPC, AHIMA's CCS, NHA's CBCS) are not medical assisting ones.
    "medical billing and coding": r"\b(?:medical )?(?:billing and coding|coding and billing|coders?|billers?)\b|"
                                  r"\bcpc\b|\bccs\b|\bcbcs\b|\bcoding (?:exam|cert\w*|credential|jobs?)s?\b|\bmedical coding\b",
    "EMTs and paramedics": r"\bemts?\b|\bparamedics?\b",
    "veterinary assistants": r"\bvet(?:erinary)? (?:assistant|tech|technician)s?\b",
    "radiologic technologists": r"\b(?:radiolog\w* tech\w*|rad tech|x[- ]?ray tech(?:nician|nologist)?)s?\b(?! (?:course|permit))",
    "ultrasound technicians": r"\b(?:ultrasound|sonograph\w*)\b",
    "physical therapy aides": r"\b(?:physical|occupational) therap\w* (?:aide|assistant)s?\b|\bpta\b",
    "optometric assistants": r"\boptometr\w* (?:assistant|tech)\w*\b",
    "home health and personal care aides": r"\bhome health aides?\b|\bhha\b|\bcaregivers?\b|\bpersonal care aides?\b",
    "respiratory therapists": r"\brespiratory therap\w*\b",
    "unit secretaries": r"\bunit (?:secretar\w+|clerks?)\b|\bhealth unit coordinators?\b",
    "travel nursing": r"\btravel (?:nurses?|nursing)\b",
    "travel medical assistant jobs": r"\btravel (?:ma|mas|ma's|medical assistants?|medical assisting)\b",
    "medical school": r"\bmed(?:ical)? school\b",
    "medical interpreters": r"\binterpreters?\b",
    "dialysis technicians": r"\bdialysis tech\w*\b",
    "ophthalmic technicians": r"\bophthalmic \w+\b",
    "lactation consultants": r"\blactation\b",
    "mental health technicians": r"\b(?:mental|behavioral) health tech\w*\b|\bpsych tech\w*\b",
    "anesthesia technicians": r"\banesthesia tech\w*\b",
    "sterile processing": r"\bsterile processing\b",
    "medical laboratory technicians": r"\b(?:medical )?lab(?:oratory)? tech\w*\b|\bmlt\b",
    "patient care technicians": r"\bpatient care tech\w*\b|\bpcts?\b",
    "visas and immigration": r"\b(?:visas?|h-?1b|daca|green card|immigra\w+|work permit)\b",
    "unions": r"\bunions?\b|\bunioniz\w+\b",
    "malpractice insurance": r"\bmalpractice\b",
    "AI and automation": r"\b(?:ai|artificial intelligence|robots?|automation|chatgpt)\b",
}
_UNCOVERED_RE = {k: re.compile(v, re.IGNORECASE) for k, v in UNCOVERED_OCCUPATIONS.items()}


@dataclass(frozen=True)
class Entities:
    credentials: frozenset[str]
    subjects: frozenset[str]


# The NHA certifies more than medical assistants: "the cpt from nha" is about phlebotomy.
_CCMA_BY_NAME = re.compile(r"\bccma\b|certified clinical medical assistant", re.IGNORECASE)
_OTHER_NHA = frozenset({"CPT", "CET"})


def credentials(text: str) -> frozenset[str]:
    found = frozenset(k for k, r in _CREDENTIAL_RE.items() if r.search(text))
    if "CCMA" in found and found & _OTHER_NHA and not _CCMA_BY_NAME.search(text):
        found -= {"CCMA"}  # "nha" named the body of another of its credentials
    return found


def subjects(text: str) -> frozenset[str]:
    return frozenset(k for k, r in _SUBJECT_RE.items() if r.search(text))


def duties(text: str) -> frozenset[str]:
    return frozenset(k for k, r in _DUTY_RE.items() if r.search(text))


def of(text: str) -> Entities:
    return Entities(credentials(text), subjects(text))


def replace_credentials(text: str, old: frozenset[str], new: str) -> str:
    """The old credentials named in `text` replaced by `new`, named once: "the nha ccma" becomes
    "the RMA", not "the RMA RMA", which drew the answer to the sentence that names the RMA most."""
    for c in old:
        text = _CREDENTIAL_RE[c].sub(new, text)
    return re.sub(rf"\b{re.escape(new)}(?:\s+{re.escape(new)}\b)+", new, text)


def uncovered_occupation(text: str) -> str | None:
    """The occupation a question names that the guidance has nothing on, if any."""
    for name, r in _UNCOVERED_RE.items():
        if r.search(text):
            return name
    return None
