// The stride-2 4×4 convolution with padding 1 (the strided model's enc.0 and enc.2) and its adjoint, the
// stride-2 transposed convolution (dec.2, dec.4, and the convolutions' input gradients), with AVX2 + FMA and
// OUTPUT CHANNELS in the vector lanes, as `ConvChannelLanes.c` does for the same convolutions of small maps.
//
// Why: these layers went through im2col + sgemm at 20–50 GFLOP/s (issue 16): their maps are 7×7 to 28×28 and
// their products 16–32 rows deep, so OpenBLAS packs a column matrix that im2col has just written and spends the
// rest on edge kernels.
//
// Forward. A stride-2 4×4 convolution with padding 1 is a 2×2 stride-1 convolution over the space-to-depth of
// the zero-bordered input ([C, H + 2, W + 2] → [4C, H/2 + 1, W/2 + 1]). The kernel does not rearrange the image:
// its register tile broadcasts each input value from wherever it lies, so it reads the bordered image
// [C][H + 2][W + 2] in place with the window of output (oy, ox) at (2·oy, 2·ox). The tile is ConvChannelLanes'
// one: 16 output channels (two vectors) × 6 output positions (12 accumulators), summed over c and the 16 taps;
// per tap two weight loads and six broadcasts feed 12 FMAs. Positions run on across rows and images of a group.
//
// Adjoint. In y[o, Y, X] += w[c, o, i, j] · x[c, iy, ix] with Y = 2·iy − 1 + i, each output pixel receives
// exactly the taps i ≡ Y + 1 and j ≡ X + 1 (mod 2): four parity classes (py, px), each a 2×2 stride-1
// convolution over the zero-bordered small map [C][h + 2][w + 2] with a quarter of the weights, whose outputs
// interleave (depth-to-space). Output (Y, X) = (2u − 1 + py, 2v − 1 + px) of class (py, px) reads the bordered
// x at rows u, u + 1 and columns v, v + 1 (tap (a, b)), with weight w[c, o, py + 2 − 2a, px + 2 − 2b].
//
// With fewer than 8 output channels (dec.4's forward, 16 → 1) most lanes would hold zeros, so the adjoint then
// puts 8 output columns of a parity class in the lanes instead (one output channel at a time, 4 rows × 16 columns
// per register tile). It sums every output in the same order (c, then the taps) with the same FMAs, so its
// results are bit-identical to the lanes tile's: a layer cut to a few of its output channels (the single-image
// forward split over workers) computes exactly what the whole layer does.
//
// Weight gradient. The forward's tile turned around (ConvChannelLanes' weight gradient with stride 2): 16
// output channels × 6 (input channel, tap) pairs of dw summed over every output position of a group of images.
//
// Any map of at least 2×2 (the output is (H − 2)/2 + 1 by (W − 2)/2 + 1, floor, as PyTorch's Conv2d; the
// adjoint maps h × w back onto H × W = 2h × 2w or one more row or column); any channel counts.
#include "CKernels.h"
#include "cpu_features.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_X86 1
#endif

enum {
    BLOCK = 16,              // output channels per register tile: two 8-float vectors
    TILE = 6,                // positions (or pairs) per register tile: 2 · 6 accumulators + 2 weights + 1 broadcast
    TAPS = 16,               // 4 × 4
    GROUP_FLOATS = 1 << 14,  // bordered images per group up to 64 KB: L2-resident while every block sweeps them
    WGRAD_GROUP_FLOATS = 1 << 16,  // bordered images plus transposed dy per group: 256 KB, within L2
    POSITION_LANES_BELOW = 8,      // the adjoint puts output columns in the lanes below 8 output channels
};

static int out_side(int side) { return (side - 2) / 2 + 1; }

static long bordered_image(int C, int H, int W) { return (long)C * (H + 2) * (W + 2); }

/// count images [C, H, W] → pad [count, C, H + 2, W + 2], each plane bordered by one zero.
static void border_group(const float *x, int count, int C, int H, int W, float *pad) {
    const long Wp = W + 2, plane = (long)(H + 2) * Wp, image = (long)C * plane, HW = (long)H * W;
    memset(pad, 0, sizeof(float) * (size_t)(count * image));
    for (int n = 0; n < count; n++)
        for (int c = 0; c < C; c++)
            for (int r = 0; r < H; r++)
                memcpy(pad + n * image + c * plane + (r + 1) * Wp + 1, x + ((long)n * C + c) * HW + (long)r * W,
                       sizeof(float) * (size_t)W);
}

static int images_per_group(long floatsPerImage, long budget, int batch) {
    long g = budget / floatsPerImage;
    if (g < 1) g = 1;
    return g < batch ? (int)g : batch;
}

