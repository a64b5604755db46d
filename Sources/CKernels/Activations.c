// The pointwise activations' forward and backward with AVX2. Swift's loops ran one float at a time: with
// in-place calls (output == input, dInput == dOutput) it cannot prove the pointers apart, and it does not
// vectorise the select. These were 6% of a strided training step (`inpaint bench --layers --arch strided`).
// Every lane performs the same IEEE operations and comparisons as NeuralCore's `Activation` loops (explicit
// intrinsics, no contraction into FMAs), so the results are bit-identical, NaN included.
#include "CKernels.h"
#include "cpu_features.h"

#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/// slope > 0: y = x > 0 ? x : slope·x.  slope == 0 (ReLU): y = 0 ≥ x ? 0 : x, Swift's max(x, 0).
__attribute__((target("avx2"))) static void rectify_forward_avx2(const float *x, float *y, long n, float slope) {
    const __m256 zero = _mm256_setzero_ps(), s = _mm256_set1_ps(slope);
    long i = 0;
    if (slope == 0) {
        for (; i + 8 <= n; i += 8) {
            __m256 v = _mm256_loadu_ps(x + i);
            _mm256_storeu_ps(y + i, _mm256_blendv_ps(v, zero, _mm256_cmp_ps(zero, v, _CMP_GE_OQ)));
        }
        for (; i < n; i++) y[i] = 0 >= x[i] ? 0 : x[i];
    } else {
        for (; i + 8 <= n; i += 8) {
            __m256 v = _mm256_loadu_ps(x + i);
            _mm256_storeu_ps(y + i, _mm256_blendv_ps(_mm256_mul_ps(s, v), v, _mm256_cmp_ps(v, zero, _CMP_GT_OQ)));
        }
        for (; i < n; i++) y[i] = x[i] > 0 ? x[i] : slope * x[i];
    }
}

/// dx = y > 0 ? dy : slope·dy (slope 0: ReLU's 0).
__attribute__((target("avx2"))) static void rectify_backward_avx2(const float *y, const float *dy, float *dx, long n,
                                                                  float slope) {
    const __m256 zero = _mm256_setzero_ps(), s = _mm256_set1_ps(slope);
    long i = 0;
    if (slope == 0) {
        for (; i + 8 <= n; i += 8) {
            __m256 keep = _mm256_cmp_ps(_mm256_loadu_ps(y + i), zero, _CMP_GT_OQ);
            _mm256_storeu_ps(dx + i, _mm256_and_ps(keep, _mm256_loadu_ps(dy + i)));
        }
        for (; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
    } else {
        for (; i + 8 <= n; i += 8) {
            __m256 keep = _mm256_cmp_ps(_mm256_loadu_ps(y + i), zero, _CMP_GT_OQ), d = _mm256_loadu_ps(dy + i);
            _mm256_storeu_ps(dx + i, _mm256_blendv_ps(_mm256_mul_ps(s, d), d, keep));
        }
        for (; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : slope * dy[i];
    }
}

/// dx = dy·y·(1 − y), multiplied left to right.
__attribute__((target("avx2"))) static void sigmoid_backward_avx2(const float *y, const float *dy, float *dx, long n) {
    const __m256 one = _mm256_set1_ps(1);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(y + i);
        _mm256_storeu_ps(dx + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(dy + i), v), _mm256_sub_ps(one, v)));
    }
    for (; i < n; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
}
#endif

int ck_activation_supported(void) {
#if defined(__x86_64__) || defined(__i386__)
    return ck_cpu_has(CK_AVX2);
#else
    return 0;
#endif
}

void ck_rectify_forward(const float *x, float *y, long count, float slope) {
#if defined(__x86_64__) || defined(__i386__)
    rectify_forward_avx2(x, y, count, slope);
#else
    (void)x; (void)y; (void)count; (void)slope;
#endif
}

void ck_rectify_backward(const float *y, const float *dy, float *dx, long count, float slope) {
#if defined(__x86_64__) || defined(__i386__)
    rectify_backward_avx2(y, dy, dx, count, slope);
#else
    (void)y; (void)dy; (void)dx; (void)count; (void)slope;
#endif
}

void ck_sigmoid_backward(const float *y, const float *dy, float *dx, long count) {
#if defined(__x86_64__) || defined(__i386__)
    sigmoid_backward_avx2(y, dy, dx, count);
#else
    (void)y; (void)dy; (void)dx; (void)count;
#endif
}
