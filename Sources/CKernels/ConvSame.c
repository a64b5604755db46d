// Direct "same" convolution (stride 1, padding k/2) with AVX2 + FMA, one image at a time.
//
// Why not im2col + sgemm: for the paper model's 16-channel 5×5 layers the BLAS product has only 16 rows,
// so OpenBLAS spends its time packing the 400 × 784 column matrix (which im2col just wrote) instead of
// multiplying. Here the image is copied once into a zero-bordered buffer whose rows are a whole number of
// 8-float vectors wide, and each output row of two channels is accumulated in registers: per kernel tap,
// nv loads of the input row and two broadcasts feed 2·nv FMAs.
#include "CKernels.h"
#include "cpu_features.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_X86 1
#endif

enum { MAX_VECTORS = 4, MAX_KERNEL = 9 };

static int vectors_for(int width) { return (width + 7) / 8; }

/// Padded row length: nv vectors of output plus the k − 1 taps that reach past them.
static long padded_width(int width, int kernel) { return (long)vectors_for(width) * 8 + kernel - 1; }

long ck_conv2d_same_pad_count(int channels, int height, int width, int kernel) {
    return (long)channels * (height + kernel - 1) * padded_width(width, kernel);
}

int ck_conv2d_same_supported(int width, int kernel) {
#ifdef CK_X86
    return ck_cpu_has(CK_AVX2 | CK_FMA) && width >= 1 && width <= 8 * MAX_VECTORS && kernel >= 1 && kernel <= MAX_KERNEL
        && kernel % 2 == 1;
#else
    (void)width; (void)kernel;
    return 0;
#endif
}

#ifdef CK_X86
/// Lane mask for the last vector of a row: lanes < remaining are stored.
__attribute__((target("avx2,fma"))) static inline __m256i tail_mask(int remaining) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(remaining), lanes);
}

/// Output channels [o, o + OB) (OB = 1 or 2) of one image; nv vectors per row. Inlined with constant
/// OB and nv so that the accumulators live in registers.
__attribute__((target("avx2,fma"), always_inline)) static inline void
conv_block(const float *pad, int C, int H, int W, long Hp, long Wp, const float *w, int k, float *y, int o,
           const int OB, const int nv) {
    const long wPerOut = (long)C * k * k;
    for (int oy = 0; oy < H; oy++) {
        __m256 acc0[MAX_VECTORS], acc1[MAX_VECTORS];
        for (int v = 0; v < nv; v++) { acc0[v] = _mm256_setzero_ps(); acc1[v] = _mm256_setzero_ps(); }
        for (int c = 0; c < C; c++) {
            for (int i = 0; i < k; i++) {
                const float *row = pad + ((long)c * Hp + oy + i) * Wp;
                const float *w0 = w + o * wPerOut + ((long)c * k + i) * k;
                const float *w1 = w0 + wPerOut;
                for (int j = 0; j < k; j++) {
                    __m256 b0 = _mm256_broadcast_ss(w0 + j);
                    __m256 b1 = OB == 2 ? _mm256_broadcast_ss(w1 + j) : b0;
                    for (int v = 0; v < nv; v++) {
                        __m256 xv = _mm256_loadu_ps(row + j + 8 * v);
                        acc0[v] = _mm256_fmadd_ps(b0, xv, acc0[v]);
                        if (OB == 2) acc1[v] = _mm256_fmadd_ps(b1, xv, acc1[v]);
                    }
                }
            }
        }
        for (int b = 0; b < OB; b++) {
            float *dst = y + ((long)(o + b) * H + oy) * W;
            for (int v = 0; v < nv; v++) {
                __m256 a = b == 0 ? acc0[v] : acc1[v];
                if (8 * v + 8 <= W) _mm256_storeu_ps(dst + 8 * v, a);
                else _mm256_maskstore_ps(dst + 8 * v, tail_mask(W - 8 * v), a);
            }
        }
    }
}

/// Sum of the 8 lanes.
__attribute__((target("avx2,fma"))) static inline float horizontal_sum(__m256 a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

/// Weight gradient for output channels [o, o + OB), all input channels, one image. Per input row and
/// vector: OB loads of dy and K shifted loads of x feed OB·K FMAs into per-tap accumulators, which are
/// reduced across lanes once per (channel, kernel row). Tail lanes of dy past W are loaded as zero, so
/// whatever the padded x holds there adds nothing.
__attribute__((target("avx2,fma"), always_inline)) static inline void
weight_grad_block(const float *pad, int C, int H, int W, long Hp, long Wp, const float *dy, float *dw, int o,
                  const int OB, const int nv, const int K) {
    const __m256i tail = tail_mask(W - 8 * (nv - 1));
    for (int c = 0; c < C; c++) {
        for (int i = 0; i < K; i++) {
            __m256 acc0[MAX_KERNEL], acc1[MAX_KERNEL];
            for (int j = 0; j < K; j++) { acc0[j] = _mm256_setzero_ps(); acc1[j] = _mm256_setzero_ps(); }
            for (int oy = 0; oy < H; oy++) {
                const float *row = pad + ((long)c * Hp + oy + i) * Wp;
                const float *d0 = dy + ((long)o * H + oy) * W, *d1 = d0 + (long)H * W;
                for (int v = 0; v < nv; v++) {
                    const int last = v == nv - 1;
                    __m256 g0 = last ? _mm256_maskload_ps(d0 + 8 * v, tail) : _mm256_loadu_ps(d0 + 8 * v);
                    __m256 g1 = OB == 2 ? (last ? _mm256_maskload_ps(d1 + 8 * v, tail) : _mm256_loadu_ps(d1 + 8 * v)) : g0;
                    for (int j = 0; j < K; j++) {
                        __m256 xv = _mm256_loadu_ps(row + j + 8 * v);
                        acc0[j] = _mm256_fmadd_ps(g0, xv, acc0[j]);
                        if (OB == 2) acc1[j] = _mm256_fmadd_ps(g1, xv, acc1[j]);
                    }
                }
            }
            float *w0 = dw + (((long)o * C + c) * K + i) * K, *w1 = w0 + (long)C * K * K;
            for (int j = 0; j < K; j++) {
                w0[j] += horizontal_sum(acc0[j]);
                if (OB == 2) w1[j] += horizontal_sum(acc1[j]);
            }
        }
    }
}

#define CK_WGRAD_NV_K(NV, K)                                                                                    \
    __attribute__((target("avx2,fma"))) static void wgrad_nv##NV##_k##K(                                        \
        const float *pad, int C, int H, int W, long Hp, long Wp, const float *dy, int O, float *dw) {           \
        int o = 0;                                                                                              \
        for (; o + 2 <= O; o += 2) weight_grad_block(pad, C, H, W, Hp, Wp, dy, dw, o, 2, NV, K);                \
        if (o < O) weight_grad_block(pad, C, H, W, Hp, Wp, dy, dw, o, 1, NV, K);                                \
    }