static int blocks_of(int O) { return (O + BLOCK - 1) / BLOCK; }

int ck_conv_s2_supported(void) {
#ifdef CK_X86
    return ck_cpu_has(CK_AVX2 | CK_FMA);
#else
    return 0;
#endif
}

long ck_conv_s2_packed_count(int channels, int outChannels) {
    return (long)blocks_of(outChannels) * BLOCK * channels * TAPS;
}

long ck_conv_s2_pad_count(int channels, int height, int width, int maxBatch) {
    const long image = bordered_image(channels, height, width);
    // + 16: `adjoint_by_positions` reads whole vectors past a group's last row (into lanes it never stores).
    return images_per_group(image, GROUP_FLOATS, maxBatch > 0 ? maxBatch : 1) * image + 16;
}

void ck_conv_s2_pack(const float *w, int outChannels, int channels, int adjoint, float *packed) {
    const int O = outChannels, C = channels, blocks = blocks_of(O);
    if (!adjoint) {
        // w [O, C, 4, 4] → [blocks][C][4·4][16]
        for (int b = 0; b < blocks; b++)
            for (int c = 0; c < C; c++)
                for (int t = 0; t < TAPS; t++) {
                    float *dst = packed + (((long)b * C + c) * TAPS + t) * BLOCK;
                    for (int l = 0; l < BLOCK; l++) {
                        const int o = b * BLOCK + l;
                        dst[l] = o < O ? w[((long)o * C + c) * TAPS + t] : 0;
                    }
                }
        return;
    }
    // w [C, O, 4, 4] → [class (py, px)][blocks][C][a][b][16] holding w[c, o, py + 2 − 2a, px + 2 − 2b]
    const long perClass = (long)blocks * C * 4 * BLOCK;
    for (int cls = 0; cls < 4; cls++) {
        const int py = cls >> 1, px = cls & 1;
        for (int b = 0; b < blocks; b++)
            for (int c = 0; c < C; c++)
                for (int t = 0; t < 4; t++) {
                    const int i = py + 2 - 2 * (t >> 1), j = px + 2 - 2 * (t & 1);
                    float *dst = packed + cls * perClass + (((long)b * C + c) * 4 + t) * BLOCK;
                    for (int l = 0; l < BLOCK; l++) {
                        const int o = b * BLOCK + l;
                        dst[l] = o < O ? w[((long)c * O + o) * TAPS + i * 4 + j] : 0;
                    }
                }
    }
}

#ifdef CK_X86
/// One register tile: 16 output channels × PT positions, whose bordered-input origins are base[0..PT).
/// out[p·16 + l] = Σ_{c,i,j} wb[(c·K + i)·K + j][l] · base[p][c·plane + i·Wp + j], K × K taps (4 for the forward, 2
/// for a parity class of the adjoint). Inlined with constant PT and K so that the accumulators live in registers.
__attribute__((target("avx2,fma"), always_inline)) static inline void
s2_tile(const float *const *base, const float *wb, int C, long plane, long Wp, float *out, const int PT, const int K) {
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

typedef void (*s2_tile_fn)(const float *const *, const float *, int, long, long, float *);

#define CK_S2_TILE(PT, K)                                                                                       \
    __attribute__((target("avx2,fma"))) static void s2_tile_p##PT##_k##K(                                       \
        const float *const *base, const float *wb, int C, long plane, long Wp, float *out) {                    \
        s2_tile(base, wb, C, plane, Wp, out, PT, K);                                                            \
    }
#define CK_S2_K(K) CK_S2_TILE(1, K) CK_S2_TILE(2, K) CK_S2_TILE(3, K) CK_S2_TILE(4, K) CK_S2_TILE(5, K)         \
    CK_S2_TILE(6, K)
CK_S2_K(2)
CK_S2_K(4)

static const s2_tile_fn forward_tiles[TILE] = {s2_tile_p1_k4, s2_tile_p2_k4, s2_tile_p3_k4, s2_tile_p4_k4,
                                               s2_tile_p5_k4, s2_tile_p6_k4};
static const s2_tile_fn adjoint_tiles[TILE] = {s2_tile_p1_k2, s2_tile_p2_k2, s2_tile_p3_k2, s2_tile_p4_k2,
                                               s2_tile_p5_k2, s2_tile_p6_k2};
#endif

