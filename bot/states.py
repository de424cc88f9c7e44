"""US states: codes, names, and spotting a state named in a question."""

from __future__ import annotations

import re

NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico",
}
CODES = frozenset(NAMES)

# Codes that are also everyday words or career abbreviations in this field
# (MA = medical assistant, PA = physician assistant, "in", "or", "me", "ok", "hi", "id"):
# they count as a state only when written out in full.
_AMBIGUOUS = {"MA", "PA", "IN", "OR", "ME", "OK", "HI", "ID", "OH", "DE", "LA", "CO", "AL", "MD", "DC"}

_NAME_RE = re.compile(
    r"\b(" + "|".join(sorted((re.escape(n) for n in NAMES.values()), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_CODE_RE = re.compile(r"\b([A-Z]{2})\b")
_BY_NAME = {name.lower(): code for code, name in NAMES.items()}


def normalise(code: str) -> str | None:
    """A state code from user input ("ca", "California"), or None."""
    text = code.strip()
    if text.upper() in CODES:
        return text.upper()
    return _BY_NAME.get(text.lower())


def named(text: str) -> frozenset[str]:
    """Every state a text names in full ("North Dakota limits ...")."""
    return frozenset(_BY_NAME[m.group(1).lower()] for m in _NAME_RE.finditer(text))


def find_state(text: str) -> str | None:
    """The US state a question names, if any ("in Texas", "WA"). Full names win over codes."""
    names = [m.group(1).lower() for m in _NAME_RE.finditer(text)]
    # "Washington DC" names the District, not the state.
    for name in names:
        if name == "washington" and re.search(r"washington,?\s*d\.?c\b", text, re.IGNORECASE):
            return "DC"
    # West Virginia / North Dakota contain other names: the longest match comes first in the regex.
    if names:
        return _BY_NAME[names[0]]
    for m in _CODE_RE.finditer(text):
        code = m.group(1)
        if code in CODES and code not in _AMBIGUOUS:
            return code
    # Washington's own MA credentials name the state ("what does ma-r mean").
    return "WA" if _WASHINGTON_CREDENTIAL.search(text) else None


_WASHINGTON_CREDENTIAL = re.compile(r"\bma-[cr]\b|\bmedical assistant-(?:certified|registered)\b", re.IGNORECASE)


def name(code: str | None) -> str:
    return NAMES.get(code or "", code or "")


def replace_state(text: str, old: str, new: str) -> str:
    """The text with state `old` (by name or code) replaced by the name of `new`."""
    text = re.sub(rf"\b{re.escape(NAMES[old])}\b", NAMES[new], text, flags=re.IGNORECASE)
    return re.sub(rf"\b{old}\b", NAMES[new], text)
