/*
 * output.h -- Claude Code's machine-readable output: --output-format json
 * (one result object) and stream-json (one object a line: system init,
 * stream events, the assistant message, the result).
 */
#ifndef BK_OUTPUT_H
#define BK_OUTPUT_H

#include "run.h"

struct bk_result {
	const char *subtype;        /* "success", "error_during_execution",
	                               "error_max_budget_usd" */
	int is_error;
	const char *result;         /* the answer, or the error message */
	size_t result_len;
	const char *session_id;
	int num_turns;
	uint64_t duration_ms, duration_api_ms;
	double cost_usd;            /* < 0: unknown */
	const struct bk_usage *usage;
	const char *stop_reason;
	const char *model;
	const char *error_code;     /* BK_E_... name, or NULL */
	const char *error_fix;
	int exit_code;
};

/* Each writes one line to stdout; BK_OK or BK_E_IO (the reader left). */
enum bk_err bk_out_init(const struct bk_ctx *x, const char *cwd);
enum bk_err bk_out_event(const char *session_id, const char *raw, size_t n);
enum bk_err bk_out_assistant(const struct bk_ctx *x, const struct bk_reply *t);
enum bk_err bk_out_result(const struct bk_result *r);

#endif
