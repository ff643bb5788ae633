# bash completion for bedrock-claude (and its claude link)
_bedrock_claude()
{
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	--model)
		COMPREPLY=($(compgen -W "sonnet opus haiku sonnet-4.6 sonnet-4.5 opus-4.6 opus-4.1 haiku-4.5 haiku-3" -- "$cur"))
		return ;;
	--output-format)
		COMPREPLY=($(compgen -W "text json stream-json" -- "$cur")); return ;;
	--output)
		COMPREPLY=($(compgen -W "table json" -- "$cur")); return ;;
	--by)
		COMPREPLY=($(compgen -W "day month model" -- "$cur")); return ;;
	--provider)
		COMPREPLY=($(compgen -W "bedrock" -- "$cur")); return ;;
	--profile)
		COMPREPLY=($(compgen -W "$(sed -n 's/^\[profile \(.*\)\]/\1/p; s/^\[default\]/default/p' \
			"${AWS_CONFIG_FILE:-$HOME/.aws/config}" 2>/dev/null)" -- "$cur"))
		return ;;
	--settings|--system-prompt-file)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--region|--max-tokens|--temperature|--system-prompt|--system|--append-system-prompt|--resume|-r|--session-id|--max-budget-usd|--since)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-p --print --model --max-tokens --temperature
			--system-prompt --system-prompt-file --append-system-prompt
			--output-format --include-partial-messages --verbose --debug
			-c --continue -r --resume --session-id --no-session-persistence
			--region --profile --provider --settings --max-budget-usd
			--output --since --by -v --version -h --help" -- "$cur"))
	elif [[ $COMP_CWORD -eq 1 ]]; then
		COMPREPLY=($(compgen -W "doctor models profiles usage" -- "$cur"))
	fi
}
complete -F _bedrock_claude bedrock-claude claude
