// Direct "same" convolution (stride 1, padding k/2) of small maps with AVX2 + FMA, OUTPUT CHANNELS in the
// vector lanes.
//
// Why: `ConvSame.c` puts image width in the lanes, which at the strided model's 7×7 maps leaves most of each
// 8-float vector empty, so those layers went through im2col + sgemm on chunks of images; OpenBLAS then packs a
// 288 × (count·49) column matrix that im2col has just written. Here the weights are repacked once per call as
// [O/16][C][k][k][16] and every image is copied once into a zero-bordered [C][H + k − 1][W + k − 1] buffer. A
// register tile of 16 output channels (two vectors) × 6 output positions (12 accumulators) is summed over c and
// the k² taps: per tap, two weight loads and six broadcasts of input values feed 12 FMAs. The positions of a
// tile run on across rows and images (a group of images is padded at once), so a 7×7 map wastes no lanes.
// The sum over (c, i, j) runs in the same order for every output, whatever the tiling or grouping.
#include "CKernels.h"
#include "cpu_features.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_X86 1
#endif

enum {
    BLOCK = 16,              // output channels per register tile: two 8-float vectors
    TILE = 6,                // output positions per register tile: 2 · 6 accumulators + 2 weights + 1 broadcast ≤ 16 ymm
    GROUP_FLOATS = 1 << 14,  // padded images per group up to 64 KB: L2-resident while every block of 16 sweeps them
};

static long padded_image(int C, int H, int W, int k) { return (long)C * (H + k - 1) * (W + k - 1); }

/// count images [C, H, W] → pad [count, C, H + k − 1, W + k − 1], each plane zero-bordered by k/2.
static void pad_group(const float *x, int count, int C, int H, int W, int k, float *pad) {
    const int p = k / 2;
    const long Wp = W + k - 1, plane = (long)(H + k - 1) * Wp, image = (long)C * plane, HW = (long)H * W;
    memset(pad, 0, sizeof(float) * (size_t)(count * image));
    for (int n = 0; n < count; n++)
        for (int c = 0; c < C; c++)
            for (int r = 0; r < H; r++)
                memcpy(pad + n * image + c * plane + (r + p) * Wp + p, x + ((long)n * C + c) * HW + (long)r * W,
                       sizeof(float) * (size_t)W);
}

static int images_per_group(int C, int H, int W, int k, int batch) {
    long g = GROUP_FLOATS / padded_image(C, H, W, k);
    if (g < 1) g = 1;
    return g < batch ? (int)g : batch;
}

long ck_conv_lanes_packed_count(int channels, int outChannels, int kernel) {
    return (long)((outChannels + BLOCK - 1) / BLOCK) * BLOCK * channels * kernel * kernel;
}

long ck_conv_lanes_pad_count(int channels, int height, int width, int kernel, int maxBatch) {
    return images_per_group(channels, height, width, kernel, maxBatch > 0 ? maxBatch : 1)
        * padded_image(channels, height, width, kernel);
}

int ck_conv_lanes_supported(int kernel) {
#ifdef CK_X86
    return ck_cpu_has(CK_AVX2 | CK_FMA) && (kernel == 1 || kernel == 3 || kernel == 5 || kernel == 7);
#else
    (void)kernel;
    return 0;
#endif
}

void ck_conv_lanes_pack(const float *w, int outChannels, int channels, int kernel, int adjoint, float *packed) {
    const int O = outChannels, C = channels, taps = kernel * kernel, blocks = (O + BLOCK - 1) / BLOCK;
    for (int b = 0; b < blocks; b++)
        for (int c = 0; c < C; c++)
            for (int t = 0; t < taps; t++) {
                float *dst = packed + (((long)b * C + c) * taps + t) * BLOCK;
                for (int l = 0; l < BLOCK; l++) {
                    const int o = b * BLOCK + l;
                    // adjoint: w is [C, O, k, k] and each kernel is read rotated by 180°.
                    dst[l] = o >= O ? 0
                        : adjoint ? w[((long)c * O + o) * taps + (taps - 1 - t)]
                                  : w[((long)o * C + c) * taps + t];
                }
            }
}

