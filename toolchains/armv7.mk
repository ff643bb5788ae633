# armv7 hard-float Linux, static, musl: Debian's armhf cross gcc with musl built
# from Debian's source (TC_MUSL = source, as for x86_64).
# `make TARGET=armv7` includes this file; toolchains/build-deps.sh reads the same
# variables by asking make to print them (with B= the build directory).
# No -march flags: arm-linux-gnueabihf-gcc defaults to Debian's armhf baseline,
# ARMv7-A, Thumb-2, VFPv3-D16, hard-float ABI, which Debian's musl is built for too.

# apt packages on the build machine: the cross compiler and binutils, and the
# emulator that runs the target's programs (check-curl, the tests)
TC_PKGS   = gcc-arm-linux-gnueabihf qemu-user-static
# musl 1.2.3 built by build-deps.sh from Debian's source with this cross gcc, at
# -Os, into BUILD/deps/armv7/musl/ with its specs file (-7 KB); TC_MUSL = armhf
# would unpack Debian's -O2 musl-dev:armhf instead (pinned in toolchains/musl.sha256)
TC_MUSL   = source
TC_MUSL_CFLAGS = -Os -fstack-protector-strong -fstack-clash-protection
TC_CC     = arm-linux-gnueabihf-gcc -specs=$(B)/deps/armv7/musl/musl-gcc.specs
TC_AR     = arm-linux-gnueabihf-ar
TC_STRIP  = arm-linux-gnueabihf-strip
TC_HOST   = arm-linux-musleabihf
# no unwind tables, -flto: as for x86_64 (see x86_64.mk)
TC_CFLAGS = -Os -fPIE -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -flto
# -static also for curl's configure: without it the link tests fail (libgcc's
# __aeabi_ldiv0 needs raise() from libc.a) and configure stops at gethostbyname()
TC_LDFLAGS = -static
TC_STATIC_PIE = no
TC_RUN    = qemu-arm-static
