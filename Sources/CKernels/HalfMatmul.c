// Products with float16 weights, converted to float32 on the fly (F16C) and accumulated in float32 (FMA).
//
// Why: a single image through the paper model's channel-wise layer reads 16 × 784 × 784 weights once each.
// In float32 those are 39 MB, more than the 32 MB L3 of the machine of issue 4 §3, so every forward
// streams them from memory; in float16 they are 19.7 MB and stay in L3 between calls. The arithmetic is
// float32 throughout; only the weights are rounded (to nearest even), so a reconstruction moves by far
// less than a grey level (tested on real digits in InpaintingTests).
#include "CKernels.h"
#include "cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

int ck_half_supported(void) { return ck_cpu_has(CK_AVX2 | CK_FMA | CK_F16C); }

__attribute__((target("avx2,f16c"))) void ck_float_to_half(const float *src, uint16_t *dst, long count) {
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm_storeu_si128((__m128i *)(dst + i), h);
    }
    for (; i < count; i++) dst[i] = _cvtss_sh(src[i], _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

/// 8 halves at w → 8 floats.
__attribute__((target("avx2,f16c"), always_inline)) static inline __m256 load_half8(const uint16_t *w) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)w));
}

/// y rows [0, R) += Σ_{i in [i0, i0 + K)} x[r, i] · w[i, :] for K = 4 or 1 weight rows at a time: the weight
/// rows are read front to back (K contiguous streams the prefetcher follows, which walking a column block
/// down 784 rows 1.5 KB apart was not), each converted vector feeds R FMAs, and y stays in L1.
__attribute__((target("avx2,fma,f16c"), always_inline)) static inline void
half_rows_step(const uint16_t *w, int outF, const float *x, long ldx, float *y, long ldy, int i0, const int R,
               const int K) {
    __m256 xb[2][4];
    for (int r = 0; r < R; r++)
        for (int k = 0; k < K; k++) xb[r][k] = _mm256_broadcast_ss(x + r * ldx + i0 + k);
    const uint16_t *row = w + (long)i0 * outF;
    int j = 0;
    for (; j + 8 <= outF; j += 8) {
        __m256 wv[4];
        for (int k = 0; k < K; k++) wv[k] = load_half8(row + (long)k * outF + j);
        for (int r = 0; r < R; r++) {
            __m256 acc = _mm256_loadu_ps(y + r * ldy + j);
            for (int k = 0; k < K; k++) acc = _mm256_fmadd_ps(xb[r][k], wv[k], acc);
            _mm256_storeu_ps(y + r * ldy + j, acc);
        }
    }
    for (; j < outF; j++)
        for (int r = 0; r < R; r++)
            for (int k = 0; k < K; k++) y[r * ldy + j] += x[r * ldx + i0 + k] * _cvtsh_ss(row[(long)k * outF + j]);
}

#define CK_HALF_ROWS(R)                                                                                           \
    __attribute__((target("avx2,fma,f16c"))) static void half_rows_##R(const uint16_t *w, int inF, int outF,   \
                                                                      const float *x, long ldx, float *y,       \
                                                                      long ldy) {                               \
        for (int r = 0; r < R; r++)                                                                             \
            for (int j = 0; j < outF; j++) y[r * ldy + j] = 0;                                                  \
        int i = 0;                                                                                              \
        for (; i + 4 <= inF; i += 4) half_rows_step(w, outF, x, ldx, y, ldy, i, R, 4);                          \
        for (; i < inF; i++) half_rows_step(w, outF, x, ldx, y, ldy, i, R, 1);                                  \
    }
CK_HALF_ROWS(1)
CK_HALF_ROWS(2)

void ck_half_matmul(const uint16_t *w, int inF, int outF, const float *x, long ldx, int rows, float *y, long ldy) {
    int r = 0;
    for (; r + 2 <= rows; r += 2) half_rows_2(w, inF, outF, x + r * ldx, ldx, y + r * ldy, ldy);
    for (; r < rows; r++) half_rows_1(w, inF, outF, x + r * ldx, ldx, y + r * ldy, ldy);
}

#else
int ck_half_supported(void) { return 0; }
void ck_float_to_half(const float *src, uint16_t *dst, long count) { (void)src; (void)dst; (void)count; }
void ck_half_matmul(const uint16_t *w, int inF, int outF, const float *x, long ldx, int rows, float *y, long ldy) {
    (void)w; (void)inF; (void)outF; (void)x; (void)ldx; (void)rows; (void)y; (void)ldy;
}
#endif