#ifdef CK_X86
/// One register tile: 16 output channels × PT positions, whose padded-input origins are base[0..PT).
/// out[p·16 + l] = Σ_{c,i,j} wb[(c·K + i)·K + j][l] · base[p][c·plane + i·Wp + j]. Inlined with constant PT and
/// K so that the accumulators live in registers.
__attribute__((target("avx2,fma"), always_inline)) static inline void
lanes_tile(const float *const *base, const float *wb, int C, long plane, long Wp, float *out, const int PT, const int K) {
    __m256 a0[TILE], a1[TILE];
    for (int p = 0; p < PT; p++) { a0[p] = _mm256_setzero_ps(); a1[p] = _mm256_setzero_ps(); }
    for (int c = 0; c < C; c++) {
        const long cOff = (long)c * plane;
        const float *wc = wb + (long)c * K * K * BLOCK;
        for (int i = 0; i < K; i++)
            for (int j = 0; j < K; j++) {
                const __m256 w0 = _mm256_loadu_ps(wc + (i * K + j) * BLOCK);
                const __m256 w1 = _mm256_loadu_ps(wc + (i * K + j) * BLOCK + 8);
                const long off = cOff + i * Wp + j;
                for (int p = 0; p < PT; p++) {
                    const __m256 xb = _mm256_broadcast_ss(base[p] + off);
                    a0[p] = _mm256_fmadd_ps(w0, xb, a0[p]);
                    a1[p] = _mm256_fmadd_ps(w1, xb, a1[p]);
                }
            }
    }
    for (int p = 0; p < PT; p++) {
        _mm256_storeu_ps(out + p * BLOCK, a0[p]);
        _mm256_storeu_ps(out + p * BLOCK + 8, a1[p]);
    }
}

typedef void (*tile_fn)(const float *const *, const float *, int, long, long, float *);

#define CK_LANES_TILE(PT, K)                                                                                    \
    __attribute__((target("avx2,fma"))) static void tile_p##PT##_k##K(                                          \
        const float *const *base, const float *wb, int C, long plane, long Wp, float *out) {                    \
        lanes_tile(base, wb, C, plane, Wp, out, PT, K);                                                         \
    }
#define CK_LANES_K(K) CK_LANES_TILE(1, K) CK_LANES_TILE(2, K) CK_LANES_TILE(3, K) CK_LANES_TILE(4, K)            \
    CK_LANES_TILE(5, K) CK_LANES_TILE(6, K)
CK_LANES_K(1)
CK_LANES_K(3)
CK_LANES_K(5)
CK_LANES_K(7)

static const tile_fn tile_table[4][TILE] = {
    {tile_p1_k1, tile_p2_k1, tile_p3_k1, tile_p4_k1, tile_p5_k1, tile_p6_k1},
    {tile_p1_k3, tile_p2_k3, tile_p3_k3, tile_p4_k3, tile_p5_k3, tile_p6_k3},
    {tile_p1_k5, tile_p2_k5, tile_p3_k5, tile_p4_k5, tile_p5_k5, tile_p6_k5},
    {tile_p1_k7, tile_p2_k7, tile_p3_k7, tile_p4_k7, tile_p5_k7, tile_p6_k7},
};
#endif

