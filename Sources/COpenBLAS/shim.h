#ifndef INPAINT_COPENBLAS_SHIM_H
#define INPAINT_COPENBLAS_SHIM_H
// Debian's libopenblas-dev installs cblas.h under /usr/include/x86_64-linux-gnu/ (an alternatives link to
// the pthread, openmp or serial build's header), which is on the compiler's default search path.
#include <cblas.h>

// openblas_set_num_threads and openblas_get_num_threads are declared in cblas.h as plain functions and
// import as they are; nothing else needs wrapping.
#endif
