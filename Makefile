# bedrock-claude: one entry point for the dependencies, the binary, the tests,
# the fuzzers and the benchmarks.  Non-recursive.
#
#   make              dependencies (once, cached in build/) and ./bedrock-claude
#   make demo         build, start the bundled Bedrock simulator, stream an answer
#   make test         every test: unit, conformance vectors, fuzz corpus replay,
#                     end to end against the simulator; ends "N passed, M failed"
#   make fuzz         libFuzzer targets (clang, ASan+UBSan, host libc)
#   make asan         unit tests and vectors under ASan+UBSan
#   make bench        size, start-up, RSS and decode throughput
#   make clean        our objects and binaries (keeps the dependency cache)
#   make distclean    everything under build/, dependencies included
#
# TARGET=x86_64 (default), aarch64 or armv7 selects toolchains/$(TARGET).mk (TC= is
# the older name).  x86_64 builds ./bedrock-claude; a cross target builds
# build/TARGET/bedrock-claude, and `make TARGET=aarch64 test-cross` runs its unit
# tests, vectors and one -p hello against the simulator under qemu-user.

TARGET ?= x86_64
TC     ?= $(TARGET)
B      := build
include toolchains/$(TC).mk
# the program: ./bedrock-claude for x86_64, build/TARGET/bedrock-claude otherwise
BIN    := $(if $(filter x86_64,$(TC)),bedrock-claude,$(B)/$(TC)/bedrock-claude)

DEPS   := $(B)/deps/$(TC)
OBJ    := $(B)/obj/$(TC)
STAMP  := $(DEPS)/.check-stamp

CC     := $(TC_CC)
STRIP  := $(TC_STRIP)

# Our code: STYLE.md's warnings, as errors; dependencies via -isystem.
WARN   := -std=c99 -Wall -Wextra -Wpedantic -Werror -Wconversion \
	-Wsign-conversion -Wshadow -Wcast-qual -Wstrict-prototypes \
	-Wmissing-prototypes -Wswitch-enum -Wvla -Wformat=2 \
	-Werror=implicit-function-declaration -Werror=implicit-int \
	-Werror=int-conversion -Werror=incompatible-pointer-types \
	-Werror=discarded-qualifiers -Werror=pointer-sign -Werror=pointer-arith
HARDEN := -fstack-protector-strong -fstack-clash-protection
# No unwind tables (C: nothing unwinds); -flto=auto: inlined and pruned at link
# time together with the LTO-built deps (toolchains/README.md, Program size).
OPT    := -Os -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -flto=auto
INC    := -Isrc -Iport -isystem $(DEPS)/include -isystem $(B)/deps/include \
	-I$(B)/gen
DEFS   := -D_POSIX_C_SOURCE=200809L
CFLAGS := $(WARN) $(HARDEN) $(OPT) $(DEFS) $(INC)
# -static: file(1) says "statically linked" and there is no interpreter.
LDFLAGS := -static -Wl,--gc-sections -Wl,-z,relro,-z,now,-z,noexecstack
LIBS   := $(DEPS)/lib/libcurl.a $(DEPS)/lib/libbearssl.a -lpthread -lm

CORE   := $(OBJ)/bedrock.o
PROG_OBJS := $(OBJ)/main.o $(OBJ)/chat.o $(OBJ)/cli.o $(OBJ)/run.o $(OBJ)/output.o \
	$(OBJ)/catalog.o $(OBJ)/settings.o $(OBJ)/session.o $(OBJ)/ledger.o \
	$(OBJ)/control.o $(OBJ)/doctor.o $(OBJ)/posix_fs.o $(OBJ)/persist.o \
	$(OBJ)/client.o $(OBJ)/creds.o $(OBJ)/awsreq.o $(OBJ)/retry.o \
	$(OBJ)/posix.o $(OBJ)/http_curl.o $(OBJ)/lineedit.o $(CORE)
# the program's sources, for the sanitizer and valgrind builds
PROG_SRC := $(patsubst $(OBJ)/%.o,src/%.c,$(filter-out $(OBJ)/posix.o \
	$(OBJ)/posix_fs.o $(OBJ)/http_curl.o $(OBJ)/lineedit.o,$(PROG_OBJS))) \
	port/posix.c port/posix_fs.c port/http_curl.c port/lineedit.c
