# aarch64 (arm64) Linux, static, musl: Debian's cross gcc with musl built from
# Debian's source (TC_MUSL = source, as for x86_64).
# `make TARGET=aarch64` includes this file; toolchains/build-deps.sh reads the same
# variables by asking make to print them (with B= the build directory).

# apt packages on the build machine: the cross compiler and binutils, and the
# emulator that runs the target's programs (check-curl, the tests)
TC_PKGS   = gcc-aarch64-linux-gnu qemu-user-static
# musl 1.2.3 built by build-deps.sh from Debian's source with this cross gcc, at
# -Os, into BUILD/deps/aarch64/musl/ with its specs file (-14 KB of code, and so
# one 64 KiB page less in the file); TC_MUSL = arm64 would unpack Debian's -O2
# musl-dev:arm64 instead (pinned in toolchains/musl.sha256)
TC_MUSL   = source
TC_MUSL_CFLAGS = -Os -fstack-protector-strong -fstack-clash-protection
TC_CC     = aarch64-linux-gnu-gcc -specs=$(B)/deps/aarch64/musl/musl-gcc.specs
TC_AR     = aarch64-linux-gnu-ar
TC_STRIP  = aarch64-linux-gnu-strip
TC_HOST   = aarch64-linux-musl
# no unwind tables, -flto: as for x86_64 (see x86_64.mk)
TC_CFLAGS = -Os -fPIE -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -flto
TC_LDFLAGS = -static
# no: the specs file, like x86_64's, has no static-pie startfile (see x86_64.mk)
TC_STATIC_PIE = no
# binfmt is not registered: name the emulator
TC_RUN    = qemu-aarch64-static
