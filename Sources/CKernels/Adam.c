// Adam's fused update (the common case: β1 > 0.5 so torch's lerp is m + w·(g − m), no weight decay) with
// AVX2. Swift builds for SSE2, where the two divisions and the square root per weight cost about as much
// as streaming the four arrays; 8-wide they hide under the memory traffic. Every lane performs the same
// IEEE operations in the same order as NeuralCore's Swift loop (explicit intrinsics, no contraction into
// FMAs), so the results are bit-identical.
#include "CKernels.h"
#include "cpu_features.h"

#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx2"))) static void adam_avx2(float *p, const float *g, float *m, float *v, long count,
                                                      float w, float beta2, float oneMinusBeta2, float negStep,
                                                      float bc2, float eps) {
    const __m256 vw = _mm256_set1_ps(w), vb2 = _mm256_set1_ps(beta2), v1b2 = _mm256_set1_ps(oneMinusBeta2);
    const __m256 vstep = _mm256_set1_ps(negStep), vbc2 = _mm256_set1_ps(bc2), veps = _mm256_set1_ps(eps);
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 gi = _mm256_loadu_ps(g + i), m0 = _mm256_loadu_ps(m + i), v0 = _mm256_loadu_ps(v + i);
        __m256 p0 = _mm256_loadu_ps(p + i);
        __m256 mi = _mm256_add_ps(m0, _mm256_mul_ps(vw, _mm256_sub_ps(gi, m0)));                 // m + w·(g − m)
        __m256 vi = _mm256_add_ps(_mm256_mul_ps(v0, vb2), _mm256_mul_ps(_mm256_mul_ps(v1b2, gi), gi));  // v·β2 + (1−β2)·g·g
        __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), vbc2), veps);
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        _mm256_storeu_ps(p + i, _mm256_add_ps(p0, _mm256_div_ps(_mm256_mul_ps(vstep, mi), denom)));
    }
    for (; i < count; i++) {
        float mi = m[i] + w * (g[i] - m[i]);
        float vi = v[i] * beta2 + oneMinusBeta2 * g[i] * g[i];
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] + (negStep * mi) / (__builtin_sqrtf(vi) / bc2 + eps);
    }
}
#endif

int ck_adam_supported(void) {
#if defined(__x86_64__) || defined(__i386__)
    return ck_cpu_has(CK_AVX2);
#else
    return 0;
#endif
}

void ck_adam_update(float *p, const float *g, float *m, float *v, long count, float w, float beta2,
                    float oneMinusBeta2, float negStep, float bc2, float eps) {
#if defined(__x86_64__) || defined(__i386__)
    adam_avx2(p, g, m, v, count, w, beta2, oneMinusBeta2, negStep, bc2, eps);
#else
    (void)p; (void)g; (void)m; (void)v; (void)count; (void)w; (void)beta2; (void)oneMinusBeta2;
    (void)negStep; (void)bc2; (void)eps;
#endif
}
