#!/bin/bash
# smart-claude.sh - Cost-optimized Claude Code wrapper

# Analyze task complexity (simple heuristic)
analyze_complexity() {
    local prompt="$1"
    local word_count=$(echo "$prompt" | wc -w)

    # Simple tasks: short prompts, basic queries
    if [ $word_count -lt 20 ]; then
        echo "simple"
    # Standard tasks: medium prompts
    elif [ $word_count -lt 100 ]; then
        echo "standard"
    # Complex tasks: long prompts with detailed requirements
    else
        echo "complex"
    fi
}

# Select model based on complexity
select_model() {
    local complexity="$1"
    case $complexity in
        simple)
            echo "anthropic.claude-3-haiku-20240307-v1:0"
            ;;
        standard)
            echo "anthropic.claude-3-sonnet-20240229-v1:0"
            ;;
        complex)
            echo "anthropic.claude-3-5-sonnet-20240620-v1:0"
            ;;
    esac
}

# Main
PROMPT="$1"
COMPLEXITY=$(analyze_complexity "$PROMPT")
MODEL=$(select_model "$COMPLEXITY")

echo "Using model: $MODEL (complexity: $COMPLEXITY)"
claude --provider bedrock --model "$MODEL" -p "$PROMPT"
