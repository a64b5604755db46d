// Run-time CPU checks shared by the kernels (x86 only; private to CKernels). Each answer is computed once
// and cached; a benign race, since every thread computes the same answer.
#ifndef CK_CPU_FEATURES_H
#define CK_CPU_FEATURES_H

#if defined(__x86_64__) || defined(__i386__)
enum { CK_AVX2 = 1, CK_FMA = 2, CK_F16C = 4 };

/// Whether the CPU has every feature in `mask` (CK_AVX2 | CK_FMA | CK_F16C).
int ck_cpu_has(int mask);
#endif

#endif
