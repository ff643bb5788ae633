/*
 * output.c -- the json and stream-json lines, written whole with one
 * write(2) each so a reader never sees half an object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

struct line {
	char *p;
	struct bk_buf b;
};

static enum bk_err
line_open(struct line *l, size_t need)
{
	size_t cap = need + 4096;

	l->p = malloc(cap);
	if (l->p == NULL)
		return BK_E_NOMEM;
	bk_buf_init(&l->b, l->p, cap);
	return BK_OK;
}

static enum bk_err
line_close(struct line *l)
{
	enum bk_err e = bk_buf_err(&l->b);

	if (e == BK_OK) {
		bk_buf_putc(&l->b, '\n');
		e = bk_port_write(1, l->p, l->b.len, NULL, NULL);
	}
	free(l->p);
	return e;
}

static void
put_str(struct bk_buf *b, const char *s)
{
	bk_json_put_str(b, (const uint8_t *)(s ? s : ""), s ? strlen(s) : 0,
	    NULL);
}

/* A dollar amount as a JSON number, to the millionth of a cent. */
static void
put_usd(struct bk_buf *b, double v)
{
	char n[64];
	size_t k;

	if (v < 0) {
		bk_buf_puts(b, "null");
		return;
	}
	snprintf(n, sizeof(n), "%.8f", v);
	k = strlen(n);
	while (k > 1 && n[k - 1] == '0' && n[k - 2] != '.')
		k--;
	bk_buf_put(b, n, k);
}

static void
put_usage(struct bk_buf *b, const struct bk_usage *u)
{
	bk_buf_puts(b, "{\"input_tokens\":");
	bk_buf_put_u64(b, u ? u->input_tokens : 0);
	bk_buf_puts(b, ",\"cache_creation_input_tokens\":");
	bk_buf_put_u64(b, u ? u->cache_creation_input_tokens : 0);
	bk_buf_puts(b, ",\"cache_read_input_tokens\":");
	bk_buf_put_u64(b, u ? u->cache_read_input_tokens : 0);
	bk_buf_puts(b, ",\"output_tokens\":");
	bk_buf_put_u64(b, u ? u->output_tokens : 0);
	bk_buf_putc(b, '}');
}

enum bk_err
bk_out_init(const struct bk_ctx *x, const char *cwd)
{
	struct line l;

	if (line_open(&l, strlen(cwd) + x->system_len) != BK_OK)
		return BK_E_NOMEM;
	bk_buf_puts(&l.b, "{\"type\":\"system\",\"subtype\":\"init\","
	    "\"session_id\":");
	put_str(&l.b, x->session_id);
	bk_buf_puts(&l.b, ",\"cwd\":");
	put_str(&l.b, cwd);
	bk_buf_puts(&l.b, ",\"model\":");
	put_str(&l.b, x->model);
	bk_buf_puts(&l.b, ",\"region\":");
	put_str(&l.b, x->conf.region);
	bk_buf_puts(&l.b, ",\"tools\":[],\"apiKeySource\":\"none\","
	    "\"provider\":\"bedrock\",\"version\":\"" BK_VERSION "\"}");
	return line_close(&l);
}

enum bk_err
bk_out_event(const char *session_id, const char *raw, size_t n)
{
	struct line l;

	if (line_open(&l, n) != BK_OK)
		return BK_E_NOMEM;
	/* the event is Bedrock's own JSON, passed through as it came */
	bk_buf_puts(&l.b, "{\"type\":\"stream_event\",\"event\":");
	bk_buf_put(&l.b, raw, n);
	bk_buf_puts(&l.b, ",\"session_id\":");
	put_str(&l.b, session_id);
	bk_buf_puts(&l.b, ",\"parent_tool_use_id\":null}");
	return line_close(&l);
}

enum bk_err
bk_out_assistant(const struct bk_ctx *x, const struct bk_reply *t)
{
	struct line l;

	if (line_open(&l, 6 * t->len) != BK_OK)
		return BK_E_NOMEM;
	bk_buf_puts(&l.b, "{\"type\":\"assistant\",\"message\":{\"type\":"
	    "\"message\",\"role\":\"assistant\",\"model\":");
	put_str(&l.b, t->model[0] ? t->model : x->model);
	bk_buf_puts(&l.b, ",\"content\":[{\"type\":\"text\",\"text\":");
	bk_json_put_str(&l.b, (const uint8_t *)(t->text ? t->text : ""),
	    t->len, NULL);
	bk_buf_puts(&l.b, "}],\"stop_reason\":");
	if (t->stop_reason[0])
		put_str(&l.b, t->stop_reason);
	else
		bk_buf_puts(&l.b, "null");
	bk_buf_puts(&l.b, ",\"stop_sequence\":null,\"usage\":");
	put_usage(&l.b, &t->usage);
	bk_buf_puts(&l.b, "},\"parent_tool_use_id\":null,\"session_id\":");
	put_str(&l.b, x->session_id);
	bk_buf_putc(&l.b, '}');
	return line_close(&l);
}

enum bk_err
bk_out_result(const struct bk_result *r)
{
	struct line l;

	if (line_open(&l, 6 * r->result_len + 1024) != BK_OK)
		return BK_E_NOMEM;
	bk_buf_puts(&l.b, "{\"type\":\"result\",\"subtype\":");
	put_str(&l.b, r->subtype);
	bk_buf_puts(&l.b, r->is_error ? ",\"is_error\":true" :
	    ",\"is_error\":false");
	bk_buf_puts(&l.b, ",\"duration_ms\":");
	bk_buf_put_u64(&l.b, r->duration_ms);
	bk_buf_puts(&l.b, ",\"duration_api_ms\":");
	bk_buf_put_u64(&l.b, r->duration_api_ms);
	bk_buf_puts(&l.b, ",\"num_turns\":");
	bk_buf_put_u64(&l.b, (uint64_t)(r->num_turns < 0 ? 0 : r->num_turns));
	bk_buf_puts(&l.b, ",\"result\":");
	bk_json_put_str(&l.b, (const uint8_t *)(r->result ? r->result : ""),
	    r->result_len, NULL);
	bk_buf_puts(&l.b, ",\"session_id\":");
	put_str(&l.b, r->session_id);
	bk_buf_puts(&l.b, ",\"total_cost_usd\":");
	put_usd(&l.b, r->cost_usd);
	bk_buf_puts(&l.b, ",\"usage\":");
	put_usage(&l.b, r->usage);
	bk_buf_puts(&l.b, ",\"stop_reason\":");
	if (r->stop_reason != NULL && r->stop_reason[0])
		put_str(&l.b, r->stop_reason);
	else
		bk_buf_puts(&l.b, "null");
	bk_buf_puts(&l.b, ",\"model\":");
	put_str(&l.b, r->model);
	if (r->is_error) {
		bk_buf_puts(&l.b, ",\"error\":{\"code\":");
		put_str(&l.b, r->error_code);
		bk_buf_puts(&l.b, ",\"fix\":");
		put_str(&l.b, r->error_fix);
		bk_buf_puts(&l.b, ",\"exit_code\":");
		bk_buf_put_u64(&l.b, (uint64_t)r->exit_code);
		bk_buf_putc(&l.b, '}');
	}
	bk_buf_putc(&l.b, '}');
	return line_close(&l);
}
