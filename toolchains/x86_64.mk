# x86_64 Linux, static, musl (Debian's musl-tools wrapper around the system gcc).
# A target is one such file: the top-level Makefile includes it (make TC=x86_64),
# toolchains/build-deps.sh reads the same variables by asking make to print them.

TC_CC     = musl-gcc
TC_AR     = ar
TC_STRIP  = strip
# configure triplet; with it curl's configure cross-compiles, as it must for musl
TC_HOST   = x86_64-linux-musl
# -fPIE is gcc's default on Debian; spelled out so the deps stay usable for PIE links
TC_CFLAGS = -Os -fPIE -ffunction-sections -fdata-sections
TC_LDFLAGS = -static
# no: Debian's musl-gcc.specs ignores -static-pie (it still links Scrt1.o and asks
# for /lib/ld-musl-x86_64.so.1), so the result would not run without musl installed.
# build-deps.sh checks the claim: "yes" must give an ELF without an interpreter.
TC_STATIC_PIE = no
# empty: runs natively
TC_RUN    =
