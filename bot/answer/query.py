"""How people type in chat, spelled out before searching: "can u give shots as an ma" becomes
"can you give shots as an medical assistant". The encoder knows the long forms far better."""

from __future__ import annotations

import re

SHORT_FORMS = {
    "ma": "medical assistant", "mas": "medical assistants", "ma's": "medical assistants",
    "mas'": "medical assistants", "cert": "certification", "certs": "certifications",
    "certd": "certified", "u": "you", "ur": "your", "r": "are", "bc": "because", "w/": "with",
    "w/o": "without", "hr": "hour", "hrs": "hours", "yr": "year", "yrs": "years", "govt": "government",
    "xray": "x-ray", "xrays": "x-rays", "vs": "versus", "diff": "difference", "req": "requirement",
    "reqs": "requirements", "info": "information", "pt": "patient", "pts": "patients",
    "script": "prescription", "scripts": "prescriptions", "rx": "prescription", "derm": "dermatology",
    "peds": "pediatrics", "obgyn": "ob-gyn", "nursing assistant": "nursing assistant (cna)",
    "nursing assistants": "nursing assistants (cnas)",
}
_WORD = re.compile(r"(?<![\w'/])(?<!\w-)(" + "|".join(re.escape(k) for k in sorted(SHORT_FORMS, key=len, reverse=True))
                   + r")(?![\w'/]|-\w)", re.IGNORECASE)  # "ma-r" is a credential, not "medical assistant-r"


def expand(text: str) -> str:
    return _WORD.sub(lambda m: SHORT_FORMS[m.group(1).lower()], text)
