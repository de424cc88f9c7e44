"""The path of knowledge: load and validate documents, split passages, embed (build time), build and publish index versions."""
