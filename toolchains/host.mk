# The build machine itself with its system compiler and glibc: dependencies for the
# ASan/UBSan and libFuzzer builds (clang links these gcc-built archives fine).
# Not static, not musl; -fPIC so they link into PIE and sanitizer binaries.

TC_CC     = cc
TC_AR     = ar
TC_STRIP  = strip
# empty: a native configure
TC_HOST   =
TC_CFLAGS = -O1 -g -fPIC
TC_LDFLAGS =
TC_STATIC_PIE = no
TC_RUN    =
