// logstore — assertions that stay on in release builds.
// Layer: core. A failed assertion is a bug: print file:line and what was
// expected, then abort. Expected failures are errc values, never assertions.
#pragma once

#include <cstdio>
#include <cstdlib>

#define LOGSTORE_ASSERT(cond)                                                  \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__,          \
                   __LINE__, #cond);                                           \
      std::abort();                                                            \
    }                                                                          \
  } while (false)

#define LOGSTORE_ASSERT_MSG(cond, msg)                                         \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "%s:%d: assertion failed: %s (%s)\n", __FILE__,     \
                   __LINE__, #cond, msg);                                      \
      std::abort();                                                            \
    }                                                                          \
  } while (false)