void ck_conv_s2(const float *x, int batch, int channels, int height, int width, const float *packed, int outChannels,
                float *y, float *pad) {
#ifdef CK_X86
    const int C = channels, H = height, W = width, O = outChannels, h = out_side(H), w = out_side(W);
    const long Wp = W + 2, plane = (long)(H + 2) * Wp, image = (long)C * plane, HW = (long)H * W, hw = (long)h * w;
    const int group = images_per_group(image, GROUP_FLOATS, batch), blocks = blocks_of(O);
    const long wPerBlock = (long)C * TAPS * BLOCK;
    float out[TILE * BLOCK];
    for (int n0 = 0; n0 < batch; n0 += group) {
        const int count = batch - n0 < group ? batch - n0 : group;
        border_group(x + (long)n0 * C * HW, count, C, H, W, pad);
        const long positions = count * hw;
        for (int b = 0; b < blocks; b++) {
            const int lanes = O - b * BLOCK < BLOCK ? O - b * BLOCK : BLOCK;
            for (long t0 = 0; t0 < positions; t0 += TILE) {
                const int pt = positions - t0 < TILE ? (int)(positions - t0) : TILE;
                const float *base[TILE];
                long dst[TILE];
                for (int q = 0; q < pt; q++) {
                    const long t = t0 + q, n = t / hw, r = t % hw, oy = r / w, ox = r % w;
                    base[q] = pad + n * image + 2 * oy * Wp + 2 * ox;
                    dst[q] = ((n0 + n) * O + (long)b * BLOCK) * hw + r;  // y[n0 + n, b·16, oy, ox]
                }
                forward_tiles[pt - 1](base, packed + b * wPerBlock, C, plane, Wp, out);
                for (int q = 0; q < pt; q++)
                    for (int l = 0; l < lanes; l++) y[dst[q] + l * hw] = out[q * BLOCK + l];
            }
        }
    }
#else
    (void)x; (void)batch; (void)channels; (void)height; (void)width; (void)packed; (void)outChannels; (void)y;
    (void)pad;
#endif
}

#ifdef CK_X86
/// The adjoint for few output channels: 8 output columns of a parity class in the lanes, 4 rows × 2 vectors per
/// register tile, one output channel at a time, over `count` bordered images; y is image n0's output. Rows past
/// the class's last repeat the last one, and columns past it read on into the next row (or the 16 floats of
/// slack after the group); neither is stored. Weights are broadcast from the lanes layout, and every output is
/// summed as `s2_tile` sums it.
__attribute__((target("avx2,fma"))) static void
adjoint_by_positions(const float *pad, int count, int C, long plane, long Wp, long image, const float *packed,
                     long perClass, int O, int H, int W, float *y) {
    const long HW = (long)H * W;
    for (int cls = 0; cls < 4; cls++) {
        const int py = cls >> 1, px = cls & 1, u0 = 1 - py, v0 = 1 - px;
        const int rows = py ? (H + 1) / 2 : H / 2, cols = px ? (W + 1) / 2 : W / 2;
        if (rows == 0 || cols == 0) continue;
        for (int o = 0; o < O; o++) {
            // packed[cls][o / 16][c][t][o % 16]
            const float *wo = packed + cls * perClass + (long)(o / BLOCK) * C * 4 * BLOCK + o % BLOCK;
            for (int n = 0; n < count; n++) {
                const float *xn = pad + n * image;
                float *yo = y + ((long)n * O + o) * HW;
                for (int r0 = 0; r0 < rows; r0 += 4) {
                    const int nr = rows - r0 < 4 ? rows - r0 : 4;
                    long rowOff[4];
                    for (int r = 0; r < 4; r++) rowOff[r] = (long)(u0 + r0 + (r < nr ? r : nr - 1)) * Wp;
                    for (int c0 = 0; c0 < cols; c0 += 16) {
                        const int nc = cols - c0 < 16 ? cols - c0 : 16;
                        __m256 acc[4][2];
                        for (int r = 0; r < 4; r++) { acc[r][0] = _mm256_setzero_ps(); acc[r][1] = _mm256_setzero_ps(); }
                        for (int c = 0; c < C; c++) {
                            const float *xc = xn + c * plane + v0 + c0;
                            const float *wc = wo + (long)c * 4 * BLOCK;
                            for (int t = 0; t < 4; t++) {
                                const __m256 wt = _mm256_broadcast_ss(wc + t * BLOCK);
                                const long tOff = (t >> 1) * Wp + (t & 1);
                                for (int r = 0; r < 4; r++) {
                                    const float *p = xc + rowOff[r] + tOff;
                                    acc[r][0] = _mm256_fmadd_ps(wt, _mm256_loadu_ps(p), acc[r][0]);
                                    acc[r][1] = _mm256_fmadd_ps(wt, _mm256_loadu_ps(p + 8), acc[r][1]);
                                }
                            }
                        }
                        for (int r = 0; r < nr; r++) {
                            float row[16];
                            _mm256_storeu_ps(row, acc[r][0]);
                            _mm256_storeu_ps(row + 8, acc[r][1]);
                            float *yrow = yo + (long)(2 * (u0 + r0 + r) - 1 + py) * W + 2 * (v0 + c0) - 1 + px;
                            for (int k = 0; k < nc; k++) yrow[2 * k] = row[k];
                        }
                    }
                }
            }
        }
    }
}
#endif

