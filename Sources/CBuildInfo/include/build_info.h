#ifndef INPAINT_BUILD_INFO_H
#define INPAINT_BUILD_INFO_H

/// The git revision the binary was built from ("3ff7998c1a2b", "3ff7998c1a2b-dirty"), or "" when unknown.
const char *inpaint_build_revision(void);

#endif
