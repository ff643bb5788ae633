# x86_64 Linux, static, musl: the system gcc with musl built from Debian's source
# (TC_MUSL = source: build-deps.sh builds it, with its specs file, into
# BUILD/deps/x86_64/musl/).
# A target is one such file: the top-level Makefile includes it (make TC=x86_64),
# toolchains/build-deps.sh reads the same variables by asking make to print them.

# musl built here, not Debian's libc.a: that one is -O2 (16-byte-aligned functions,
# more inlining) and costs 20 KB more in the linked program than -Os
TC_MUSL   = source
TC_MUSL_CFLAGS = -Os -fstack-protector-strong -fstack-clash-protection
TC_CC     = gcc -specs=$(B)/deps/x86_64/musl/musl-gcc.specs
TC_AR     = ar
TC_STRIP  = strip
# configure triplet; with it curl's configure cross-compiles, as it must for musl
TC_HOST   = x86_64-linux-musl
# -fPIE is gcc's default on Debian; spelled out so the deps stay usable for PIE links.
# No unwind tables (C only, nothing unwinds: -60 KB of .eh_frame in the program);
# -flto: the deps are inlined and pruned with the program at link time (-13 KB).
TC_CFLAGS = -Os -fPIE -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -flto
TC_LDFLAGS = -static
# no: musl's musl-gcc.specs (Debian's is the same file) ignores -static-pie (it still
# links Scrt1.o and asks for /lib/ld-musl-x86_64.so.1), so the result would not run
# without musl installed.
# build-deps.sh checks the claim: "yes" must give an ELF without an interpreter.
TC_STATIC_PIE = no
# empty: runs natively
TC_RUN    =