void ck_conv_s2_adjoint(const float *x, int batch, int channels, int height, int width, const float *packed,
                        int outChannels, int outHeight, int outWidth, float *y, float *pad) {
#ifdef CK_X86
    const int C = channels, h = height, w = width, O = outChannels, H = outHeight, W = outWidth;
    const long Wp = w + 2, plane = (long)(h + 2) * Wp, image = (long)C * plane, hw = (long)h * w, HW = (long)H * W;
    const int group = images_per_group(image, GROUP_FLOATS, batch), blocks = blocks_of(O);
    const long wPerBlock = (long)C * 4 * BLOCK, perClass = blocks * wPerBlock;
    float out[TILE * BLOCK];
    for (int n0 = 0; n0 < batch; n0 += group) {
        const int count = batch - n0 < group ? batch - n0 : group;
        border_group(x + (long)n0 * C * hw, count, C, h, w, pad);
        if (O < POSITION_LANES_BELOW) {
            adjoint_by_positions(pad, count, C, plane, Wp, image, packed, perClass, O, H, W, y + (long)n0 * O * HW);
            continue;
        }
        for (int cls = 0; cls < 4; cls++) {
            // Class (py, px): rows Y = 2u − 1 + py for u = u0, u0 + 1, … while Y < H (u0 = 1 − py), likewise X.
            const int py = cls >> 1, px = cls & 1, u0 = 1 - py, v0 = 1 - px;
            const int rows = py ? (H + 1) / 2 : H / 2, cols = px ? (W + 1) / 2 : W / 2;
            if (rows == 0 || cols == 0) continue;
            const long perImage = (long)rows * cols, positions = count * perImage;
            for (int b = 0; b < blocks; b++) {
                const int lanes = O - b * BLOCK < BLOCK ? O - b * BLOCK : BLOCK;
                for (long t0 = 0; t0 < positions; t0 += TILE) {
                    const int pt = positions - t0 < TILE ? (int)(positions - t0) : TILE;
                    const float *base[TILE];
                    long dst[TILE];
                    for (int q = 0; q < pt; q++) {
                        const long t = t0 + q, n = t / perImage, r = t % perImage;
                        const long u = u0 + r / cols, v = v0 + r % cols;
                        base[q] = pad + n * image + u * Wp + v;
                        dst[q] = ((n0 + n) * O + (long)b * BLOCK) * HW + (2 * u - 1 + py) * W + (2 * v - 1 + px);
                    }
                    adjoint_tiles[pt - 1](base, packed + cls * perClass + b * wPerBlock, C, plane, Wp, out);
                    for (int q = 0; q < pt; q++)
                        for (int l = 0; l < lanes; l++) y[dst[q] + l * HW] = out[q * BLOCK + l];
                }
            }
        }
    }
#else
    (void)x; (void)batch; (void)channels; (void)height; (void)width; (void)packed; (void)outChannels;
    (void)outHeight; (void)outWidth; (void)y; (void)pad;
#endif
}

// MARK: Weight gradient

static long wgrad_floats_per_image(int C, int H, int W, int O) {
    return bordered_image(C, H, W) + (long)out_side(H) * out_side(W) * blocks_of(O) * BLOCK;
}

long ck_conv_s2_weight_grad_count(int channels, int height, int width, int outChannels, int maxBatch) {
    const long perImage = wgrad_floats_per_image(channels, height, width, outChannels);
    return images_per_group(perImage, WGRAD_GROUP_FLOATS, maxBatch > 0 ? maxBatch : 1) * perImage;
}

