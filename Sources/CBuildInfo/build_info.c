#include "build_info.h"

// `make` writes the revision into .build/inpaint-revision.h (one line: #define INPAINT_REVISION "…") and
// touches this file when it changes; a plain `swift build` from a tree where make never ran has no such
// header, and the binary says "unknown revision". Swift cannot take a string from the command line
// (-D defines only booleans), and passing one to every compiler with -Xcc would rebuild the whole package
// whenever the revision moves; one small C file recompiles instead.
#if __has_include("../../.build/inpaint-revision.h")
#include "../../.build/inpaint-revision.h"
#endif

#ifndef INPAINT_REVISION
#define INPAINT_REVISION ""
#endif

const char *inpaint_build_revision(void) { return INPAINT_REVISION; }
