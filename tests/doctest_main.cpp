// logstore — test entry point.
// The only translation unit that expands doctest's main(); kept apart because
// it is slow to compile and never changes.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
