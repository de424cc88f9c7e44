"""careerbot: career guidance for medical assistants from a vetted knowledge base."""

__version__ = "0.1.0"