void ck_conv_lanes(const float *x, int batch, int channels, int height, int width, const float *packed,
                   int outChannels, int kernel, float *y, float *pad) {
#ifdef CK_X86
    const int C = channels, H = height, W = width, O = outChannels, k = kernel;
    const long Wp = W + k - 1, plane = (long)(H + k - 1) * Wp, image = (long)C * plane, HW = (long)H * W;
    const int group = images_per_group(C, H, W, k, batch), blocks = (O + BLOCK - 1) / BLOCK;
    const long wPerBlock = (long)C * k * k * BLOCK;
    const tile_fn *tiles = tile_table[k / 2];
    float out[TILE * BLOCK];
    for (int n0 = 0; n0 < batch; n0 += group) {
        const int count = batch - n0 < group ? batch - n0 : group;
        pad_group(x + (long)n0 * C * HW, count, C, H, W, k, pad);
        const long positions = count * HW;
        for (int b = 0; b < blocks; b++) {
            const int lanes = O - b * BLOCK < BLOCK ? O - b * BLOCK : BLOCK;
            for (long t0 = 0; t0 < positions; t0 += TILE) {
                const int pt = positions - t0 < TILE ? (int)(positions - t0) : TILE;
                const float *base[TILE];
                long dst[TILE];
                for (int q = 0; q < pt; q++) {
                    const long t = t0 + q, n = t / HW, r = t % HW, oy = r / W, ox = r % W;
                    base[q] = pad + n * image + oy * Wp + ox;
                    dst[q] = ((n0 + n) * O + (long)b * BLOCK) * HW + r;  // y[n0 + n, b·16, oy, ox]
                }
                tiles[pt - 1](base, packed + b * wPerBlock, C, plane, Wp, out);
                for (int q = 0; q < pt; q++)
                    for (int l = 0; l < lanes; l++) y[dst[q] + l * HW] = out[q * BLOCK + l];
            }
        }
    }
#else
    (void)x; (void)batch; (void)channels; (void)height; (void)width; (void)packed; (void)outChannels; (void)kernel;
    (void)y; (void)pad;
#endif
}

// MARK: Weight gradient
//
// The same register tile turned around: 16 output channels × 6 (input channel, tap) pairs of dw accumulate over
// every output position of a group of images. Per position, two loads of dy (transposed to [position][O] once per
// group) and six broadcasts of padded-input values feed 12 FMAs; the sums reach dw once per group.

enum { WGRAD_GROUP_FLOATS = 1 << 16 };  // padded images plus transposed dy per group: 256 KB, within L2

static long wgrad_floats_per_image(int C, int H, int W, int O, int k) {
    return padded_image(C, H, W, k) + (long)H * W * ((O + BLOCK - 1) / BLOCK) * BLOCK;
}

static int wgrad_images_per_group(int C, int H, int W, int O, int k, int batch) {
    long g = WGRAD_GROUP_FLOATS / wgrad_floats_per_image(C, H, W, O, k);
    if (g < 1) g = 1;
    return g < batch ? (int)g : batch;
}

long ck_conv_lanes_weight_grad_count(int channels, int height, int width, int outChannels, int kernel, int maxBatch) {
    return wgrad_images_per_group(channels, height, width, outChannels, kernel, maxBatch > 0 ? maxBatch : 1)
        * wgrad_floats_per_image(channels, height, width, outChannels, kernel);
}

#ifdef CK_X86
/// 16 output channels × PT (channel, tap) pairs, whose padded-input offsets are off[0..PT), over `count` images:
/// out[q·16 + l] = Σ_{n,oy,ox} dyT[n·HW + oy·W + ox][l] · pad[n·image + oy·Wp + ox + off[q]].
__attribute__((target("avx2,fma"), always_inline)) static inline void
wgrad_tile(const float *pad, const float *dyT, long Ostride, const long *off, int count, int H, int W, long image,
           long Wp, float *out, const int PT) {
    __m256 a0[TILE], a1[TILE];
    for (int q = 0; q < PT; q++) { a0[q] = _mm256_setzero_ps(); a1[q] = _mm256_setzero_ps(); }
    for (int n = 0; n < count; n++)
        for (int oy = 0; oy < H; oy++) {
            const float *xrow = pad + n * image + oy * Wp;
            const float *grow = dyT + ((long)n * H + oy) * W * Ostride;
            for (int ox = 0; ox < W; ox++) {
                const __m256 g0 = _mm256_loadu_ps(grow + ox * Ostride), g1 = _mm256_loadu_ps(grow + ox * Ostride + 8);
                for (int q = 0; q < PT; q++) {
                    const __m256 xb = _mm256_broadcast_ss(xrow + ox + off[q]);
                    a0[q] = _mm256_fmadd_ps(g0, xb, a0[q]);
                    a1[q] = _mm256_fmadd_ps(g1, xb, a1[q]);
                }
            }
        }
    for (int q = 0; q < PT; q++) {
        _mm256_storeu_ps(out + q * BLOCK, a0[q]);
        _mm256_storeu_ps(out + q * BLOCK + 8, a1[q]);
    }
}