#define CK_WGRAD_NV(NV) CK_WGRAD_NV_K(NV, 1) CK_WGRAD_NV_K(NV, 3) CK_WGRAD_NV_K(NV, 5) CK_WGRAD_NV_K(NV, 7) CK_WGRAD_NV_K(NV, 9)
CK_WGRAD_NV(1)
CK_WGRAD_NV(2)
CK_WGRAD_NV(3)
CK_WGRAD_NV(4)

typedef void (*wgrad_fn)(const float *, int, int, int, long, long, const float *, int, float *);
static const wgrad_fn wgrad_table[4][5] = {
    {wgrad_nv1_k1, wgrad_nv1_k3, wgrad_nv1_k5, wgrad_nv1_k7, wgrad_nv1_k9},
    {wgrad_nv2_k1, wgrad_nv2_k3, wgrad_nv2_k5, wgrad_nv2_k7, wgrad_nv2_k9},
    {wgrad_nv3_k1, wgrad_nv3_k3, wgrad_nv3_k5, wgrad_nv3_k7, wgrad_nv3_k9},
    {wgrad_nv4_k1, wgrad_nv4_k3, wgrad_nv4_k5, wgrad_nv4_k7, wgrad_nv4_k9},
};

#define CK_CONV_NV(NV)                                                                                          \
    __attribute__((target("avx2,fma"))) static void conv_nv##NV(const float *pad, int C, int H, int W, long Hp, \
                                                                long Wp, const float *w, int O, int k, float *y) { \
        int o = 0;                                                                                              \
        for (; o + 2 <= O; o += 2) conv_block(pad, C, H, W, Hp, Wp, w, k, y, o, 2, NV);                         \
        if (o < O) conv_block(pad, C, H, W, Hp, Wp, w, k, y, o, 1, NV);                                         \
    }
CK_CONV_NV(1)
CK_CONV_NV(2)
CK_CONV_NV(3)
CK_CONV_NV(4)
#endif

/// Copies x [C, H, W] into pad [C, H + k − 1, Wp] with a zero border and zeros past W.
static void fill_padded(const float *x, int C, int H, int W, int k, float *pad) {
    const int p = k / 2;
    const long Hp = H + k - 1, Wp = padded_width(W, k);
    memset(pad, 0, sizeof(float) * (size_t)(C * Hp * Wp));
    for (int c = 0; c < C; c++)
        for (int r = 0; r < H; r++)
            memcpy(pad + ((long)c * Hp + r + p) * Wp + p, x + ((long)c * H + r) * W, sizeof(float) * (size_t)W);
}

void ck_conv2d_same_weight_grad(const float *x, int C, int H, int W, const float *dy, int O, int k, float *dw,
                                float *pad) {
#ifdef CK_X86
    fill_padded(x, C, H, W, k, pad);
    wgrad_table[vectors_for(W) - 1][k / 2](pad, C, H, W, H + k - 1, padded_width(W, k), dy, O, dw);
#else
    (void)x; (void)C; (void)H; (void)W; (void)dy; (void)O; (void)k; (void)dw; (void)pad;
#endif
}

void ck_conv2d_same(const float *x, int C, int H, int W, const float *w, int O, int k, float *y, float *pad) {
#ifdef CK_X86
    const long Hp = H + k - 1, Wp = padded_width(W, k);
    fill_padded(x, C, H, W, k, pad);
    switch (vectors_for(W)) {
    case 1: conv_nv1(pad, C, H, W, Hp, Wp, w, O, k, y); break;
    case 2: conv_nv2(pad, C, H, W, Hp, Wp, w, O, k, y); break;
    case 3: conv_nv3(pad, C, H, W, Hp, Wp, w, O, k, y); break;
    default: conv_nv4(pad, C, H, W, Hp, Wp, w, O, k, y); break;
    }
#else
    (void)x; (void)C; (void)H; (void)W; (void)w; (void)O; (void)k; (void)y; (void)pad;
#endif
}
