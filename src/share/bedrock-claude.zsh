#compdef bedrock-claude claude
# zsh completion for bedrock-claude (and its claude link)
_arguments -s \
	'(-p --print)'{-p,--print}'[print one answer and exit]' \
	'--model[model alias, ID, profile or ARN]:model:(sonnet opus haiku sonnet-4.6 sonnet-4.5 opus-4.6 opus-4.1 haiku-4.5 haiku-3)' \
	'--max-tokens[most tokens to generate]:tokens:' \
	'--temperature[sampling temperature, 0 to 1]:temperature:' \
	'(--system)--system-prompt[replace the system prompt]:text:' \
	'--system-prompt-file[system prompt from a file]:file:_files' \
	'--append-system-prompt[add to the system prompt]:text:' \
	'--output-format[output format]:format:(text json stream-json)' \
	'--include-partial-messages[stream-json: every stream event]' \
	'--verbose[details on stderr]' \
	'--debug[also HTTP heads, secrets redacted]' \
	'(-c --continue)'{-c,--continue}'[resume the latest session here]' \
	'(-r --resume)'{-r,--resume}'[resume a session]:session id:' \
	'--session-id[ID for a new session]:uuid:' \
	'--no-session-persistence[keep nothing on disk]' \
	'--region[AWS region]:region:' \
	'--profile[AWS profile]:profile:' \
	'--provider[accepted for Claude Code scripts]:provider:(bedrock)' \
	'--settings[settings.json]:file:_files' \
	'--max-budget-usd[stop at this spend]:dollars:' \
	'--output[command output]:format:(table json)' \
	'--since[usage since]:date:' \
	'--by[usage grouping]:by:(day month model)' \
	'(-v --version)'{-v,--version}'[print the version]' \
	'(-h --help)'{-h,--help}'[help]' \
	'1::command or prompt:(doctor models profiles usage)' \
	'*::prompt:'
