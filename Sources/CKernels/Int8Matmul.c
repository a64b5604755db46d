// Products with int8 weights and one float scale per output column, float32 accumulation.
//
// Why: a single image through the paper model's channel-wise layer reads every weight once (16 × 784 × 784).
// In float16 that is 19.7 MB, which fits the 32 MB L3 alone but not beside a trainer on the other core, whose
// working set evicts it: the forward then streams from memory (issue 16, the UI's drag latency while training).
// In int8 it is 9.8 MB. Each weight is q·s with q in [−127, 127] and s = max|W[block, j]| / 127 for its block
// of rows in its column (one scale per column over all 784 rows moved a reconstruction of the bundled model by
// 1.18/255 on the 10,000 MNIST test digits, beyond issue 16's bound); the kernel sums x·q in float32 over a
// block (q is exact in float32) and adds that sum times s, so the only rounding beyond float32's is the
// quantisation itself (tested on real digits in InpaintingTests).
#include "CKernels.h"
#include "cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/// Output columns per pass over a block of weight rows: the accumulators of two image rows, 8 KB, stay in L1.
#define CK_INT8_TILE 1024

int ck_int8_supported(void) { return ck_cpu_has(CK_AVX2 | CK_FMA); }

/// The factor that takes a column's weights to [−127, 127]: 127 / max|w|, a multiply where a division per
/// weight made the quantiser three times slower than the float16 conversion (it runs at every training
/// snapshot the UI draws); 0 where the largest magnitude is 0 or not finite (a zero column's weights then
/// quantise to 0; a column holding ∞ or NaN keeps its non-finite scale, so its outputs are not numbers).
static inline float factor1(float largest) { return largest > 0 && largest < __builtin_inff() ? 127 / largest : 0; }

/// round-to-nearest-even(w · f) clamped to [−127, 127]; NaN (w = ±∞ or NaN) → −127, as _mm256_max_ps(NaN, −127).
static inline int8_t quantize1(float w, float f) {
    float r = __builtin_rintf(w * f);  // the default rounding mode: to nearest, ties to even
    if (!(r >= -127)) r = -127;
    if (r > 127) r = 127;
    return (int8_t)r;
}

__attribute__((target("avx2"))) void ck_int8_quantize(const float *w, int inF, int outF, int8_t *q, float *scale) {
    const __m256i magnitude = _mm256_set1_epi32(0x7fffffff);
    const __m256 lo = _mm256_set1_ps(-127), hi = _mm256_set1_ps(127);
    uint32_t largest[CK_INT8_TILE];
    float factor[CK_INT8_TILE];
    for (int j0 = 0; j0 < outF; j0 += CK_INT8_TILE) {
        const int width = outF - j0 < CK_INT8_TILE ? outF - j0 : CK_INT8_TILE;
        // Pass 1: the largest |w| of every column, row by row, compared as bit patterns with the sign cleared:
        // monotonic for non-negative floats, and ∞/NaN patterns exceed every finite one, so none is dropped.
        for (int j = 0; j < width; j++) largest[j] = 0;
        for (int i = 0; i < inF; i++) {
            const float *row = w + (long)i * outF + j0;
            int j = 0;
            for (; j + 8 <= width; j += 8) {
                __m256i bits = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(row + j)), magnitude);
                _mm256_storeu_si256((__m256i *)(largest + j),
                                    _mm256_max_epu32(_mm256_loadu_si256((const __m256i *)(largest + j)), bits));
            }
            for (; j < width; j++) {
                uint32_t bits;
                __builtin_memcpy(&bits, row + j, 4);
                bits &= 0x7fffffffu;
                if (bits > largest[j]) largest[j] = bits;
            }
        }
        for (int j = 0; j < width; j++) {
            float f;
            __builtin_memcpy(&f, largest + j, 4);
            scale[j0 + j] = f / 127;
            factor[j] = factor1(f);
        }
        // Pass 2: q = round(w · 127 / max|w|), row by row (the block's rows are still in L2).
        for (int i = 0; i < inF; i++) {
            const float *row = w + (long)i * outF + j0;
            int8_t *qrow = q + (long)i * outF + j0;
            int j = 0;
            for (; j + 8 <= width; j += 8) {
                __m256 r = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(row + j), _mm256_loadu_ps(factor + j)),
                                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
                r = _mm256_min_ps(_mm256_max_ps(r, lo), hi);
                __m256i v = _mm256_cvtps_epi32(r);                                        // 8 × int32 in [−127, 127]
                __m128i s16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
                _mm_storel_epi64((__m128i *)(qrow + j), _mm_packs_epi16(s16, s16));       // 8 × int8
            }
            for (; j < width; j++) qrow[j] = quantize1(row[j], factor[j]);
        }
    }
}

/// 8 int8 weights at w → 8 floats (exact).
__attribute__((target("avx2"), always_inline)) static inline __m256 load_int8x8(const int8_t *w) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)w)));
}

