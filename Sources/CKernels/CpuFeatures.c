#include "cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
int ck_cpu_has(int mask) {
    static int cached = -1;  // a benign race: every thread computes the same answer
    if (cached < 0) {
        __builtin_cpu_init();
        cached = (__builtin_cpu_supports("avx2") ? CK_AVX2 : 0) | (__builtin_cpu_supports("fma") ? CK_FMA : 0)
            | (__builtin_cpu_supports("f16c") ? CK_F16C : 0);
    }
    return (cached & mask) == mask;
}
#else
typedef int ck_cpu_features_unused;  // ISO C wants a translation unit to declare something
#endif
