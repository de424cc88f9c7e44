"""The path of a question: crisis check, follow-up reading, query, retrieve, rerank, gate, compose, render."""
