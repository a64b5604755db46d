// Products with float16 weights, converted to float32 on the fly (F16C) and accumulated in float32 (FMA).
//
// Why: a single image through the paper model's channel-wise layer reads 16 × 784 × 784 weights once each.
// In float32 those are 39 MB, more than the 32 MB L3 of the machine of issue 4 §3, so every forward
// streams them from memory; in float16 they are 19.7 MB and stay in L3 between calls. The arithmetic is
// float32 throughout; only the weights are rounded (to nearest even), so a reconstruction moves by far
// less than a grey level (tested on real digits in InpaintingTests).
#include "CKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

static int cpu_has_avx2_fma_f16c(void) {
    static int cached = -1;  // a benign race: every thread computes the same answer
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    }
    return cached;
}

int ck_half_supported(void) { return cpu_has_avx2_fma_f16c(); }

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

/// Rows [r, r + R) of y, columns [j, j + 8·V): every row of W is read once per block and feeds R·V FMAs;
/// R·V ≤ 8 accumulators stay in registers.
__attribute__((target("avx2,fma,f16c"), always_inline)) static inline void
half_block(const uint16_t *w, int inF, long outF, const float *x, long ldx, float *y, long ldy, int j,
           const int R, const int V) {
    __m256 acc[4][8];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) acc[r][v] = _mm256_setzero_ps();
    for (int i = 0; i < inF; i++) {
        const uint16_t *row = w + (long)i * outF + j;
        __m256 wv[8];
        for (int v = 0; v < V; v++) wv[v] = load_half8(row + 8 * v);
        for (int r = 0; r < R; r++) {
            const __m256 xb = _mm256_broadcast_ss(x + r * ldx + i);
            for (int v = 0; v < V; v++) acc[r][v] = _mm256_fmadd_ps(xb, wv[v], acc[r][v]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) _mm256_storeu_ps(y + r * ldy + j + 8 * v, acc[r][v]);
}

/// Rows [r, r + R) over every column: blocks of V vectors, then single vectors, then scalar columns.
#define CK_HALF_ROWS(R, V)                                                                                        \
    __attribute__((target("avx2,fma,f16c"))) static void half_rows_##R(const uint16_t *w, int inF, int outF,   \
                                                                      const float *x, long ldx, float *y,       \
                                                                      long ldy) {                               \
        int j = 0;                                                                                              \
        for (; j + 8 * V <= outF; j += 8 * V) half_block(w, inF, outF, x, ldx, y, ldy, j, R, V);                \
        for (; j + 8 <= outF; j += 8) half_block(w, inF, outF, x, ldx, y, ldy, j, R, 1);                        \
        for (; j < outF; j++)                                                                                   \
            for (int r = 0; r < R; r++) {                                                                       \
                float s = 0;                                                                                    \
                for (int i = 0; i < inF; i++) s += x[r * ldx + i] * _cvtsh_ss(w[(long)i * outF + j]);          \
                y[r * ldy + j] = s;                                                                             \
            }                                                                                                   \
    }
CK_HALF_ROWS(1, 8)
CK_HALF_ROWS(4, 2)

void ck_half_matmul(const uint16_t *w, int inF, int outF, const float *x, long ldx, int rows, float *y, long ldy) {
    int r = 0;
    for (; r + 4 <= rows; r += 4) half_rows_4(w, inF, outF, x + r * ldx, ldx, y + r * ldy, ldy);
    for (; r < rows; r++) half_rows_1(w, inF, outF, x + r * ldx, ldx, y + r * ldy, ldy);
}

#else
int ck_half_supported(void) { return 0; }
void ck_float_to_half(const float *src, uint16_t *dst, long count) { (void)src; (void)dst; (void)count; }
void ck_half_matmul(const uint16_t *w, int inF, int outF, const float *x, long ldx, int rows, float *y, long ldy) {
    (void)w; (void)inF; (void)outF; (void)x; (void)ldx; (void)rows; (void)y; (void)ldy;
}
#endif
