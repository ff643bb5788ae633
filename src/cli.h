/*
 * cli.h -- the command line: options as Claude Code spells them, the
 * subcommands, and --help.  Parsing only: no environment, no files (the
 * settings and environment layers are applied by main.c on top).
 */
#ifndef BK_CLI_H
#define BK_CLI_H

#include <stdint.h>

enum bk_outfmt { BK_OUT_TEXT = 0, BK_OUT_JSON = 1, BK_OUT_STREAM_JSON = 2 };

enum bk_cmd {
	BK_CMD_ASK = 0,        /* print mode or chat */
	BK_CMD_DOCTOR,
	BK_CMD_MODELS,
	BK_CMD_PROFILES,
	BK_CMD_USAGE
};

struct bk_opts {
	enum bk_cmd cmd;
	int print;                 /* -p */
	const char *model;         /* --model (alias, ID, profile or ARN) */
	const char *region;
	const char *profile;
	const char *provider;
	uint32_t max_tokens;       /* 0: not given */
	int temperature_milli;     /* -1: not given */
	const char *system;        /* --system-prompt / --system */
	const char *system_file;   /* --system-prompt-file */
	const char *append_system; /* --append-system-prompt */
	enum bk_outfmt output_format;
	int output_format_set;
	int include_partial;       /* --include-partial-messages */
	int verbose;
	int debug;
	int cont;                  /* -c / --continue */
	const char *resume;        /* -r / --resume ID */
	const char *session_id;    /* --session-id */
	int no_persist;            /* --no-session-persistence */
	const char *settings;      /* --settings FILE */
	double max_budget_usd;     /* < 0: none */
	int max_retries;           /* -1: not given */
	/* subcommand options */
	int json;                  /* --output json (models, profiles, usage) */
	uint32_t page_size;        /* profiles --page-size N; 0: default */
	const char *since;         /* usage --since YYYY-MM-DD */
	const char *by;            /* usage --by day|month|model */
	char *prompt;              /* positional words joined by spaces (malloc'd) */
};

/*
 * Parse argv.  Returns -1 to go on, or an exit code (0 after --help or
 * --version, 2 on a usage error with the one-line message printed).
 */
int bk_cli_parse(int argc, char **argv, struct bk_opts *o);
void bk_cli_usage(int fd);
void bk_cli_free(struct bk_opts *o);

#endif