typedef void (*wgrad_tile_fn)(const float *, const float *, long, const long *, int, int, int, long, long, float *);

#define CK_WGRAD_TILE(PT)                                                                                       \
    __attribute__((target("avx2,fma"))) static void wgrad_tile_p##PT(const float *pad, const float *dyT,        \
        long Ostride, const long *off, int count, int H, int W, long image, long Wp, float *out) {              \
        wgrad_tile(pad, dyT, Ostride, off, count, H, W, image, Wp, out, PT);                                    \
    }
CK_WGRAD_TILE(1)
CK_WGRAD_TILE(2)
CK_WGRAD_TILE(3)
CK_WGRAD_TILE(4)
CK_WGRAD_TILE(5)
CK_WGRAD_TILE(6)
static const wgrad_tile_fn wgrad_tiles[TILE] = {wgrad_tile_p1, wgrad_tile_p2, wgrad_tile_p3, wgrad_tile_p4,
                                                wgrad_tile_p5, wgrad_tile_p6};
#endif

void ck_conv_lanes_weight_grad(const float *x, int batch, int channels, int height, int width, const float *dy,
                               int outChannels, int kernel, float *dw, float *scratch) {
#ifdef CK_X86
    const int C = channels, H = height, W = width, O = outChannels, k = kernel, taps = k * k;
    const long Wp = W + k - 1, plane = (long)(H + k - 1) * Wp, image = (long)C * plane, HW = (long)H * W;
    const int blocks = (O + BLOCK - 1) / BLOCK;
    const long Ostride = (long)blocks * BLOCK, pairs = (long)C * taps;
    const int group = wgrad_images_per_group(C, H, W, O, k, batch);
    float *pad = scratch, *dyT = scratch + group * image;
    float out[TILE * BLOCK];
    for (int n0 = 0; n0 < batch; n0 += group) {
        const int count = batch - n0 < group ? batch - n0 : group;
        pad_group(x + (long)n0 * C * HW, count, C, H, W, k, pad);
        // dy [count, O, HW] → dyT [count·HW, Ostride], zero past O
        if (Ostride != O) memset(dyT, 0, sizeof(float) * (size_t)(count * HW * Ostride));
        for (int n = 0; n < count; n++)
            for (int o = 0; o < O; o++) {
                const float *src = dy + ((long)(n0 + n) * O + o) * HW;
                float *dst = dyT + (long)n * HW * Ostride + o;
                for (long r = 0; r < HW; r++) dst[r * Ostride] = src[r];
            }
        for (int b = 0; b < blocks; b++) {
            const int lanes = O - b * BLOCK < BLOCK ? O - b * BLOCK : BLOCK;
            for (long m0 = 0; m0 < pairs; m0 += TILE) {
                const int pt = pairs - m0 < TILE ? (int)(pairs - m0) : TILE;
                long off[TILE];
                for (int q = 0; q < pt; q++) {
                    const long m = m0 + q, c = m / taps, t = m % taps;
                    off[q] = c * plane + (t / k) * Wp + t % k;
                }
                wgrad_tiles[pt - 1](pad, dyT + b * BLOCK, Ostride, off, count, H, W, image, Wp, out);
                // dw[o, c, i, j] with (c, i, j) = pair m: o·C·k² + m
                for (int q = 0; q < pt; q++)
                    for (int l = 0; l < lanes; l++) dw[((long)b * BLOCK + l) * pairs + m0 + q] += out[q * BLOCK + l];
            }
        }
    }
#else
    (void)x; (void)batch; (void)channels; (void)height; (void)width; (void)dy; (void)outChannels; (void)kernel;
    (void)dw; (void)scratch;
#endif
}