TEST_BIN := $(OBJ)/unit $(OBJ)/vectors $(OBJ)/endpoints $(OBJ)/creds_vectors \
	$(OBJ)/catalog_test $(OBJ)/settings_test $(OBJ)/session_test $(OBJ)/replay \
	$(OBJ)/lineedit_demo $(OBJ)/retry_test

.PHONY: all deps test test-cross demo fuzz asan valgrind need-clang bench clean \
	distclean install
all: $(BIN)

deps: $(STAMP)
# toolchains/patches itself too: adding or removing a patch rebuilds the deps
$(STAMP): toolchains/fetch.sh toolchains/build-deps.sh toolchains/$(TC).mk \
		toolchains/curl.configure toolchains/sources.sha256 \
		toolchains/musl.sha256 toolchains/patches \
		$(wildcard toolchains/patches/*.patch)
	sh toolchains/fetch.sh $(B)
	sh toolchains/build-deps.sh $(TC) $(B)
	@touch $@

$(OBJ)/%.o: src/%.c src/bedrock.h $(STAMP) | $(OBJ)
	$(CC) $(CFLAGS) -c $< -o $@
$(OBJ)/%.o: port/%.c port/port.h src/bedrock.h $(STAMP) | $(OBJ)
	$(CC) $(CFLAGS) -c $< -o $@
$(OBJ)/client.o $(OBJ)/main.o $(OBJ)/run.o $(OBJ)/output.o: src/client.h
$(OBJ)/creds.o $(OBJ)/main.o $(OBJ)/run.o: src/creds.h src/awsreq.h
$(OBJ)/main.o $(OBJ)/run.o $(OBJ)/output.o $(OBJ)/cli.o: src/run.h \
	src/cli.h src/output.h src/catalog.h
$(OBJ)/catalog.o: src/catalog.h
$(OBJ)/main.o: src/session.h src/ledger.h src/settings.h src/control.h \
	src/doctor.h port/port_fs.h
$(OBJ)/session.o $(OBJ)/ledger.o $(OBJ)/persist.o: src/session.h src/ledger.h \
	port/port_fs.h src/persist.h src/run.h
$(OBJ)/settings.o $(OBJ)/run.o: src/settings.h
$(OBJ)/control.o $(OBJ)/doctor.o: src/control.h src/doctor.h src/creds.h \
	src/awsreq.h src/client.h
$(OBJ)/awsreq.o: src/awsreq.h
$(OBJ)/retry.o $(OBJ)/run.o: src/retry.h
$(OBJ):
	@mkdir -p $@

$(BIN): $(PROG_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) $(PROG_OBJS) $(LIBS) -o $@.unstripped
	$(STRIP) -o $@ $@.unstripped
	@echo "$@: $$(wc -c < $@) bytes ($$(( ($$(wc -c < $@) + 1023) / 1024 )) KiB), $$(file -b $@ | cut -d, -f1,5)"

# --- tests ------------------------------------------------------------------
# Tests are built like the product (static musl) and may use libc freely.
TCFLAGS := -std=c99 -Wall -Wextra -Werror -Os $(DEFS) -D_DEFAULT_SOURCE $(INC) -Itests

$(OBJ)/fake.o: port/fake.c port/fake.h port/port.h src/bedrock.h $(STAMP) | $(OBJ)
	$(CC) $(CFLAGS) -c $< -o $@
$(OBJ)/unit: tests/unit.c tests/check.h $(OBJ)/client.o $(OBJ)/fake.o $(CORE)
	$(CC) $(TCFLAGS) tests/unit.c $(OBJ)/client.o $(OBJ)/fake.o $(CORE) \
		$(DEPS)/lib/libbearssl.a -static -o $@
$(OBJ)/vectors: tests/vectors.c tests/check.h $(CORE)
	$(CC) $(TCFLAGS) tests/vectors.c $(CORE) $(DEPS)/lib/libbearssl.a \
		-static -o $@
$(OBJ)/endpoints: tests/endpoints.c tests/check.h $(CORE)
	$(CC) $(TCFLAGS) tests/endpoints.c $(CORE) $(DEPS)/lib/libbearssl.a \
		-static -o $@
$(OBJ)/creds_vectors: tests/creds_vectors.c tests/check.h port/fake.h \
		src/creds.h src/awsreq.h $(OBJ)/creds.o $(OBJ)/awsreq.o \
		$(OBJ)/fake.o $(CORE)
	$(CC) $(TCFLAGS) tests/creds_vectors.c $(OBJ)/creds.o $(OBJ)/awsreq.o \
		$(OBJ)/fake.o $(CORE) $(DEPS)/lib/libbearssl.a -static -o $@
$(OBJ)/catalog_test: tests/catalog_test.c tests/check.h $(OBJ)/catalog.o $(CORE)
	$(CC) $(TCFLAGS) tests/catalog_test.c $(OBJ)/catalog.o $(CORE) \
		$(DEPS)/lib/libbearssl.a -lm -static -o $@
$(OBJ)/settings_test: tests/settings_test.c tests/check.h $(OBJ)/settings.o \
		$(OBJ)/fake.o $(CORE)
	$(CC) $(TCFLAGS) tests/settings_test.c $(OBJ)/settings.o $(OBJ)/fake.o \
		$(CORE) $(DEPS)/lib/libbearssl.a -static -o $@
$(OBJ)/session_test: tests/session_test.c tests/check.h $(OBJ)/session.o \
		$(OBJ)/ledger.o $(OBJ)/posix_fs.o $(OBJ)/posix.o $(CORE)
	$(CC) $(TCFLAGS) tests/session_test.c $(OBJ)/session.o $(OBJ)/ledger.o \
		$(OBJ)/posix_fs.o $(OBJ)/posix.o $(CORE) $(DEPS)/lib/libbearssl.a \
		-static -o $@
# Every fuzz target's corpus and reproducers (tests/fuzz/README.md); the
# targets that drive program code run over tests/fuzz/fuzz_port.c, an
# in-memory port, instead of port/posix.c.
FUZZ_TARGETS := fuzz_evs fuzz_stream fuzz_http fuzz_ini fuzz_xml \
	fuzz_credjson fuzz_settings fuzz_session fuzz_ledger fuzz_catalog
REPLAY_OBJS := $(OBJ)/client.o $(OBJ)/awsreq.o $(OBJ)/retry.o $(OBJ)/creds.o \
	$(OBJ)/settings.o $(OBJ)/session.o $(OBJ)/ledger.o $(OBJ)/catalog.o
$(OBJ)/fuzz_port.o: tests/fuzz/fuzz_port.c tests/fuzz/fuzz_port.h port/port.h \
		port/port_fs.h src/bedrock.h $(STAMP) | $(OBJ)
	$(CC) $(TCFLAGS) -c $< -o $@
$(OBJ)/replay: tests/fuzz/replay.c $(FUZZ_TARGETS:%=tests/fuzz/%.c) \
		tests/fuzz/fuzz_port.h $(OBJ)/fuzz_port.o $(REPLAY_OBJS) $(CORE)
	$(CC) $(TCFLAGS) -DREPLAY tests/fuzz/replay.c $(OBJ)/fuzz_port.o \
		$(REPLAY_OBJS) $(CORE) $(DEPS)/lib/libbearssl.a -lm -static -o $@

$(OBJ)/lineedit.o: port/lineedit.h
$(OBJ)/retry_test: tests/retry_test.c tests/check.h $(OBJ)/retry.o $(CORE)
	$(CC) $(TCFLAGS) tests/retry_test.c $(OBJ)/retry.o $(CORE) \
		$(DEPS)/lib/libbearssl.a -lm -static -o $@
$(OBJ)/chat.o: src/chat.h port/lineedit.h src/persist.h src/run.h src/session.h
$(OBJ)/main.o: src/chat.h
$(OBJ)/lineedit_demo: tests/lineedit_demo.c $(OBJ)/lineedit.o
	$(CC) $(TCFLAGS) tests/lineedit_demo.c $(OBJ)/lineedit.o -static -o $@

test: bedrock-claude $(TEST_BIN)
	@sh tests/run.sh $(OBJ)

# The C suites of tests/run.sh under TC_RUN (qemu-user for a cross target), then
# one -p hello of $(BIN) against the simulator; ends "N passed, M failed".
test-cross: $(BIN) $(filter-out $(OBJ)/lineedit_demo,$(TEST_BIN))
	@sh tests/cross.sh $(TC) $(OBJ) $(BIN) $(TC_RUN)

demo: bedrock-claude
	@sh tests/demo.sh

# --- fuzzing and sanitizers (clang, host libc) ---------------------------------
FUZZ_TIME ?= 60
HOSTDEPS := $(B)/deps/host
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -g -O1
HOST_INC := -Isrc -Iport -isystem $(HOSTDEPS)/include -isystem $(B)/deps/include \
	-I$(B)/gen -Itests
$(HOSTDEPS)/.check-stamp: $(STAMP)
	sh toolchains/build-deps.sh host $(B)
# What each target links besides src/bedrock.c (FUZZ_PORT: the in-memory port)
FUZZ_PORT := tests/fuzz/fuzz_port.c
FUZZ_SRC_fuzz_http := src/client.c src/awsreq.c src/retry.c $(FUZZ_PORT)
FUZZ_SRC_fuzz_ini := src/creds.c src/awsreq.c $(FUZZ_PORT)
FUZZ_SRC_fuzz_xml := src/creds.c src/awsreq.c $(FUZZ_PORT)
FUZZ_SRC_fuzz_credjson := src/creds.c src/awsreq.c $(FUZZ_PORT)
FUZZ_SRC_fuzz_settings := src/settings.c $(FUZZ_PORT)
FUZZ_SRC_fuzz_session := src/session.c $(FUZZ_PORT)
FUZZ_SRC_fuzz_ledger := src/ledger.c src/session.c $(FUZZ_PORT)
FUZZ_SRC_fuzz_catalog := src/catalog.c $(FUZZ_PORT)
$(B)/fuzz/%: tests/fuzz/%.c src/bedrock.c src/bedrock.h $(HOSTDEPS)/.check-stamp
	@mkdir -p $(B)/fuzz
	clang $(SAN) -fsanitize=fuzzer $(DEFS) $(HOST_INC) $< src/bedrock.c \
		$(FUZZ_SRC_$*) $(HOSTDEPS)/lib/libbearssl.a -lm -o $@
$(foreach t,$(FUZZ_TARGETS),$(eval $(B)/fuzz/$(t): $(FUZZ_SRC_$(t)) \
	$(if $(FUZZ_SRC_$(t)),tests/fuzz/fuzz_port.h)))
$(B)/fuzz/%: | need-clang
need-clang:
	@sh toolchains/need.sh clang
fuzz: $(FUZZ_TARGETS:%=$(B)/fuzz/%)
	@sh tests/fuzz/run.sh $(B)/fuzz $(FUZZ_TIME)

asan: $(HOSTDEPS)/.check-stamp
	@sh toolchains/need.sh clang
	@mkdir -p $(B)/asan
	clang $(SAN) -std=c99 -D_DEFAULT_SOURCE $(DEFS) $(HOST_INC) tests/unit.c \
		src/client.c src/bedrock.c port/fake.c $(HOSTDEPS)/lib/libbearssl.a \
		-o $(B)/asan/unit
	clang $(SAN) -std=c99 -D_DEFAULT_SOURCE $(DEFS) $(HOST_INC) \
		tests/vectors.c src/bedrock.c $(HOSTDEPS)/lib/libbearssl.a \
		-o $(B)/asan/vectors
	clang $(SAN) -std=c99 -D_DEFAULT_SOURCE $(DEFS) $(HOST_INC) \
		tests/endpoints.c src/bedrock.c $(HOSTDEPS)/lib/libbearssl.a \
		-o $(B)/asan/endpoints
	clang $(SAN) -std=c99 -D_DEFAULT_SOURCE $(DEFS) $(HOST_INC) \
		tests/creds_vectors.c src/creds.c src/awsreq.c src/bedrock.c \
		port/fake.c $(HOSTDEPS)/lib/libbearssl.a -o $(B)/asan/creds_vectors
	clang $(SAN) -std=c99 -D_DEFAULT_SOURCE -DREPLAY $(DEFS) $(HOST_INC) \
		tests/fuzz/replay.c tests/fuzz/fuzz_port.c src/client.c \
		src/awsreq.c src/retry.c src/creds.c src/settings.c src/session.c \
		src/ledger.c src/catalog.c src/bedrock.c \
		$(HOSTDEPS)/lib/libbearssl.a -lm -o $(B)/asan/replay
	clang $(SAN) -std=c99 -D_DEFAULT_SOURCE $(DEFS) $(HOST_INC) \
		tests/catalog_test.c src/catalog.c src/bedrock.c \
		$(HOSTDEPS)/lib/libbearssl.a -lm -o $(B)/asan/catalog_test
	clang $(SAN) -std=c99 -D_DEFAULT_SOURCE $(DEFS) $(HOST_INC) \
		tests/settings_test.c src/settings.c port/fake.c src/bedrock.c \
		$(HOSTDEPS)/lib/libbearssl.a -o $(B)/asan/settings_test
	clang $(SAN) -std=c99 -D_DEFAULT_SOURCE $(DEFS) $(HOST_INC) \
		tests/session_test.c src/session.c src/ledger.c port/posix_fs.c \
		port/posix.c src/bedrock.c $(HOSTDEPS)/lib/libbearssl.a \
		-o $(B)/asan/session_test
	clang $(SAN) -std=c99 -D_DEFAULT_SOURCE $(DEFS) $(HOST_INC) \
		tests/retry_test.c src/retry.c src/bedrock.c \
		$(HOSTDEPS)/lib/libbearssl.a -lm -o $(B)/asan/retry_test
	clang $(SAN) -std=c99 -D_DEFAULT_SOURCE $(DEFS) $(HOST_INC) \
		tests/lineedit_demo.c port/lineedit.c -o $(B)/asan/lineedit_demo
	clang $(SAN) -std=c99 $(DEFS) $(HOST_INC) $(PROG_SRC) \
		$(HOSTDEPS)/lib/libcurl.a $(HOSTDEPS)/lib/libbearssl.a -lpthread \
		-lm -o $(B)/asan/bedrock-claude
	@BK_PROG=$(B)/asan/bedrock-claude sh tests/run.sh $(B)/asan --asan

# The whole program for valgrind memcheck: glibc, dynamic (memcheck cannot
# see malloc in a static binary), no sanitizers; a few end-to-end runs.
valgrind: $(HOSTDEPS)/.check-stamp
	@sh toolchains/need.sh valgrind
	@mkdir -p $(B)/vg
	cc -g -O1 -std=c99 $(DEFS) $(HOST_INC) $(PROG_SRC) \
		$(HOSTDEPS)/lib/libcurl.a $(HOSTDEPS)/lib/libbearssl.a -lpthread \
		-lm -o $(B)/vg/bedrock-claude
	@sh tests/valgrind.sh $(B)/vg/bedrock-claude

bench: bedrock-claude $(OBJ)/bench
	@sh tests/bench.sh $(OBJ)
$(OBJ)/bench: tests/bench.c $(CORE)
	$(CC) $(TCFLAGS) -O2 tests/bench.c $(CORE) $(DEPS)/lib/libbearssl.a \
		-static -o $@

# --- install ------------------------------------------------------------------
# make install PREFIX=/opt/bc [DESTDIR=...] [CLAUDE_LINK=1]: the binary, its man
# page, bash and zsh completion; CLAUDE_LINK=1 adds a `claude` link so scripts
# written for `claude --provider bedrock ...` run unchanged.
PREFIX ?= /usr/local
CLAUDE_LINK ?= 0
install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/bedrock-claude
	install -m 0644 src/share/bedrock-claude.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/bedrock-claude.1
	install -m 0644 src/share/bedrock-claude.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/bedrock-claude
	install -m 0644 src/share/bedrock-claude.zsh \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_bedrock-claude
	@if [ "$(CLAUDE_LINK)" = 1 ]; then \
		ln -sf bedrock-claude $(DESTDIR)$(PREFIX)/bin/claude; \
		ln -sf bedrock-claude $(DESTDIR)$(PREFIX)/share/bash-completion/completions/claude; \
		echo "install: claude -> bedrock-claude"; fi
	@echo "install: $(DESTDIR)$(PREFIX)/bin/bedrock-claude"

clean:
	rm -rf $(B)/obj $(B)/fuzz $(B)/asan $(B)/sim bedrock-claude \
		bedrock-claude.unstripped $(B)/*/bedrock-claude \
		$(B)/*/bedrock-claude.unstripped

distclean: clean
	rm -rf $(B)
