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
_CODE_AT_END_RE = re.compile(r"\b(?:in|from|for) ([a-z]{2})\s*(?:[?.!,]|$)")
# What people call a state or write instead of it: a nickname or a large city ("ma pay in
# chicago", "do i need to be certified in cali"). Cities that are also common first names
# (Austin, Charlotte, Jackson, Madison) or shared by two states (Kansas City, Richmond) are left out.
PLACES = {
    "cali": "CA", "socal": "CA", "norcal": "CA", "bay area": "CA", "los angeles": "CA", "san diego": "CA",
    "san francisco": "CA", "san jose": "CA", "sacramento": "CA", "fresno": "CA", "oakland": "CA",
    "bakersfield": "CA", "long beach": "CA", "seattle": "WA", "tacoma": "WA", "spokane": "WA",
    "bellevue": "WA", "olympia": "WA", "vancouver wa": "WA", "houston": "TX", "dallas": "TX",
    "san antonio": "TX", "el paso": "TX", "fort worth": "TX", "miami": "FL", "orlando": "FL", "tampa": "FL",
    "jacksonville": "FL", "chicago": "IL", "phoenix": "AZ", "tucson": "AZ", "denver": "CO", "atlanta": "GA",
    "boston": "MA", "detroit": "MI", "las vegas": "NV", "vegas": "NV", "reno": "NV", "portland oregon": "OR",
    "philly": "PA", "philadelphia": "PA", "pittsburgh": "PA", "nyc": "NY", "new york city": "NY",
    "brooklyn": "NY", "bronx": "NY", "manhattan": "NY", "cleveland": "OH", "cincinnati": "OH",
    "raleigh": "NC", "nashville": "TN", "memphis": "TN", "baltimore": "MD", "milwaukee": "WI",
    "minneapolis": "MN", "anchorage": "AK", "honolulu": "HI", "albuquerque": "NM", "louisville": "KY",
    "indianapolis": "IN", "salt lake city": "UT", "boise": "ID", "omaha": "NE", "des moines": "IA",
    "fargo": "ND", "sioux falls": "SD", "new orleans": "LA", "birmingham al": "AL", "st louis": "MO",
}
_PLACE_RE = re.compile(r"\b(" + "|".join(sorted((re.escape(p) for p in PLACES), key=len, reverse=True)) + r")\b",
                       re.IGNORECASE)
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
    """The US state a question names, if any ("in Texas", "in cali", "seattle", "WA"). Full names
    win over places, places over codes."""
    names = [m.group(1).lower() for m in _NAME_RE.finditer(text)]
    # "Washington DC" names the District, not the state.
    for name in names:
        if name == "washington" and re.search(r"washington,?\s*d\.?c\b", text, re.IGNORECASE):
            return "DC"
    # West Virginia / North Dakota contain other names: the longest match comes first in the regex.
    if names:
        return _BY_NAME[names[0]]
    if place := _PLACE_RE.search(text):
        return PLACES[place.group(1).lower()]
    for m in _CODE_RE.finditer(text):
        code = m.group(1)
        if code in CODES and code not in _AMBIGUOUS:
            return code
    # "do i need to be certified to work as an ma in ca": a code typed in lower case, where a state
    # ends the question (blind9, read)
    typed = _CODE_AT_END_RE.search(text)
    if typed and typed.group(1).upper() in CODES and typed.group(1).upper() not in _AMBIGUOUS:
        return typed.group(1).upper()
    # Washington's own MA credentials name the state ("what does ma-r mean").
    return "WA" if _WASHINGTON_CREDENTIAL.search(text) else None


_WASHINGTON_CREDENTIAL = re.compile(r"\bma-[cr]\b|\bmedical assistant-(?:certified|registered)\b", re.IGNORECASE)


def name(code: str | None) -> str:
    return NAMES.get(code or "", code or "")


def replace_state(text: str, old: str, new: str) -> str:
    """The text with state `old` (by name or code) replaced by the name of `new`."""
    text = re.sub(rf"\b{re.escape(NAMES[old])}\b", NAMES[new], text, flags=re.IGNORECASE)
    return re.sub(rf"\b{old}\b", NAMES[new], text)


# Places outside the US a question can ask about working or certifying in. "Georgia" and "Jordan"
# are left out (a state, a name); "from mexico" is where a diploma came from, not where one works.
_ABROAD = re.compile(
    r"\b(?:in|to|for|at|over in|out in|move to|moving to|relocate to|relocating to) (?:the )?"
    r"(canada|uk|u\.k\.|united kingdom|england|scotland|wales|ireland|australia|new zealand|philippines|"
    r"mexico|india|pakistan|nigeria|ghana|kenya|south africa|germany|france|spain|italy|netherlands|"
    r"poland|ukraine|japan|korea|south korea|china|vietnam|thailand|dubai|uae|saudi arabia|saudi|qatar|"
    r"kuwait|israel|egypt|brazil|colombia|jamaica|haiti|dominican republic|cuba|el salvador|guatemala|"
    r"honduras|europe|asia|africa|the middle east|another country|other countries|abroad|overseas)\b",
    re.IGNORECASE)
_OVERSEAS = re.compile(r"\b(?:abroad|overseas|outside (?:the )?(?:us|u\.s\.|usa|united states|states))\b", re.IGNORECASE)


def abroad(text: str) -> str | None:
    """The place outside the US a question asks about working or certifying in, if any."""
    m = _ABROAD.search(text) or _OVERSEAS.search(text)
    return None if m is None else (m.group(1) if m.lastindex else m.group(0)).lower()
