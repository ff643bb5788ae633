#!/bin/bash
# The "Run Claude Code Review" step of the seed's .github/workflows/claude-review.yml
# (Example 2), its run: block verbatim; the step's env: is set by the caller.
# Get changed files
CHANGED_FILES=$(git diff --name-only origin/main...HEAD)

# Run Claude Code review
claude --provider bedrock \
  --model anthropic.claude-3-sonnet-20240229-v1:0 \
  -p "Review these code changes for issues: $CHANGED_FILES"