/// acc rows [0, R) += Σ_{i in [i0, i0 + K)} x[r, i] · q[i, :width] for K = 4 or 1 weight rows at a time (rows of q
/// ldw apart), the rows read front to back as in HalfMatmul.c (K contiguous streams), each converted vector
/// feeding R FMAs; acc rows are CK_INT8_TILE floats apart and stay in L1.
__attribute__((target("avx2,fma"), always_inline)) static inline void
int8_rows_step(const int8_t *w, long ldw, int width, const float *x, long ldx, float *acc, int i0, const int R,
               const int K) {
    __m256 xb[2][4];
    for (int r = 0; r < R; r++)
        for (int k = 0; k < K; k++) xb[r][k] = _mm256_broadcast_ss(x + r * ldx + i0 + k);
    const int8_t *row = w + (long)i0 * ldw;
    int j = 0;
    for (; j + 8 <= width; j += 8) {
        __m256 wv[4];
        for (int k = 0; k < K; k++) wv[k] = load_int8x8(row + (long)k * ldw + j);
        for (int r = 0; r < R; r++) {
            __m256 a = _mm256_loadu_ps(acc + r * CK_INT8_TILE + j);
            for (int k = 0; k < K; k++) a = _mm256_fmadd_ps(xb[r][k], wv[k], a);
            _mm256_storeu_ps(acc + r * CK_INT8_TILE + j, a);
        }
    }
    for (; j < width; j++)
        for (int r = 0; r < R; r++)
            for (int k = 0; k < K; k++)
                acc[r * CK_INT8_TILE + j] =
                    __builtin_fmaf(x[r * ldx + i0 + k], (float)row[(long)k * ldw + j], acc[r * CK_INT8_TILE + j]);
}

/// R rows of y, in tiles of at most CK_INT8_TILE columns: per block of blockRows weight rows, the block's sum
/// x·q in acc, then y += acc ⊙ (the block's scales) with one FMA per output.
#define CK_INT8_ROWS(R)                                                                                           \
    __attribute__((target("avx2,fma"))) static void int8_rows_##R(const int8_t *w, const float *scale, int inF,  \
                                                                 int outF, int blockRows, const float *x,       \
                                                                 long ldx, float *y, long ldy) {                \
        float acc[R * CK_INT8_TILE];                                                                            \
        for (int j0 = 0; j0 < outF; j0 += CK_INT8_TILE) {                                                       \
            const int width = outF - j0 < CK_INT8_TILE ? outF - j0 : CK_INT8_TILE;                              \
            for (int r = 0; r < R; r++)                                                                         \
                for (int j = 0; j < width; j++) y[r * ldy + j0 + j] = 0;                                        \
            for (int b0 = 0, block = 0; b0 < inF; b0 += blockRows, block++) {                                   \
                const int end = inF - b0 < blockRows ? inF : b0 + blockRows;                                    \
                for (int r = 0; r < R; r++)                                                                     \
                    for (int j = 0; j < width; j++) acc[r * CK_INT8_TILE + j] = 0;                              \
                int i = b0;                                                                                     \
                for (; i + 4 <= end; i += 4) int8_rows_step(w + j0, outF, width, x, ldx, acc, i, R, 4);         \
                for (; i < end; i++) int8_rows_step(w + j0, outF, width, x, ldx, acc, i, R, 1);                 \
                const float *s = scale + (long)block * outF + j0;                                               \
                for (int r = 0; r < R; r++) {                                                                   \
                    float *yr = y + r * ldy + j0;                                                               \
                    const float *ar = acc + r * CK_INT8_TILE;                                                   \
                    int j = 0;                                                                                  \
                    for (; j + 8 <= width; j += 8)                                                              \
                        _mm256_storeu_ps(yr + j, _mm256_fmadd_ps(_mm256_loadu_ps(ar + j), _mm256_loadu_ps(s + j), \
                                                                 _mm256_loadu_ps(yr + j)));                     \
                    for (; j < width; j++) yr[j] = __builtin_fmaf(ar[j], s[j], yr[j]);                          \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
    }
CK_INT8_ROWS(1)
CK_INT8_ROWS(2)

void ck_int8_matmul(const int8_t *w, const float *scale, int inF, int outF, int blockRows, const float *x, long ldx,
                    int rows, float *y, long ldy) {
    int r = 0;
    for (; r + 2 <= rows; r += 2) int8_rows_2(w, scale, inF, outF, blockRows, x + r * ldx, ldx, y + r * ldy, ldy);
    for (; r < rows; r++) int8_rows_1(w, scale, inF, outF, blockRows, x + r * ldx, ldx, y + r * ldy, ldy);
}

#else
int ck_int8_supported(void) { return 0; }
void ck_int8_quantize(const float *w, int inF, int outF, int8_t *q, float *scale) {
    (void)w; (void)inF; (void)outF; (void)q; (void)scale;
}
void ck_int8_matmul(const int8_t *w, const float *scale, int inF, int outF, int blockRows, const float *x, long ldx,
                    int rows, float *y, long ldy) {
    (void)w; (void)scale; (void)inF; (void)outF; (void)blockRows; (void)x; (void)ldx; (void)rows; (void)y; (void)ldy;
}
#endif
