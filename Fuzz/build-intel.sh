#!/usr/bin/env bash
# Kept for existing commands and docs: the same as `Fuzz/build-targets.sh intel [NAME...]`.
exec "$(dirname "$0")/build-targets.sh" intel "$@"
