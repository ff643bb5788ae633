# aarch64 (arm64) Linux, static, musl: Debian's cross gcc with Debian's musl-dev:arm64.
# `make TARGET=aarch64` includes this file; toolchains/build-deps.sh reads the same
# variables by asking make to print them (with B= the build directory).

# apt packages on the build machine: the cross compiler and binutils, and the
# emulator that runs the target's programs (check-curl, the tests)
TC_PKGS   = gcc-aarch64-linux-gnu qemu-user-static
# Debian architecture whose musl-dev build-deps.sh unpacks (pinned by SHA-256 in
# toolchains/musl.sha256) into BUILD/deps/aarch64/musl/, its specs file relocated there
TC_MUSL   = arm64
TC_CC     = aarch64-linux-gnu-gcc -specs=$(B)/deps/aarch64/musl/musl-gcc.specs
TC_AR     = aarch64-linux-gnu-ar
TC_STRIP  = aarch64-linux-gnu-strip
TC_HOST   = aarch64-linux-musl
TC_CFLAGS = -Os -fPIE -ffunction-sections -fdata-sections
TC_LDFLAGS = -static
# no: the specs file, like x86_64's, has no static-pie startfile (see x86_64.mk)
TC_STATIC_PIE = no
# binfmt is not registered: name the emulator
TC_RUN    = qemu-aarch64-static
