#!/bin/sh
# Build and publish the search index from the knowledge base, with the build dependencies
# (requirements/build.lock: torch's CPU build, sentence-transformers), so whatever serves the
# index needs none of them. The Dockerfile's build stage runs this; so can a platform's build
# command, and CI does (tests/test_package.py).
#
#   CAREERBOT_KNOWLEDGE_DIR  the guidance documents (default: knowledge)
#   CAREERBOT_INDEX_DIR      where the index is published (default: index)
#   CAREERBOT_BUILD_DATA_DIR the embedding cache (default: a scratch folder, removed after), so
#                            it never lands in the data volume of what serves
set -eu
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
export CAREERBOT_DATA_DIR="${CAREERBOT_BUILD_DATA_DIR:-$scratch}"
careerbot index build
careerbot --version
