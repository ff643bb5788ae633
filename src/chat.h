/*
 * chat.h -- the interactive chat: a line editor on the terminal, replies
 * streamed as they arrive, slash commands, the session kept turn by turn.
 */
#ifndef BK_CHAT_H
#define BK_CHAT_H

#include "run.h"

/*
 * Run the chat until /exit, Ctrl-D or a terminating signal.  `first`
 * (may be NULL) is sent as the first prompt, as `claude "question"` does.
 * Returns the exit code: 0, or 128 + the signal that ended it.
 */
int bk_chat_run(const struct bk_opts *o, struct bk_ctx *x, const char *first);

#endif