#ifdef CK_X86
/// 16 output channels × PT (channel, tap) pairs, whose bordered-input offsets are off[0..PT), over `count` images
/// of h × w outputs: out[q·16 + l] = Σ_{n,oy,ox} dyT[(n·h + oy)·w + ox][l] · pad[n·image + 2·oy·Wp + 2·ox + off[q]].
__attribute__((target("avx2,fma"), always_inline)) static inline void
s2_wgrad_tile(const float *pad, const float *dyT, long Ostride, const long *off, int count, int h, int w, long image,
              long Wp, float *out, const int PT) {
    __m256 a0[TILE], a1[TILE];
    for (int q = 0; q < PT; q++) { a0[q] = _mm256_setzero_ps(); a1[q] = _mm256_setzero_ps(); }
    for (int n = 0; n < count; n++)
        for (int oy = 0; oy < h; oy++) {
            const float *xrow = pad + n * image + 2 * oy * Wp;
            const float *grow = dyT + ((long)n * h + oy) * w * Ostride;
            for (int ox = 0; ox < w; ox++) {
                const __m256 g0 = _mm256_loadu_ps(grow + ox * Ostride), g1 = _mm256_loadu_ps(grow + ox * Ostride + 8);
                for (int q = 0; q < PT; q++) {
                    const __m256 xb = _mm256_broadcast_ss(xrow + 2 * ox + off[q]);
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

typedef void (*s2_wgrad_tile_fn)(const float *, const float *, long, const long *, int, int, int, long, long, float *);

#define CK_S2_WGRAD_TILE(PT)                                                                                    \
    __attribute__((target("avx2,fma"))) static void s2_wgrad_tile_p##PT(const float *pad, const float *dyT,     \
        long Ostride, const long *off, int count, int h, int w, long image, long Wp, float *out) {              \
        s2_wgrad_tile(pad, dyT, Ostride, off, count, h, w, image, Wp, out, PT);                                 \
    }
CK_S2_WGRAD_TILE(1)
CK_S2_WGRAD_TILE(2)
CK_S2_WGRAD_TILE(3)
CK_S2_WGRAD_TILE(4)
CK_S2_WGRAD_TILE(5)
CK_S2_WGRAD_TILE(6)
static const s2_wgrad_tile_fn wgrad_tiles[TILE] = {s2_wgrad_tile_p1, s2_wgrad_tile_p2, s2_wgrad_tile_p3,
                                                   s2_wgrad_tile_p4, s2_wgrad_tile_p5, s2_wgrad_tile_p6};
#endif

void ck_conv_s2_weight_grad(const float *x, int batch, int channels, int height, int width, const float *dy,
                            int outChannels, float *dw, float *scratch) {
#ifdef CK_X86
    const int C = channels, H = height, W = width, O = outChannels, h = out_side(H), w = out_side(W);
    const long Wp = W + 2, plane = (long)(H + 2) * Wp, image = (long)C * plane, HW = (long)H * W, hw = (long)h * w;
    const int blocks = blocks_of(O);
    const long Ostride = (long)blocks * BLOCK, pairs = (long)C * TAPS;
    const int group = images_per_group(wgrad_floats_per_image(C, H, W, O), WGRAD_GROUP_FLOATS, batch);
    float *pad = scratch, *dyT = scratch + group * image;
    float out[TILE * BLOCK];
    for (int n0 = 0; n0 < batch; n0 += group) {
        const int count = batch - n0 < group ? batch - n0 : group;
        border_group(x + (long)n0 * C * HW, count, C, H, W, pad);
        // dy [count, O, hw] → dyT [count·hw, Ostride], zero past O
        if (Ostride != O) memset(dyT, 0, sizeof(float) * (size_t)(count * hw * Ostride));
        for (int n = 0; n < count; n++)
            for (int o = 0; o < O; o++) {
                const float *src = dy + ((long)(n0 + n) * O + o) * hw;
                float *dst = dyT + (long)n * hw * Ostride + o;
                for (long r = 0; r < hw; r++) dst[r * Ostride] = src[r];
            }
        for (int b = 0; b < blocks; b++) {
            const int lanes = O - b * BLOCK < BLOCK ? O - b * BLOCK : BLOCK;
            for (long m0 = 0; m0 < pairs; m0 += TILE) {
                const int pt = pairs - m0 < TILE ? (int)(pairs - m0) : TILE;
                long off[TILE];
                for (int q = 0; q < pt; q++) {
                    const long m = m0 + q, c = m / TAPS, t = m % TAPS;
                    off[q] = c * plane + (t / 4) * Wp + t % 4;
                }
                wgrad_tiles[pt - 1](pad, dyT + b * BLOCK, Ostride, off, count, h, w, image, Wp, out);
                // dw[o, c, i, j] with (c, i, j) = pair m: o·C·16 + m
                for (int q = 0; q < pt; q++)
                    for (int l = 0; l < lanes; l++) dw[((long)b * BLOCK + l) * pairs + m0 + q] += out[q * BLOCK + l];
            }
        }
    }
#else
    (void)x; (void)batch; (void)channels; (void)height; (void)width; (void)dy; (void)outChannels; (void)dw;
    (void)scratch;
#endif
}
