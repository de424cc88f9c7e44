"""What the bot says in Telegram, apart from answers (those come from the knowledge base)."""

WELCOME = (
    "Hi! I'm <b>careerbot</b>. I answer questions about becoming and working as a medical assistant: "
    "training and schools, certification (CMA, RMA, CCMA and others), what MAs may do in your state, "
    "pay, and career paths. Every answer comes from vetted sources and shows when a person last "
    "reviewed it.\n\n"
    "I can't give medical advice. For your own health, please ask a doctor, nurse or pharmacist, "
    "and call 911 in an emergency.\n\n"
    "Ask me anything, for example <i>CMA or RMA?</i>, or pick a topic:"
)
HELP = (
    "Just type a question, for example <i>how long is medical assistant school?</i> or "
    "<i>can an MA give injections in California?</i>\n\n"
    "/topics – browse what I can help with\n"
    "/state CA – set your US state for state-specific answers (/state alone shows or clears it)\n"
    "/about – where my guidance comes from\n"
    "/forget – erase the questions you have asked me\n"
    "/help – this message\n\n"
    "Under each answer you can tell me whether it helped; that is how my guidance gets better."
)
COMMANDS = [
    ("start", "Welcome and topics"),
    ("topics", "Browse topics"),
    ("state", "Set your US state, e.g. /state CA"),
    ("about", "Where the guidance comes from"),
    ("forget", "Erase your question history"),
    ("help", "How to use careerbot"),
]
NON_TEXT = "I can only read text for now. Please type your question."
TOO_LONG = "That's a long message! Please ask one short question (under 1,000 characters)."
SLOW_DOWN = "You're sending questions faster than I can read them. Please wait a minute and try again."
APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
NOT_ADMIN = "Sorry, that command is only for careerbot admins."
NO_REINDEX = "This bot can't refresh its index from Telegram; run <code>careerbot index refresh</code> on its server."
NOT_COUNSELOR = "Sorry, the digest is only for careerbot counselors."
DIGEST_DAY_UNKNOWN = "Which day should the digest come? For example: /digest monday"
DIGEST_DAY_SET = "Done: the digest will come every {day} at {time} ({zone}). Send /digest for it now."
UNKNOWN_COMMAND = "I don't know that command. Try /help."
STALE_BUTTON = "That button has expired. Please ask your question again."
NOT_YOURS = "That answer was for someone else, so you can't rate it."
THANKS = "Thanks for the feedback!"
STATE_ASK = "Which state are you in? Send /state followed by its two-letter code, for example /state TX."
FORGET_CONFIRM = ("This erases every question you have asked me, your feedback and your saved state. "
                  "It can't be undone. Erase it?")
FORGET_DONE = "Done: I erased {n} question(s) and everything else I kept about you."
FORGET_CANCELLED = "OK, nothing was erased."
TOO_SLOW = "Sorry, that took me too long to answer. Please send your question again in a moment."
LATE = "Sorry for the delay: I couldn't answer sooner.\n\n"
INLINE_BUTTON = "Open a chat with me to use this button."
FORGET_LATER = "I'll erase your history as soon as I can write to my records again (in a few minutes at most)."
# Shown in an empty chat before Start (at most 512 characters) and on the bot's profile (at most 120).
DESCRIPTION = (
    "I answer questions about becoming and working as a medical assistant in the US: training and "
    "schools, certification (CMA, RMA, CCMA, NCMA, CMAC), what MAs may do in your state, pay, and "
    "career paths. Every answer comes from vetted public sources and shows when a person last "
    "reviewed it.\n\n"
    "I don't give medical advice: for your own health, ask a doctor, nurse or pharmacist, and call "
    "911 in an emergency."
)
SHORT_DESCRIPTION = "Medical assistant careers: training, certification, scope by state, pay. Vetted answers, no medical advice."
