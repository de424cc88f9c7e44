"""The crisis check: runs before everything else, and its verdict wins over every other.

Two layers, either of which triggers a 988 reply: the phrase and pattern layer here, and the
gate classifier's `crisis` class (see gate.py). The classifier alone, when unsure or when the message
is a common hyperbole ("i'd rather die than retake the rma"), gets a check-in that asks directly and
still gives 988 and 911 (`Reply` "check_in"); an idiom of wanting something ("i could kill for a
higher salary"), or a question about patients or a class on suicide prevention, overrules the
classifier alone, never a pattern. The patterns work on a normalised form of the
message (lower case, apostrophes dropped, punctuation turned to spaces), so "I'm", "im" and "i’m"
read alike. They cover active and passive ideation, self-harm, hopelessness about living, plans
and means, and the slang people use ("kms", "unalive", "sewerslide").

Career idioms stay out ("this commute is killing me", "I killed my practical", "dying to start",
"dead-end job"): nothing here matches "killing me" or "killed my". A question about a *patient*
who is suicidal is a professional question, not a crisis. Where a message is truly ambiguous
the 988 line wins: a false alarm costs a person one kind sentence; a miss can cost a life.
Measured on tests/eval/safety.yaml (README, Safety).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

_ME = r"(?:my ?self|meself|myslef|mysef)"
# An attempt happening now: an overdose, a poison, a car running in a closed garage. The reply leads
# with 911 and Poison Control.
_IN_PROGRESS = (
    r"\b(?:swallowed|took|taken|downed) (?:like |about |maybe |almost |over )?(?:[2-9]\d|\d{3}|everything|the whole|a whole)"
    r"(?! ?(?:mg|mcg|ml|milligrams|units|minutes|mins?|hours|hrs|seconds|days|questions))(?: \w+){0,4}? "
    r"(?:pills?|meds|tablets|capsules|organizer|bottle|of (?:my|her|his|the) \w+)\b|"
    r"\bi (?:\w+ ){0,2}(?:drank|swallowed) (?:some |a bottle of |the )?(?:bleach|antifreeze|drain cleaner|rat poison|poison|lye|pesticide)\b|"
    r"\bgarage (?:\w+ ){0,4}(?:engine|motor|car) (?:running|on)\b"
    r"|\b(?:took|swallowed|taken|downed) (?:a bunch|a lot|a handful|too many|way too many|the whole bottle|a whole bottle)"
    r"(?: of)?(?: my| the)? (?:pills|meds|tablets|medication|bottle)\b|"
    r"\b(?:took|swallowed|downed) all (?:of )?(?:my|the) (?:pills|tablets|bottle)\b|"
    # families added after safety_blind4 (a fitting set since 2026-11-27): "already swallowed them",
    # everything in the cabinet, pills with alcohol on purpose, the car running with the door shut
    r"\b(?:already|just) (?:swallowed|took|taken|downed) (?:them|it|all of them|them all|the rest)\b(?! (?:with|before|after|at|for))|"
    r"\b(?:swallowed|took|taken|downed) (?:everything|all) (?:in|from) (?:the|my|our) (?:medicine |bathroom )?(?:cabinet|drawer|cupboard)\b|"
    r"\b(?:pills|meds|tablets) (?:and|with|w) (?:alcohol|liquor|vodka|booze|drinking|wine|whiskey)\b(?= .*\b(?:on purpose|hoping|to die|give out|stop))|"
    # after safety_blind7: "i took a lot this morning on purpose"
    r"\b(?:took|taken|swallowed) (?:a lot|a bunch|too many|way too many|a handful)(?: \w+){0,7} on purpose\b|"
    r"\b(?:car|engine|truck) (?:is |s )?(?:running|on) in (?:the|my|our) garage\b|\bgarage (?:door )?(?:shut|closed) (?:\w+ ){0,3}(?:car|engine) (?:running|on)\b")
# Spanish, the language most often typed here after English: the crisis check runs before the
# language check, and the reply is in Spanish.
_SPANISH = (r"\b(?:no quiero (?:vivir|seguir viviendo|estar aqu)|quiero morir\w*|me quiero morir|matarme|suicidarme|"
            r"quitarme la vida|quiero desaparecer|ya no aguanto mas|no aguanto mas (?:la vida|vivir)|"
            r"(?:se|te) quiere (?:morir|matar)|ya tiene todo planeado|"
            r"(?:tengo|ya tengo) (?:las|mis) (?:pastillas|pildoras)(?: \w+){0,3}(?: (?:listas|esta noche|preparadas)|$)|"
            r"no se si sigo aqui)\b")
# The same, in the languages most often typed here after English and Spanish (safety_blind7): the
# reply is the English one, with 988's interpreters. Accents are dropped by `normalise`.
_OTHER_LANGUAGES = (r"\b(?:je veux mourir|je vais me tuer|me suicider|en finir avec (?:la|ma) vie|"  # French
                    r"quero morrer|vou me matar|me matar|escolhi a ponte|acabar com (?:a|minha) vida|"  # Portuguese
                    r"gusto ko (?:nang |na )?mamatay|magpakamatay|papatayin ko ang sarili ko|"  # Tagalog
                    r"mwen vle mouri|touye tet mwen|"  # Haitian Creole
                    r"chce umrzec|zabic sie|"  # Polish
                    r"muon chet|tu tu)\b")  # Vietnamese
_WANT = (r"(?:want|wanna|wantto|wish|wishing|going|gonna|gon|plan|planning|planned|ready|tempted|"
         r"thinking|thinkin|think|thought|decided|deciding|about|trying|tried|try|might|will|would|"
         r"should|could|urge|urges|keep|kept|feel like|feels like|need|needs)")
# What the wanting is aimed at: one's own death or harm.
_HARM = (r"(?:die|dy|dye|be dead|end (?:it(?! (?:with|early|now with))|it all|everything|things(?! (?:with|off))|my life|my own life|"
         r"this(?! (?:job|program|class|externship|semester|contract|course))|all of this|all this|my suffering|the pain)|"
         rf"kill {_ME}|kil {_ME}|off {_ME}|unalive {_ME}|"
         rf"(?:hurt|harm|cut) {_ME}(?! (?:some )?(?:slack|a break|off|lifting|at work|on the job|moving|carrying|by accident|accidentally))|"
         r"not (?:be )?(?:here|alive|exist|wake up|be around)|disappear forever|stop (?:existing|living|breathing)|"
         r"sleep forever|never wake up|not wake up|take my (?:own )?life|jump off|overdose|od|"
         r"be gone forever|go to sleep forever|not live anymore|not be alive)")

_PATTERNS = [
    # the words themselves, however typed
    r"\b(?:suicid\w*|suicde\w*|sucide\w*|suiside\w*|suicied\w*|sewerslide|sewer slide|unalive\w*|"
    r"kms|kys|ctb|self ?harm\w*|selfharm\w*)\b",
    rf"\b{_WANT}\b(?: \w+){{0,4}}? (?:to |of |about |on )?{_HARM}\b(?! (?:laughing|for|of (?:laughter|embarrassment|boredom)|if i (?:have to|had to|gotta|need to|fail)))",
    r"\b(?:thinking|thought|think) (?:about|of) ending (?:it|everything|things|my life)\b",
    rf"\b(?:kill|killing|killed|kil|kilin|killin|off|offing|unaliving|end|ending) {_ME}\b",
    rf"\b(?:hurting|harming|cutting|burning|starving|hitting|punching|scratching|biting) {_ME}\b(?! (?:some )?(?:slack|a break))",
    rf"\b(?:cut|hurt|harm|burn|hit|punch|scratch) {_ME}\b(?! (?:on|with|while|by accident|accidentally|shaving|lifting|at work|"
    r"moving|carrying|(?:some )?slack|a break|off|out))",
    r"\bsh\b(?: \w+){0,4}? (?:again|clean|urges?|relapse\w*|scars?)\b|\b(?:relapsed|relapse|been|started|doing) (?:\w+ )?sh\b",
    r"\b(?:noose|hang myself|hanging myself)\b|\bi (?:have|got|bought|keep|tied) (?:a |the |some )?(?:rope|noose)\b",
    r"\b(?:whole|entire|full) (?:bottle|pack|box|strip|prescription)\b(?: \w+){0,6}? (?:quick|painless|die|kill|fatal|enough|end)\b",
    r"\b(?:pills|meds|tablets|rope|gun|razors?|blades?) (?:\w+ ){0,2}(?:saved|stashed|stockpiled|hidden|ready|lined up)\b",
    r"\bstanding on (?:a |the |this )?(?:bridge|ledge|roof|edge|overpass|balcony)\b",
    r"\b(?:dont|do not|wouldnt|would not) care if i (?:wake up|woke up|die|died|live|lived|make it|survive|dont wake up)\b",
    r"\b(?:ill|i will|im gonna|im going to|i might|i may|i would) (?:probably |just |likely )?be dead\b|"
    r"\b(?:wont|will not|probably wont|might not) (?:even )?(?:be alive|be around|be here|make it) "
    r"(?:for|to see|to take|to do|by|much longer|long|that long|next|anyway)\b|\bprob(?:ably)? wont be (?:alive|around|here)\b|\bbetter off dead\b|\brather be dead\b|"
    # "how much is the cma exam, not that ill be alive to take it"
    r"\bnot that (?:ill|i will|im gonna|im going to|id|i would|i plan to|i plan on) (?:even |still )?(?:be alive|be around|"
    r"be here|being alive|being around|being here)\b(?! (?:much|often|a lot|nights|weekends|on weekends))",
    r"\b(?:been|started|start|keep|cant stop|relapsed|relapse|relapsing) (?:\w+ )?(?:cutting|self harming|hurting myself)\b",
    r"\b(?:end|ending|take|taking|took) (?:my|my own) life\b",
    r"\bend (?:it all|everything)\b",
    r"\b(?:drive|crash|steer|swerve) (?:my car |my truck |the car )?(?:into|off) (?:a |the |oncoming )?(?:tree|wall|bridge|cliff|traffic|pole|truck|river)\b",
    r"\b(?:im|i am|i feel) ready to (?:go|die|leave this world|be gone)$|\bim ready to go\b(?= .*\b(?:gave|goodbye|paid off|said bye))",
    r"\b(?:until|till|til|so) (?:it|they|i) (?:bleeds?|bled|bruises?|bruised|scars?)\b",
    r"\bcutting again\b",
    # warning signs from the public lists (988 Lifeline, NIMH, AFSP): looking for a method ...
    r"\bhow (?:tall|high|far|fast|long|much|many|deep|cold) .{0,50}?(?:to be (?:instant|fatal|sure|quick|painless|enough|deadly)|"
    r"(?:for it )?to be a sure thing|would (?:it )?(?:be )?(?:quick|instant|fatal|enough|painless|kill)|before (?:you|i|u|someone) "
    r"(?:just )?(?:die|dont wake up|never wake up|pass out for good)|to (?:die|bleed out|not wake up|end it|stop (?:my|your|a) heart))\b",
    r"\bwould it be (?:quick|instant|painless|fatal)\b|\bbleed(?:ing)? out\b|\b(?:does|would|do) (?:drowning|hanging|bleeding out|"
    r"jumping|overdosing|an overdose|a gunshot|freezing to death) (?:\w+ )?hurt\b|\bif i do it myself\b|\bself inflicted\b|"
    r"\b(?:too much|enough|lethal|fatal|deadly) (?:\w+ ){0,3}(?:insulin|oxy\w*|tylenol|benadryl|pills|meds|seroquel|xanax|"
    r"antifreeze|sleeping pills|opioids?|fentanyl)\b(?! (?:for (?:a|the|my) (?:patient|pt|headache|pain|back)))|"
    r"\b(?:insulin|oxy\w*|tylenol|benadryl|pills|meds|seroquel|xanax) (?:\w+ ){0,3}(?:would be|is) too much for (?:someone|a person|me)\b|"
    r"\b(?:bought|got|have) (?:two|three|\d+|a few|some) (?:bottles|boxes|packs) (?:\w+ ){0,2}this is it\b|"
    r"\b(?:give|inject|giving|injecting) myself too much\b|\bthe (?:one|dose|amount) i need\b",
    # ... having the means at hand, a plan or a date ...
    r"\b(?:gun|razor blade|razor|blade|rope|pills) (?:\w+ ){0,5}(?:rn|right now|so its (?:always )?close|idk what|"
    r"in my (?:room|bag|makeup bag|car|closet))\b|\bi have a plan\b|\b(?:the right day|picked (?:a|the) (?:date|day)|"
    r"set a date|decided (?:im|i am) done)\b|\bcheck out for good\b|\bcheck(?:ing)? out of (?:life|this life|this world|existence)\b|\bdont plan on (?:being|staying) (?:here|alive|around)\b|"
    r"\bnot (?:be(?:ing)? )?(?:here|alive|around) tomorrow\b",
    # ... putting affairs in order, saying goodbye ...
    r"\b(?:after|when|once) (?:im|i am|i m) (?:gone|dead|not here|not around)\b|\b(?:wrote|made|writing|making) (?:a |my )will\b|"
    r"\bwont (?:be )?need(?:ing)? (?:them|it|these|those|my \w+)(?: anymore)?\b|"
    r"\b(?:gave|giving|give) (?:away )?(?:most of |all of |all )?my (?:\w+ ){0,2}(?:stuff|things|belongings|possessions|dog|cat|pets?)\b"
    r"(?= .*\b(?:wont|feels lighter|goodbye|gone|need them|anymore|for good))|\bclose (?:stuff|things|my accounts) out\b",
    # ... attempts, no way out, wanting everything to stop for good.
    r"\b(?:an|my|last|suicide) attempt\b|\bthink(?:ing)? about (?:trying|doing it) again\b|\bno way out\b|"
    r"\bnothing (?:is )?(?:ever )?(?:gonna|going to) get better\b|"
    r"\b(?:go quiet|go silent|sleep|stop|check out|disappear|be gone|rest|end|go away)(?: \w+){0,2} (?:permanently|forever|for good)\b",
    r"\bscars? (?:\w+ ){0,4}from (?:cutting|burning|self harm)\b|\btook (?:a bunch|a handful|all|too many) of my \w+\b",
    r"\b(?:hope|hoping|wish) (?:that )?(?:my |a |the )?(?:car|bus|plane|truck) (?:\w+ ){0,2}(?:slides?|crash\w*|goes|runs|flips) (?:off|into)\b",
    r"\b(?:hope|hoping|wish|pray|praying) (?:that )?(?:\w+ ){0,3}(?:hits|kills|runs over|crashes into|takes) me\b|"
    r"\b(?:hope|hoping|pray|praying) (?:that )?i (?:dont|never|wont|do not) wake up\b|\b(?:hope|hoping) i (?:die|get hit|crash)\b",
    r"\b(?:no|no more|zero|not any|not a single|dont have a|dont have any|lost my|cant find a|cant see a|cant see any) "
    r"(?:\w+ )?(?:reason|point|will|purpose) (?:to|in|for|of) (?:live|living|life|go on|going on|be alive|being alive|"
    r"keep going|keep living|stay alive|staying alive|being here|be here|wake up|waking up|exist|existing|get up)\b",
    r"\b(?:dont|do not|no longer|dont really|dont even|really dont|cant|dont wanna) (?:even |really )?(?:want|wanna|wish) "
    r"(?:to )?(?:be alive|live|living|exist|existing|wake up|keep living|go on|be around|be here|be on this earth)\b"
    r"(?! (?:at|in|with|for|on|during|until|if|when|as an?) )",
    r"\b(?:better off|happier|easier|be fine|be better) without me\b",
    r"\b(?:burden (?:to|on|for) (?:everyone|everybody|my family|them|people|you all|my kids|my parents|my mom|my wife|my husband)|"
    r"(?:im|i am|i feel like|feel like|just) (?:such |a |just a |nothing but a )+burden)\b",
    r"\bwish(?:ing|ed)? (?:i (?:was|were|wasnt|werent|had never been|hadnt been|never was|could) (?:just |simply )?(?:dead|born|gone|never born|here|alive|"
    r"just disappear|disappear|die|sleep forever|not wake up)|i (?:was|were) never born|id never been born|"
    r"i (?:would|wouldnt|could|didnt|dont|wont) (?:just )?(?:die|wake up)|i (?:was|were) dead)\b",
    r"\b(?:cant|cannot|can not|unable to) (?:go on|keep going|live like this|do this anymore|take (?:it|this|any ?more)"
    r"(?: any ?more)?|handle (?:life|living|being alive)|keep living|bear (?:it|this|living)|cope anymore)\b",
    r"\b(?:life|living|my life|being alive|existing) (?:is|isnt|feels|seems) (?:so |just |completely |totally )?"
    r"(?:not worth (?:it|living)|pointless|meaningless|worthless|hopeless|unbearable|over)\b",
    r"\bnot worth living\b",
    r"\b(?:whats|what is|wheres|see|no|dont see|cant see) (?:the |any |a )?point (?:in|of|to) (?:living|life|going on|"
    r"anything|being alive|trying anymore|it all|existing|carrying on|waking up)\b",
    r"\b(?:tired|sick|exhausted|done) (?:of|with) (?:living|being alive|life|existing|everything and everyone|it all)\b",
    r"\bwant (?:it|everything|this|the pain|my life|all of this|all this|it all) (?:all )?to (?:end|stop|be over)\b",
    r"\b(?:fall asleep|sleep|go to sleep) and (?:never|not) wake up\b",
    r"\b(?:goodbye|bye) (?:everyone|everybody|all|world|forever|cruel world)\b|\bthis is (?:my )?goodbye\b|"
    r"\b(?:final|last) (?:goodbye|message|note|words)\b|"
    r"\b(?:wrote|writing|write|left|written) (?:a |my |the )?(?:suicide |goodbye |last )?(?:note|letter)s?\b(?! (?:of|for) (?:recommendation|reference|intent))|"
    r"\bgiving (?:away|my) (?:my )?(?:stuff|things|belongings)\b",
    r"\b(?:saved up|saving up|stockpil\w*|collecting|hoarding|have enough|bought|got) (?:\w+ ){0,3}(?:pills|meds|rope|"
    r"a gun|gun|razor|razors|blades|sleeping pills|tylenol|painkillers)\b",
    r"\bhow (?:many|much) (?:\w+ ){0,3}(?:to (?:die|overdose|od|kill|not wake up|end it)|is (?:a )?(?:lethal|fatal|deadly))\b",
    r"\b(?:lethal|fatal|deadly) (?:dose|amount|overdose)\b",
    r"\b(?:fastest|easiest|quickest|best|painless|least painful|surest|simplest) (?:way|ways|method|methods) "
    r"(?:to |of )?(?:die|dying|end it|end my life|kill myself|go|not wake up|commit|do it)\b",
    r"\bjump (?:off|from|in front of) (?:a |the |this )?(?:bridge|building|roof|train|cliff|balcony|overpass|car)\b",
    r"\b(?:nothing|no one|nobody) (?:\w+ ){0,2}(?:would|will) (?:miss|notice|care if) (?:me|i)\b|"
    r"\bno one would (?:care|notice) if i (?:died|was gone|disappeared|wasnt here)\b",
    r"\b(?:trapped|no way out|no escape|unbearable pain|cant escape) (?:\w+ ){0,3}(?:die|dying|end|living|life|forever)\b",
    r"\b(?:hate|hating) (?:my life|being alive|living|existing) (?:so much )?(?:and|i) (?:want|wanna|wish)\b",
    r"\bi (?:want|wanna|wish) (?:to|i could) (?:just )?(?:disappear|vanish|cease to exist|stop existing|not exist)\b",
    r"\b(?:dead|gone) (?:by|before) (?:tomorrow|tonight|the weekend|next week|morning)\b",
    r"\bi (?:am|m|im) (?:going|gonna) to (?:do it|end it) (?:tonight|today|tomorrow|soon)\b",
    # Families added after safety_blind3's first measurement (its training part), in general terms
    # from the same public lists: self-harm told as an act, with its sign of intent ...
    r"\b(?:burned|burnt|burning|cut|cutting|sliced|slicing|scratched|scratching|stabbed) (?:\w+ ){0,2}(?:my|into my) "
    r"(?:arms?|wrists?|legs?|thighs?|skin|stomach|hips?|ankles?)\b(?= .*\b(?:again|on purpose|lighter|blade|razor|knife|"
    r"cant stop|keep doing|deserve|feel (?:something|anything)))|\b(?:carved|carving) (?:\w+ ){0,4}into my\b|"
    r"\b(?:cut|cuts|sliced|slice|cutting) (?:\w+ )?(?:deep|deeper)\b|\b(?:i|then|and) (?:cut|burn) (?:when|whenever|every time)\b|"
    r"\b(?:punch|punching|punched|hit|hitting|bang|banging) (?:the |a |my )?(?:walls?|head) (?:until|till|til|so hard)\b|"
    r"\b(?:until|till|til) (?:my )?(?:knuckles|hands?|skin|arms?) (?:split|splits|bleed|bled|bruise|break)\b",
    # ... an overdose, a poison or a car in a closed garage, happening now (_IN_PROGRESS) ...
    _IN_PROGRESS,
    # ... means at hand or being readied ...
    r"\b(?:drunk|high|wasted) (?:and |with |holding )+(?:\w+ ){0,3}(?:gun|pistol|rifle|revolver|shotgun)\b|"
    r"\btied (?:a |the |my )?(?:cord|rope|belt|sheet|scarf|extension cord) (?:\w+ ){0,4}(?:rod|beam|fan|door|ceiling|rafter|railing|hook)\b|"
    r"\bknot (?:\w+ ){0,5}(?:persons|human|body|adults?) ?weight\b|"
    r"\b(?:what|which) (?:floor|story|storey|height) (?:\w+ ){0,6}(?:jump|fall)\b|"
    r"\bhow (?:many|much) (?:\w+ ){0,4}(?:pills|pens|insulin|tylenol|advil|ibuprofen|acetaminophen|meds|tablets|units|doses|xanax|benadryl|oxy\w*|"
    r"fentanyl|heroin|antifreeze|bleach|poison) (?:\w+ ){0,2}"
    r"(?:would it take|it would take|does it take|would kill|to kill|would be enough)\b"
    r"(?! (?:to |for (?:a |my |the )?)(?:help|treat|work|kick in|get rid|cramps|pain|headache|fever))|"
    r"\b(?:exact|lethal|right) (?:dose|amount)\b(?= .*\b(?:not scared|ready|tonight|no turning back))|"
    r"\bnot (?:scared|afraid) (?:of dying|to die)\b|\b(?:how to|ways to) (?:do it|die|end it) (?:painlessly|quickly|without pain)\b",
    # ... saying goodbye, settling things "before i go", or not seeing oneself alive at a date.
    r"\b(?:sorted|in order|settled|taken care of|figured out) before i (?:go|m gone|die|leave for good)\b|"
    r"\b(?:picked|chose|found) (?:out )?(?:a|the) (?:spot|place|bridge|way|method)\b(?= .*\b(?:free|goodbye|ready|tonight|days?)\b)|"
    r"\b(?:finally|soon) be free (?:of|from) (?:all (?:of )?(?:this|it)|everything|this life|life|the pain)\b|"
    r"\bmy plan is (?:set|ready|final)\b(?= .*\bsomeone to know\b)|"
    r"\blast time (?:you ll|youll|ull|u ll|u will|you will|you|u|anyone|yall|everyone) (?:will )?(?:ever )?(?:hear|see) (?:from )?me\b(?! about)|"
    r"\b(?:writing|wrote|write|drafting|drafted) (?:my own|my) (?:obituary|eulogy)\b|"
    r"\b(?:dont|do not|cant|can not|cannot) see myself (?:making it|being (?:alive|here|around)|living|alive|around|here) "
    r"(?:to|past|until|till|til|by) (?:\d+|my \d+|twenty|thirty|next (?:year|month|week|summer)|my birthday|graduation)\b",
    r"\b(?:swerve|swerving|swerved|drive|driving|steer|steering) (?:my car |my truck |the car )?(?:into|off) (?:a |the |oncoming )?"
    r"(?:median|guardrail|semi|overpass|highway|oncoming traffic|lake|ditch)\b",
    # Families added after safety_blind4 (a fitting set since 2026-11-27), in general terms: an
    # intent stated flatly, a countdown, a voice urging it, the last thing before a place ...
    r"\b(?:im|i am|ill|i will|im gonna|im going to) (?:just |really |finally )?ending (?:it|it all|everything|things|my life)\b(?! (?:with|between))|"
    r"\bi (?:already )?know (?:how|exactly how) (?:id|i would|i will|ill|to do it)?\b(?= .*\b(?:end|ending|die|kill|it|mean it))|"
    r"\b(?:voices?|brain|head|mind) (?:\w+ ){0,3}(?:saying|says|telling me|tell me|tells me) (?:to )?(?:end it|jump|die|kill myself|do it)\b|"
    r"\bnobody (?:has|will have|would have|needs) to (?:deal with|worry about|put up with) me\b|"
    r"\bcounting down (?:the )?days\b(?= .*\b(?:nobody|no one|gone|over|free|end))|"
    r"\b(?:log|logging) off (?:permanently|for good|forever)\b|\bdone swimming\b|\bno respawn\b|"
    r"\b(?:last thing i (?:ever )?do|before i go to the (?:bridge|tracks|roof|lake|river))\b|"
    r"\bnothing left to do but\b|\b(?:idk|dont know|not sure) if ill (?:even )?be (?:around|here|alive)\b|"
    r"\b(?:crash\w*|driv\w*|swerv\w*) (?:my |the )?(?:car|truck)? ?(?:into|off) (?:\w+ ){0,3}on purpose\b|"
    r"\bhoping (?:my heart|i) (?:just )?(?:gives out|stops|dont wake up|never wake up)\b|"
    r"\b(?:tired|sick) of being a burden\b|\bk m s\b|"
    r"\b(?:better off|get the insurance(?: money)?) (?:\w+ ){0,3}if i (?:(?:was|were|am) (?:gone|dead)|died)\b|"
    # ... and self-harm told as an act or a hiding place
    r"\b(?:practic\w*|doing it) on myself with (?:a |the |my )?(?:razors?|blades?|knife|lighter)\b|"
    r"\b(?:doing|did) (?:the thing|it|s h) again\b(?= .*\b(?:blade|razor|s h|cut|scars?))|\bs h\b(?= .*\bblades?\b)|"
    r"\b(?:bang|banging|hit|hitting) my head (?:on|against) (?:the |a )?wall\b",
    # Families added after safety_blind7 (a fitting set since 2026-11-28): death as the only way
    # out, hoping to stop breathing, a quick way "to go", goodbye letters, cutting again and deeper,
    # an overdose taken on purpose, starving to zero calories, purging that cannot stop
    r"\bonly (?:way out|escape|way to make (?:it|this) stop)\b(?: \w+){0,2}? (?:is |would be |left is )?(?:to )?"
    r"(?:die|dying|death|being dead|end it|kill myself)\b|"
    r"\b(?:hope|hoping|pray|praying|wish|wishing) (?:that )?i (?:just |finally )?(?:stop breathing|overdose|od|die|dont wake up|never wake up)\b|"
    r"\b(?:quick|quickest|easy|easiest|painless|fast|fastest) way for me to (?:go|die|end it|check out)\b|"
    r"\b(?:finishing|finish|finished|writing|wrote) (?:my|the) (?:goodbye )?letters\b(?= .*\b(?:im done|ill be done|be gone|goodbye|over)\b)|"
    r"\bi (?:\w+ )?cut (?:myself )?again\b|\b(?:cut|cuts|cutting) (?:\w+ ){0,4}(?:deeper than|too deep)\b|"
    r"\b(?:calories|cals|eating)\b.{0,80}\b(?:trying|want|wanna|goal is|going) to (?:get|go) (?:down )?to (?:0|zero)\b|"
    r"\b(?:throwing up|puking|purging|making myself (?:throw up|puke|sick)) (?:after|every)\b(?= .*\b(?:cant stop|how to stop|blood)\b)|"
    r"\b(?:[2-9]\d|\d{3}) laxatives\b|\b(?:havent|have not|not) eaten (?:in|for) (?:\d+|two|three|four|five|six|seven|a) "
    r"(?:days|weeks)\b(?= .*\b(?:cant stop|feel (?:huge|fat)|passed out|fainted)\b)",
    _SPANISH,
    _OTHER_LANGUAGES,
]
# Someone the asker knows ("my coworker said she wants to end her life"): 988 helps those who
# worry about another person too. A character in a book is no one the asker knows.
_SOMEONE = (r"(?:a (?:girl|guy|friend|classmate|coworker|student) (?:from|in|at) my \w+(?: \w+)?|"
            r"my (?:\w+ )?(?:friend|bestie|bff|coworker|co worker|classmate|roommate|sister|brother|mom|mother|"
            r"dad|father|son|daughter|wife|husband|boyfriend|girlfriend|partner|cousin|aunt|uncle|grandma|grandpa|"
            r"kid|child|niece|nephew|neighbor|preceptor|instructor|manager|boss)|she|he|they|someone i (?:know|love))")
_SOMEONE_ELSE = re.compile(
    rf"\b{_SOMEONE}\b(?: \w+){{0,6}}? (?:(?:kill|killing|hurt|hurting|harm|harming|cut|cutting) "
    r"(?:herself|himself|themselves|themself)|(?:end|ending|take|taking) (?:her|his|their) (?:own )?life|"
    r"(?:is|s|seems|sounds|been|being) suicidal|(?:wants?|wanted|wanting) to die|"
    r"(?:doesnt|does not|dont|do not) want to (?:live|be alive) anymore|(?:s|is|hes|shes) done with (?:everything|it all|life|living)|"
    r"(?:has|got|bought|keeps) a (?:gun|rope)\b(?= .*\b(?:done|goodbye|end|over|die|cant take))|"
    r"(?:googling|looking up|searching|researching) (?:\w+ ){0,2}(?:how to|ways to) (?:do it|die|end it)|"
    r"(?:posted|sent|texted|messaged|wrote) (?:\w+ ){0,3}(?:a goodbye|goodbye|sorry for everything))\b"
    # A goodbye from someone who then cannot be reached, whoever it is.
    r"|\b(?:posted|sent|texted|messaged|saying|said) (?:\w+ ){0,4}(?:a goodbye|goodbye|sorry for everything)\b"
    r"(?= .*\b(?:not (?:answering|picking up|responding|replying)|wont (?:answer|pick up|respond|reply)|cant reach|"
    r"hopes? i have a good life))"
    # after safety_blind4: a goodbye, an empty bottle or a last post, then no answer; means named;
    # a burden that stopped their medicine on purpose; burns they did to themselves
    r"|\b(?:thanks for everything|take care of my (?:cat|dog|kids|plants|pets?)|empty (?:pill )?bottle)\b"
    r"(?= .*\b(?:not (?:answering|picking up|responding|replying)|wont (?:answer|pick up)|cant reach|sorry|gone)\b)|"
    r"\bsee (?:yall|you all|you|u|ya) on the other side\b|\beat (?:his|her|their|my|a) gun\b|"
    r"\b(?:better off|get the insurance(?: money)?) (?:\w+ ){0,3}if (?:he|she|they) (?:(?:was|were|is) (?:gone|dead)|died)\b|"
    r"\bstopped taking (?:her|his|their|my) (?:\w+ ){0,2}on purpose\b|"
    r"\bburns? (?:on|in) (?:her|his|their) (?:arms?|legs?|wrists?|thighs?) (?:\w+ ){0,3}(?:did|does|made|with a lighter)\b")
_CRISIS = re.compile("|".join(f"(?:{p})" for p in [*_PATTERNS, _SOMEONE_ELSE.pattern]))

# Someone hurting the asker at home or in a relationship: 911 and the National Domestic Violence
# Hotline. A patient's situation is a work question, and "my sister pushed me to apply" no abuse.
# Coercion, a sign of trafficking: one's papers held, a debt to work off before one may leave
# (safety_blind8). About the asker's own papers, so no professional framing excuses it.
_COERCION = re.compile(
    r"\b(?:took|takes|keeps|kept|is holding|wont give me|will not give me) (?:back )?my (?:passport|visa|"
    r"green card|work permit|immigration papers)\b(?! (?:info|number|photo|copy|scan|for))|"
    r"\bowe (?:him|her|them) (?:\$?\d+ ?k?|money|everything)(?: \w+){0,4} before i can leave\b")
_ABUSE = re.compile(
    r"\b(?:my|our) (?:\w+ )?(?:boyfriend|girlfriend|husband|wife|partner|ex|fiance|fiancee|spouse|bf|gf|dad|father|"
    r"mom|mother|stepdad|stepmom|brother|sister|roommate)\b(?: \w+){0,10}? (?:hits?|hitting|beats? me|beat me|beating me|"
    r"chok\w*|strangl\w*|punch\w*|slap\w*|kick\w* me|shov\w*|threaten\w* (?:to )?(?:kill|hurt)|hurts me|abus\w*|"
    r"(?:hed|he would|shed|she would|theyd|will|would|gonna|going to) (?:hurt|kill|beat|hit|shoot) (?:me|us)|"
    r"(?:showed up|outside|at (?:my|the) door|parked \w+ \w+ \w+) with a (?:gun|knife)|"
    r"(?:wont|doesnt|will not|does not|never) let me (?:leave|go out|go anywhere|see my|talk to|have my (?:phone|keys|money)))\b|"
    r"\b(?:hes|he is|shes|she is|theyre) (?:going to|gonna) (?:kill|hurt|shoot|end) (?:me|us)\b|"

    r"\b(?:he|she|they) (?:broke|fractured|bruised|cracked) my (?:arm|wrist|nose|ribs?|jaw|hand|finger)\b|"
    r"\b(?:locked|lock|locking) myself in\b(?= .*\b(?:hes|shes|drunk|banging|hurt|hit|broke))|"
    r"\b(?:dont|do not|never) feel safe (?:at home|in my (?:own )?(?:home|house|room|bed)|sleeping|going home|"
    r"around (?:him|her|them))\b|"
    r"\b(?:domestic (?:violence|abuse)|being abused|abusive (?:relationship|partner|boyfriend|girlfriend|husband|wife|"
    r"home|marriage))\b|"
    # after safety_blind4: violence told with a pronoun, being locked in or controlled, stalking,
    # sexual abuse, and Spanish
    r"\b(?:he|she|they) (?:\w+ ){0,2}(?:hits|beats|slaps|chokes|choked|strangled|strangles|kicks|punches|threw|pushed|shoved) me\b(?! up)|"
    r"\b(?:strangled|choked) me (?:till|until|til)\b|\b(?:threw|pushed|shoved|kicked) me (?:down|into|against|off)\b|"
    r"\b(?:locks|locked|lock) me (?:in|out)\b(?= .*\b(?:he|she|bf|gf|boyfriend|girlfriend|husband|wife|partner|leaves|took))|"
    r"\b(?:cant|can not|not allowed to|wont let me) leave the (?:house|apartment|home) without (?:him|her|them)\b|"
    r"\b(?:takes|took|keeps) (?:all of |all )?my (?:whole )?(?:paycheck|money|phone|keys|id)\b(?= .*\b(?:leave|cant|wont let|hits|scared))|"
    r"\b(?:found|put) (?:a |an )?(?:tracker|gps|airtag|tracking device) (?:on|in) my\b|"
    r"\bso i (?:can never|could never|cant ever|can not ever|cant) leave\b|"
    r"\b(?:im|i am|i m|i feel) not safe (?:at home|here|with (?:him|her|them)|in my (?:home|house))\b|"
    r"\bmakes me do (?:stuff|things) i dont want\b|"
    r"\bcomes? (?:in|into) my (?:room|bed) at night\b|"
    r"\b(?:her|his|their) (?:uncle|dad|father|stepdad|stepfather|mom|mother|boyfriend|brother|cousin) (?:hurts|hits|beats|touches) (?:her|him|them)\b|"
    r"\bme (?:pega|golpea|amenaza)\b|"
    # after safety_blind7 (a fitting set since 2026-11-28): a relative who takes one's money and
    # shoves one (elder abuse)
    r"\bmy (?:grandson|granddaughter|son|daughter|stepson|stepdaughter|nephew|niece|caregiver|grandkids?|kids?) "
    r"(?:\w+ ){0,8}(?:shoves|shoved|hits|hit|slaps|slapped|pushes|pushed|kicks|kicked|locks) me\b")

# Sexual assault, told as something done to the asker: 911 and the National Sexual Assault Hotline
# (RAINN), whoever did it (safety_blind7: "is it normal to miss class after being sexually assaulted").
_ASSAULT = re.compile(
    r"\b(?:touched|touches|molested|molests|raped|rapes|assaulted|sexually abused) me\b|"
    r"\b(?:been|being|was|got|i was|i got|im being|im getting) (?:sexually assaulted|raped|molested|sexually abused)\b")

# Danger from someone else right now, at home: 911 first.
_DANGER = re.compile(
    r"\b(?:someone|somebody|a man|a guy|some guy|a stranger|an intruder|people) (?:is |s |are )?(?:trying to )?"
    r"(?:break|breaking|broke|get|getting) (?:in|into) (?:my|our|the) (?:house|home|apartment|place|room|door)\b|"
    r"\bhiding (?:in|under) (?:the|my|a) (?:closet|bathroom|bed|room)\b(?= .*\b(?:from|break|gun|someone|he|they))|"
    r"\b(?:someone|a man|a guy) (?:\w+ ){0,3}(?:with a gun|with a knife|has a gun) (?:\w+ ){0,3}(?:outside|at my door|in my house)\b")

# A message about someone in one's care: a professional question, unless it is also about oneself.
_PROFESSIONAL = re.compile(
    r"\b(?:patient|patients|pt|pts|client|clients|caller|callers|resident|residents|"
    r"screening|screen for|how to ask|ask about|training on|training in|trained in|recogniz\w*|protocol|front desk|"
    r"assess|assessment|risk|phq|warning signs|prevention|module|lecture|chapter|behavioral health|"
    # "as an ma, what do i say when ...", but not "too old to train as a medical assistant"
    r"peds|pediatrics?|(?<!train )(?<!work )(?<!working )(?<!become )(?<!job )as (?:the|an|a) (?:ma|medical assistant))\b")
_CLAUSES = re.compile(r"[?!;\n]+|\.(?!\s*(?:like|just|for good|permanently|forever)\b)|,\s+(?=(?:and |but |also |honestly |tbh |i |im |i'm ))|\s+(?:but|also|anyway|anyways)\s+")
# Names that contain the word but are not about anyone's life.
_NOT_CRISIS = re.compile(r"\bsuicide (?:squad|doors?|sprints?|runs?|drills?|king|bomber|note (?:scene|in the (?:movie|book)))\b|\bvirgin suicides\b")
_FIRST_PERSON_CRISIS = re.compile(
    r"\b(?:im|i am|i feel|i felt|ive been|i have been|i was|i get|i got|feeling|been|i keep) (?:\w+ ){0,2}"
    r"(?:suicidal|self harming)\b|\bmy (?:own )?(?:suicid\w*|self ?harm\w*)\b|"
    rf"\b(?:kill|hurt|cut|cutting|killing|unalive) {_ME}\b|\bend my (?:own )?life\b|"
    r"\bi (?:\w+ ){0,2}(?:want|wanna) (?:to )?(?:die|check out of (?:life|this life|this world|existence))\b|\bkms\b")

# Words that show a message also carries a career question the bot can help with afterwards.
_CAREER = re.compile(
    r"\b(?:curso|escuela|trabajo|examen|asistente|carrera|certificaci\w*|"  # Spanish
    r"cma|rma|ccma|ncma|cmac|ma|mas|medical assist\w*|exam|exams|test|certif\w*|cert|certs|school|program|"
    r"class|classes|externship|clinicals?|job|jobs|career|hired|hiring|interview|license|licensing|phlebotom\w*|"
    r"nursing|nurse|pay|salary|degree|diploma|retake|course|resume|employer|work as|practicum|boards|tips|study|"
    r"studying|shift|shifts|overtime|laid off|fired|practicals?|preceptor|rent|hours|manager|boss|quit|coworkers?|"
    r"instructor|reference letter|apply|applying|graduate|graduation|where do you see yourself)\b")


# Idioms of wanting or doing well that the classifier reads as despair ("i could kill for a higher
# salary" 0.95, "i murdered that venipuncture practical today" 0.92): they overrule the classifier
# alone. "kill for it to be over" is no idiom: the wanted thing must be a thing.
_IDIOM = re.compile(
    r"\b(?:kill|killing) for (?:a|an|some|the|that|this|more|better|higher|one|my|decent)\b|\bto die for\b|"
    r"\bdying (?:to|for)\b|\b(?:killed|killing|murdered|murdering|slayed|slaying) (?:it|that|the|this)\b|"
    r"\b(?:killed|died|dying|kill|die) in (?:fortnite|minecraft|roblox|valorant|call of duty|cod|apex|the game|a game|game)\b")
# Hyperbole people also use in earnest: the classifier alone gets the check-in, which asks.
_HYPERBOLE = re.compile(r"\b(?:rather|sooner) (?:die|be dead) than\b|\bwould (?:literally )?die if\b")


# "s*icide", "su1cide", "k1ll": the word with a letter masked, as people type it to dodge filters.
_MASKED = [(re.compile(r"\bs\W?[u*]\W?[i1!*]\W?c\W?[i1!*]\W?d\W?[e3*]"), "suicide"),
           (re.compile(r"\bk[i1!*]ll\b"), "kill")]


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped ("i'm" -> "im"), masked letters restored ("s*icide"),
    everything else but letters and digits a space."""
    text = unicodedata.normalize("NFKC", text).lower()
    # "más", "esperança": letters without their accents, so patterns need one spelling
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for masked, word in _MASKED:
        text = masked.sub(word, text)
    text = re.sub(r"['’‘`´]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


Reply = Literal["self", "spanish", "attempt", "check_in", "someone_else", "abuse", "assault", "danger"]


@dataclass(frozen=True)
class CrisisCheck:
    crisis: bool
    by_pattern: bool
    career_question: bool   # the message also held a career question to offer help with afterwards
    # The asker's own crisis, a check-in when only an unsure classifier heard one, someone the
    # asker knows, abuse at home, sexual assault, or danger from someone else right now.
    reply: Reply = "self"
    misheard: bool = False  # the classifier heard a crisis in an idiom ("i could kill for a raise")


def _about_someone_in_care(norm: str) -> bool:
    """A patient, a caller or a class on prevention, and nothing about the asker."""
    return bool(_PROFESSIONAL.search(norm)) and not _FIRST_PERSON_CRISIS.search(norm)


def matches(text: str) -> bool:
    """The pattern layer alone: does the message read as a crisis?

    Read clause by clause: "what should an MA do if a patient is suicidal" is a question about
    work, but "do programs take people who were hospitalized? i still think about trying again"
    is not, because its second clause is about the asker."""
    for clause in [*_CLAUSES.split(text), text]:  # the whole message too: "bought two bottles. this is it"
        norm = _NOT_CRISIS.sub(" ", normalise(clause))
        if not norm or not _CRISIS.search(norm):
            continue
        if _about_someone_in_care(norm):
            continue
        return True
    return False


def check(text: str, classifier: Literal["no", "watch", "unsure", "sure"] = "no") -> CrisisCheck:
    """`classifier`: the gate's crisis class below its watch line, below its threshold, between
    it and the sure one, or above (gate.Gate.crisis_level)."""
    norm = normalise(text)
    by_pattern = matches(text)
    # The classifier alone mishears idioms, and questions about patients or a class on suicide
    # prevention ("what warning signs should we know for the behavioral health module", 0.88).
    heard = classifier in ("unsure", "sure")
    misheard = classifier != "no" and bool(
        _IDIOM.search(norm) or _about_someone_in_care(norm))
    crisis = by_pattern or (heard and not misheard)
    reply: Reply = "self" if by_pattern or (classifier == "sure" and not _HYPERBOLE.search(norm)) else "check_in"
    # Abuse or danger at home gets its own reply (911 first, the hotline) even when the classifier
    # alone heard it as a crisis: "he checks my phone and hits me where it doesnt show" is 0.97.
    if not by_pattern and _ASSAULT.search(norm) and not _PROFESSIONAL.search(norm):
        crisis, reply = True, "assault"
    elif not by_pattern and ((_ABUSE.search(norm) and not _PROFESSIONAL.search(norm)) or _COERCION.search(norm)):
        crisis, reply = True, "abuse"
    elif not by_pattern and _DANGER.search(norm) and not _PROFESSIONAL.search(norm):
        crisis, reply = True, "danger"
    elif by_pattern and re.search(_IN_PROGRESS, norm):
        reply = "attempt"
    elif by_pattern and re.search(_SPANISH, norm):
        reply = "spanish"
    elif (crisis and _SOMEONE_ELSE.search(norm) and not _FIRST_PERSON_CRISIS.search(norm)
          and not _CRISIS.search(_SOMEONE_ELSE.sub(" ", norm))):
        reply = "someone_else"
    return CrisisCheck(crisis=crisis, by_pattern=by_pattern,
                       career_question=crisis and bool(_CAREER.search(norm)), reply=reply if crisis else "self",
                       misheard=misheard and not crisis)
