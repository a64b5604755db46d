// Winograd F(4×4, 5×5) "same" convolution (stride 1, padding 2) with AVX2 + FMA, channels in the lanes.
//
// Why: the paper model's four 5×5 16→16 layers on 28×28 maps are most of its training step, and the direct
// kernel (`ConvSame.c`) already runs them near what its 25 multiply-adds per output allow. Winograd's minimal
// filtering (Lavin & Gray 2015, "Fast Algorithms for Convolutional Neural Networks") computes a 4×4 output
// tile from an 8×8 input tile with 64 multiplies per (input, output) channel pair instead of 16 · 25 = 400:
//   Y = Aᵀ [ (G w Gᵀ) ⊙ (Bᵀ d B) ] A,
// with the interpolation points 0, ±1, ±2, ±1/2 and ∞ (the matrices wincnn prints for them, up to the sign of
// the first row of G and Bᵀ). A 28×28 map with padding 2 is exactly 7×7 tiles; other sizes are tiled up to a
// multiple of 4 with zeros and the extra outputs dropped.
//
// Layout, per image: the input is copied once, channels last, into a zero-bordered [Hp][Wp][C] buffer, so the
// input transform of 8 channels is vertical vector arithmetic; it writes V[pos][tile][c] (pos = the 64 points
// of the transformed tile). The products are then 64 small GEMMs over channels,
//   M[pos][tile][o] = Σ_c V[pos][tile][c] · U[pos][c][o],
// with a register tile of 6 tiles × 16 output channels (12 accumulators, two weight vectors, one broadcast of
// V), each streaming contiguous memory. The output transform writes a channels-last [4·th][4·tw][O] staging
// map, transposed back to [O][H][W] at the end. Every sum runs in a fixed order: results repeat bit for bit.
#include "CKernels.h"
#include "cpu_features.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_X86 1
#endif

enum { WG_OUT = 4, WG_IN = 8, WG_K = 5, WG_POS = 64, WG_TILES_PER_BLOCK = 6 };

static int tiles_along(int n) { return (n + WG_OUT - 1) / WG_OUT; }

/// Output channels as the kernels hold them: a whole number of 8-float vectors (the extra lanes compute zeros).
static int padded_outputs(int O) { return (O + 7) / 8 * 8; }

/// Sizes of one image's scratch areas, in floats.
typedef struct {
    int th, tw, T;   // tiles down, across, in all
    long Hp, Wp;     // padded channels-last input rows, columns
    long padded, transformed, products, staged;
} wg_sizes;

static wg_sizes sizes_for(int C, int O, int H, int W) {
    wg_sizes s;
    s.th = tiles_along(H); s.tw = tiles_along(W); s.T = s.th * s.tw;
    s.Hp = (long)WG_OUT * s.th + WG_IN - WG_OUT; s.Wp = (long)WG_OUT * s.tw + WG_IN - WG_OUT;
    s.padded = s.Hp * s.Wp * C;
    s.transformed = (long)WG_POS * s.T * C;
    s.products = (long)WG_POS * s.T * padded_outputs(O);
    s.staged = (long)WG_OUT * s.th * WG_OUT * s.tw * padded_outputs(O);
    return s;
}

int ck_winograd5_supported(int channels, int outChannels) {
#ifdef CK_X86
    return ck_cpu_has(CK_AVX2 | CK_FMA) && channels >= 8 && channels % 8 == 0 && outChannels >= 1;
#else
    (void)channels; (void)outChannels;
    return 0;
#endif
}

long ck_winograd5_weight_count(int channels, int outChannels) {
    return (long)WG_POS * channels * padded_outputs(outChannels);
}

/// Bytes of the receptive-field masks (see `zero_fields`): per padded pixel, per padded row and output column,
/// per output pixel.
static long mask_bytes(const wg_sizes *s, int H, int W) { return s->Hp * s->Wp + s->Hp * W + (long)H * W; }

long ck_winograd5_scratch_count(int channels, int height, int width, int outChannels) {
    wg_sizes s = sizes_for(channels, outChannels, height, width);
    // The staging map may reuse the transformed input's room once the products are made.
    long last = s.staged > s.transformed ? s.staged : s.transformed;
    return s.padded + last + s.products + (mask_bytes(&s, height, width) + 3) / 4;
}

#ifdef CK_X86
#define WG_TARGET __attribute__((target("avx2,fma")))
#define WG_INLINE __attribute__((target("avx2,fma"), always_inline)) static inline

/// out = Bᵀ d for 8 vectors (rows of Bᵀ: see the file's head; exact in binary, multiples of 1/4).
WG_INLINE void input_rows(const __m256 d[8], __m256 out[8]) {
    const __m256 c525 = _mm256_set1_ps(5.25f), c425 = _mm256_set1_ps(4.25f), c25 = _mm256_set1_ps(2.5f),
                 c125 = _mm256_set1_ps(1.25f), c05 = _mm256_set1_ps(0.5f), c025 = _mm256_set1_ps(0.25f),
                 c2 = _mm256_set1_ps(2.0f), c4 = _mm256_set1_ps(4.0f), c5 = _mm256_set1_ps(5.0f);
    out[0] = _mm256_fmadd_ps(c525, _mm256_sub_ps(d[2], d[4]), _mm256_sub_ps(d[6], d[0]));
    out[7] = _mm256_fmadd_ps(c525, _mm256_sub_ps(d[3], d[5]), _mm256_sub_ps(d[7], d[1]));
    __m256 p = _mm256_fnmadd_ps(c425, d[3], _mm256_add_ps(d[1], d[5]));
    __m256 q = _mm256_fnmadd_ps(c425, d[4], _mm256_add_ps(d[2], d[6]));
    out[1] = _mm256_add_ps(q, p);
    out[2] = _mm256_sub_ps(q, p);
    p = _mm256_fmadd_ps(c2, d[5], _mm256_fnmadd_ps(c25, d[3], _mm256_mul_ps(c05, d[1])));
    q = _mm256_fnmadd_ps(c125, d[4], _mm256_fmadd_ps(c025, d[2], d[6]));
    out[3] = _mm256_add_ps(q, p);
    out[4] = _mm256_sub_ps(q, p);
    p = _mm256_fmadd_ps(c05, d[5], _mm256_fnmadd_ps(c25, d[3], _mm256_mul_ps(c2, d[1])));
    q = _mm256_fnmadd_ps(c5, d[4], _mm256_fmadd_ps(c4, d[2], d[6]));
    out[5] = _mm256_add_ps(q, p);
    out[6] = _mm256_sub_ps(q, p);
}

/// out = Aᵀ m for 8 vectors → 4 (rows of Aᵀ: powers 0…3 of the points, ∞ only in the last).
WG_INLINE void output_rows(const __m256 m[8], __m256 out[4]) {
    const __m256 c2 = _mm256_set1_ps(2.0f), c4 = _mm256_set1_ps(4.0f), c8 = _mm256_set1_ps(8.0f),
                 c05 = _mm256_set1_ps(0.5f), c025 = _mm256_set1_ps(0.25f), c0125 = _mm256_set1_ps(0.125f);
    const __m256 s1 = _mm256_add_ps(m[1], m[2]), d1 = _mm256_sub_ps(m[1], m[2]);
    const __m256 s2 = _mm256_add_ps(m[3], m[4]), d2 = _mm256_sub_ps(m[3], m[4]);
    const __m256 s3 = _mm256_add_ps(m[5], m[6]), d3 = _mm256_sub_ps(m[5], m[6]);
    out[0] = _mm256_add_ps(_mm256_add_ps(m[0], s1), _mm256_add_ps(s2, s3));
    out[1] = _mm256_fmadd_ps(c05, d3, _mm256_fmadd_ps(c2, d2, d1));
    out[2] = _mm256_fmadd_ps(c025, s3, _mm256_fmadd_ps(c4, s2, s1));
    out[3] = _mm256_add_ps(_mm256_fmadd_ps(c0125, d3, _mm256_fmadd_ps(c8, d2, d1)), m[7]);
}

/// rows r[0..7] (8 floats each) → their transpose, in place.
WG_INLINE void transpose8(__m256 r[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20); r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20); r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31); r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31); r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/// G [8][5] for the points 0, 1, −1, 2, −2, 1/2, −1/2, ∞: row j is (1, p, p², p³, p⁴) / Π_{l≠j}(p_j − p_l).
static const float G[WG_IN][WG_K] = {
    {-1, 0, 0, 0, 0},
    {-2.0f / 9, -2.0f / 9, -2.0f / 9, -2.0f / 9, -2.0f / 9},
    {-2.0f / 9, 2.0f / 9, -2.0f / 9, 2.0f / 9, -2.0f / 9},
    {1.0f / 90, 2.0f / 90, 4.0f / 90, 8.0f / 90, 16.0f / 90},
    {1.0f / 90, -2.0f / 90, 4.0f / 90, -8.0f / 90, 16.0f / 90},
    {64.0f / 90, 32.0f / 90, 16.0f / 90, 8.0f / 90, 4.0f / 90},
    {64.0f / 90, -32.0f / 90, 16.0f / 90, -8.0f / 90, 4.0f / 90},
    {0, 0, 0, 0, 1},
};

/// U[a·8 + b][c][o] = (G w[o, c] Gᵀ)[a][b] for 8 output channels at once (lanes past O get zero weights), with
/// the sums in a fixed order per lane: a channel's U does not depend on which lane or call it is computed in.
WG_TARGET static void transform_weights(const float *w, int O, int C, float *U) {
    const int Op = padded_outputs(O);
    for (int c = 0; c < C; c++)
        for (int o0 = 0; o0 < Op; o0 += 8) {
            float lanes[WG_K * WG_K][8];
            for (int t = 0; t < WG_K * WG_K; t++)
                for (int q = 0; q < 8; q++) lanes[t][q] = o0 + q < O ? w[((long)(o0 + q) * C + c) * WG_K * WG_K + t] : 0;
            __m256 gw[WG_IN][WG_K];  // (G w)[a][j]
            for (int a = 0; a < WG_IN; a++)
                for (int j = 0; j < WG_K; j++) {
                    __m256 sum = _mm256_mul_ps(_mm256_set1_ps(G[a][0]), _mm256_loadu_ps(lanes[j]));
                    for (int i = 1; i < WG_K; i++)
                        sum = _mm256_fmadd_ps(_mm256_set1_ps(G[a][i]), _mm256_loadu_ps(lanes[i * WG_K + j]), sum);
                    gw[a][j] = sum;
                }
            for (int a = 0; a < WG_IN; a++)
                for (int b = 0; b < WG_IN; b++) {
                    __m256 sum = _mm256_mul_ps(gw[a][0], _mm256_set1_ps(G[b][0]));
                    for (int j = 1; j < WG_K; j++) sum = _mm256_fmadd_ps(gw[a][j], _mm256_set1_ps(G[b][j]), sum);
                    _mm256_storeu_ps(U + ((long)(a * WG_IN + b) * C + c) * Op + o0, sum);
                }
        }
}

/// x [C][H][W] → pad [Hp][Wp][C], the map at rows and columns 2… and zeros around it.
WG_TARGET static void fill_channels_last(const float *x, int C, int H, int W, const wg_sizes *s, float *pad) {
    memset(pad, 0, sizeof(float) * (size_t)s->padded);
    const long HW = (long)H * W;
    for (int c0 = 0; c0 < C; c0 += 8)
        for (int r = 0; r < H; r++) {
            float *dst = pad + ((long)(r + 2) * s->Wp + 2) * C + c0;
            const float *src = x + (long)c0 * HW + (long)r * W;
            int col = 0;
            for (; col + 8 <= W; col += 8) {
                __m256 v[8];
                for (int q = 0; q < 8; q++) v[q] = _mm256_loadu_ps(src + q * HW + col);
                transpose8(v);
                for (int q = 0; q < 8; q++) _mm256_storeu_ps(dst + (long)(col + q) * C, v[q]);
            }
            for (; col < W; col++)
                for (int q = 0; q < 8; q++) dst[(long)col * C + q] = src[q * HW + col];
        }
}

/// V[pos][t][c] = (Bᵀ d B)[pos] for every tile t and channel c; d the tile's 8×8 window of pad.
WG_TARGET static void transform_input(const float *pad, int C, const wg_sizes *s, float *V) {
    const long tileStride = C, posStride = (long)s->T * C;
    for (int ty = 0; ty < s->th; ty++)
        for (int tx = 0; tx < s->tw; tx++) {
            const int t = ty * s->tw + tx;
            const float *window = pad + ((long)WG_OUT * ty * s->Wp + WG_OUT * tx) * C;
            for (int c0 = 0; c0 < C; c0 += 8) {
                __m256 rows[8][8];  // rows[a][col] = (Bᵀ d)[a][col]
                for (int col = 0; col < 8; col++) {
                    __m256 d[8], out[8];
                    for (int r = 0; r < 8; r++) d[r] = _mm256_loadu_ps(window + ((long)r * s->Wp + col) * C + c0);
                    input_rows(d, out);
                    for (int a = 0; a < 8; a++) rows[a][col] = out[a];
                }
                for (int a = 0; a < 8; a++) {
                    __m256 out[8];
                    input_rows(rows[a], out);  // ((Bᵀ d) B)[a][b] = Σ_col Bᵀ[b][col] · (Bᵀ d)[a][col]
                    float *dst = V + (long)(a * 8) * posStride + t * tileStride + c0;
                    for (int b = 0; b < 8; b++) _mm256_storeu_ps(dst + b * posStride, out[b]);
                }
            }
        }
}

/// Register tile: M[pos][t0 + i][o0 … o0 + 8·NV) for i < NT, summed over c.
WG_INLINE void gemm_block(const float *Vp, const float *Up, float *Mp, int C, int O, int t0, int o0, const int NT,
                          const int NV) {
    __m256 acc[WG_TILES_PER_BLOCK][2];
    for (int i = 0; i < NT; i++) { acc[i][0] = _mm256_setzero_ps(); acc[i][1] = _mm256_setzero_ps(); }
    const float *v = Vp + (long)t0 * C;
    for (int c = 0; c < C; c++) {
        const __m256 u0 = _mm256_loadu_ps(Up + (long)c * O + o0);
        const __m256 u1 = NV == 2 ? _mm256_loadu_ps(Up + (long)c * O + o0 + 8) : u0;
        for (int i = 0; i < NT; i++) {
            const __m256 b = _mm256_broadcast_ss(v + (long)i * C + c);
            acc[i][0] = _mm256_fmadd_ps(b, u0, acc[i][0]);
            if (NV == 2) acc[i][1] = _mm256_fmadd_ps(b, u1, acc[i][1]);
        }
    }
    for (int i = 0; i < NT; i++) {
        _mm256_storeu_ps(Mp + (long)(t0 + i) * O + o0, acc[i][0]);
        if (NV == 2) _mm256_storeu_ps(Mp + (long)(t0 + i) * O + o0 + 8, acc[i][1]);
    }
}

#define WG_GEMM_NV(NV)                                                                                         \
    WG_TARGET static void gemm_nv##NV(const float *Vp, const float *Up, float *Mp, int C, int O, int T, int o0) { \
        int t0 = 0;                                                                                            \
        for (; t0 + WG_TILES_PER_BLOCK <= T; t0 += WG_TILES_PER_BLOCK)                                         \
            gemm_block(Vp, Up, Mp, C, O, t0, o0, WG_TILES_PER_BLOCK, NV);                                      \
        switch (T - t0) {                                                                                      \
        case 5: gemm_block(Vp, Up, Mp, C, O, t0, o0, 5, NV); break;                                            \
        case 4: gemm_block(Vp, Up, Mp, C, O, t0, o0, 4, NV); break;                                            \
        case 3: gemm_block(Vp, Up, Mp, C, O, t0, o0, 3, NV); break;                                            \
        case 2: gemm_block(Vp, Up, Mp, C, O, t0, o0, 2, NV); break;                                            \
        case 1: gemm_block(Vp, Up, Mp, C, O, t0, o0, 1, NV); break;                                            \
        default: break;                                                                                        \
        }                                                                                                      \
    }
WG_GEMM_NV(1)
WG_GEMM_NV(2)

/// O here is the padded count (a multiple of 8).
WG_TARGET static void multiply(const float *V, const float *U, float *M, int C, int O, int T) {
    for (int pos = 0; pos < WG_POS; pos++) {
        const float *Vp = V + (long)pos * T * C, *Up = U + (long)pos * C * O;
        float *Mp = M + (long)pos * T * O;
        int o0 = 0;
        for (; o0 + 16 <= O; o0 += 16) gemm_nv2(Vp, Up, Mp, C, O, T, o0);
        if (o0 < O) gemm_nv1(Vp, Up, Mp, C, O, T, o0);
    }
}

/// staged [4·th][4·tw][O] ← Aᵀ M A of every tile (O padded to a multiple of 8).
WG_TARGET static void transform_output(const float *M, int O, const wg_sizes *s, float *staged) {
    const long posStride = (long)s->T * O, rowFloats = (long)WG_OUT * s->tw * O;
    for (int ty = 0; ty < s->th; ty++)
        for (int tx = 0; tx < s->tw; tx++) {
            const int t = ty * s->tw + tx;
            float *dst = staged + (long)WG_OUT * ty * rowFloats + (long)WG_OUT * tx * O;
            for (int o0 = 0; o0 < O; o0 += 8) {
                __m256 cols[4][8];  // cols[j][a] = (M A)[a][j]
                for (int a = 0; a < 8; a++) {
                    __m256 m[8], out[4];
                    const float *src = M + (long)(a * 8) * posStride + (long)t * O + o0;
                    for (int b = 0; b < 8; b++) m[b] = _mm256_loadu_ps(src + b * posStride);
                    output_rows(m, out);
                    for (int j = 0; j < 4; j++) cols[j][a] = out[j];
                }
                for (int j = 0; j < 4; j++) {
                    __m256 out[4];
                    output_rows(cols[j], out);  // Y[i][j] = Σ_a Aᵀ[i][a] · (M A)[a][j]
                    for (int i = 0; i < 4; i++) _mm256_storeu_ps(dst + i * rowFloats + (long)j * O + o0, out[i]);
                }
            }
        }
}

/// live[oy·W + ox] = 1 where the 5×5 window of output (oy, ox) holds a nonzero input in some channel, else 0.
///
/// Why: where every product is zero the direct sum is exactly 0, but Winograd mixes the whole 8×8 tile and
/// leaves a rounding residue of ~1e-7 of the tile's values. A ReLU after it then passes gradient where the
/// direct path and PyTorch pass none: MNIST's black background and the zeroed hole give many such outputs
/// in a model without biases, and `explain`'s input gradient on the bundled model moved by 2–10% (L2)
/// before these outputs were set to exact zeros.
WG_TARGET static void zero_fields(const float *pad, int C, int H, int W, const wg_sizes *s, unsigned char *masks) {
    unsigned char *pixel = masks, *rows = pixel + s->Hp * s->Wp, *live = rows + s->Hp * W;
    const __m256 zero = _mm256_setzero_ps();
    for (long q = 0; q < s->Hp * s->Wp; q++) {
        int any = 0;
        for (int c0 = 0; c0 < C; c0 += 8)
            any |= _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(pad + q * C + c0), zero, _CMP_NEQ_UQ));
        pixel[q] = any != 0;
    }
    for (long r = 0; r < s->Hp; r++)
        for (int x = 0; x < W; x++) {
            const unsigned char *p = pixel + r * s->Wp + x;
            rows[r * W + x] = p[0] | p[1] | p[2] | p[3] | p[4];
        }
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            const unsigned char *p = rows + (long)y * W + x;
            live[(long)y * W + x] = p[0] | p[W] | p[2 * W] | p[3 * W] | p[4 * W];
        }
}

/// staged [4·th][4·tw][Op] → y [O][H][W], the map's part and the first O channels only; outputs whose window
/// is all zeros (live 0) written as exact zeros.
WG_TARGET static void unstage(const float *staged, int O, int H, int W, const wg_sizes *s, const unsigned char *live,
                              float *y) {
    const int Op = padded_outputs(O);
    const long HW = (long)H * W, rowFloats = (long)WG_OUT * s->tw * Op;
    for (int o0 = 0; o0 < O; o0 += 8) {
        const int lanes = O - o0 < 8 ? O - o0 : 8;
        for (int r = 0; r < H; r++) {
            const float *src = staged + (long)r * rowFloats + o0;
            float *dst = y + (long)o0 * HW + (long)r * W;
            const unsigned char *l = live + (long)r * W;
            int col = 0;
            for (; col + 8 <= W; col += 8) {
                __m256 v[8];
                for (int q = 0; q < 8; q++) v[q] = _mm256_loadu_ps(src + (long)(col + q) * Op);
                transpose8(v);
                const __m256 keep = _mm256_castsi256_ps(_mm256_cmpgt_epi32(
                    _mm256_setr_epi32(l[col], l[col + 1], l[col + 2], l[col + 3], l[col + 4], l[col + 5], l[col + 6],
                                      l[col + 7]),
                    _mm256_setzero_si256()));
                for (int q = 0; q < lanes; q++) _mm256_storeu_ps(dst + q * HW + col, _mm256_and_ps(v[q], keep));
            }
            for (; col < W; col++)
                for (int q = 0; q < lanes; q++) dst[q * HW + col] = l[col] ? src[(long)col * Op + q] : 0.0f;
        }
    }
}

// MARK: Weight gradient, the adjoint of the above in U
//
// y = Aᵀ [Σ_c U[c] ⊙ V[c]] A is linear in U, so dU[pos][c][o] = Σ_tiles V[pos][t][c] · (A dY Aᵀ)[pos][t][o] with
// dY a 4×4 tile of dy (zeros past the map), and dw[o, c] = Gᵀ dU[o, c] G. The GEMM's register tile is 6 input
// channels × 16 output channels, summed over the tiles of every image of the batch.

/// out = A m for 4 vectors → 8 (A = (Aᵀ)ᵀ: row a is (1, p, p², p³) at the point p, (0, 0, 0, 1) at ∞).
WG_INLINE void adjoint_output_rows(const __m256 m[4], __m256 out[8]) {
    const __m256 c2 = _mm256_set1_ps(2.0f), c4 = _mm256_set1_ps(4.0f), c8 = _mm256_set1_ps(8.0f),
                 c05 = _mm256_set1_ps(0.5f), c025 = _mm256_set1_ps(0.25f), c0125 = _mm256_set1_ps(0.125f);
    const __m256 e1 = _mm256_add_ps(m[0], m[2]), o1 = _mm256_add_ps(m[1], m[3]);
    const __m256 e2 = _mm256_fmadd_ps(c4, m[2], m[0]), o2 = _mm256_fmadd_ps(c8, m[3], _mm256_mul_ps(c2, m[1]));
    const __m256 e3 = _mm256_fmadd_ps(c025, m[2], m[0]), o3 = _mm256_fmadd_ps(c0125, m[3], _mm256_mul_ps(c05, m[1]));
    out[0] = m[0];
    out[1] = _mm256_add_ps(e1, o1); out[2] = _mm256_sub_ps(e1, o1);
    out[3] = _mm256_add_ps(e2, o2); out[4] = _mm256_sub_ps(e2, o2);
    out[5] = _mm256_add_ps(e3, o3); out[6] = _mm256_sub_ps(e3, o3);
    out[7] = m[3];
}

/// dy [O][H][W] → staged [4·th][4·tw][Op] channels last, zeros past the map and in lanes ≥ O.
WG_TARGET static void stage_channels_last(const float *dy, int O, int H, int W, const wg_sizes *s, float *staged) {
    const int Op = padded_outputs(O);
    const long HW = (long)H * W, rowFloats = (long)WG_OUT * s->tw * Op;
    memset(staged, 0, sizeof(float) * (size_t)s->staged);
    for (int o0 = 0; o0 < O; o0 += 8) {
        const int lanes = O - o0 < 8 ? O - o0 : 8;
        for (int r = 0; r < H; r++) {
            float *dst = staged + (long)r * rowFloats + o0;
            const float *src = dy + (long)o0 * HW + (long)r * W;
            int col = 0;
            if (lanes == 8)
                for (; col + 8 <= W; col += 8) {
                    __m256 v[8];
                    for (int q = 0; q < 8; q++) v[q] = _mm256_loadu_ps(src + q * HW + col);
                    transpose8(v);
                    for (int q = 0; q < 8; q++) _mm256_storeu_ps(dst + (long)(col + q) * Op, v[q]);
                }
            for (; col < W; col++)
                for (int q = 0; q < lanes; q++) dst[(long)col * Op + q] = src[q * HW + col];
        }
    }
}

/// dM[pos][t][o] = (A dY Aᵀ)[pos] for every tile t (Op output channels).
WG_TARGET static void transform_output_gradient(const float *staged, int Op, const wg_sizes *s, float *dM) {
    const long posStride = (long)s->T * Op, rowFloats = (long)WG_OUT * s->tw * Op;
    for (int ty = 0; ty < s->th; ty++)
        for (int tx = 0; tx < s->tw; tx++) {
            const int t = ty * s->tw + tx;
            const float *src = staged + (long)WG_OUT * ty * rowFloats + (long)WG_OUT * tx * Op;
            for (int o0 = 0; o0 < Op; o0 += 8) {
                __m256 rows[8][4];  // rows[a][j] = (A dY)[a][j]
                for (int j = 0; j < 4; j++) {
                    __m256 d[4], out[8];
                    for (int i = 0; i < 4; i++) d[i] = _mm256_loadu_ps(src + i * rowFloats + (long)j * Op + o0);
                    adjoint_output_rows(d, out);
                    for (int a = 0; a < 8; a++) rows[a][j] = out[a];
                }
                for (int a = 0; a < 8; a++) {
                    __m256 out[8];
                    adjoint_output_rows(rows[a], out);  // (A dY Aᵀ)[a][b] = Σ_j (A dY)[a][j] · A[b][j]
                    float *dst = dM + (long)(a * 8) * posStride + (long)t * Op + o0;
                    for (int b = 0; b < 8; b++) _mm256_storeu_ps(dst + b * posStride, out[b]);
                }
            }
        }
}

/// dU[pos][c0 + i][o0 … o0 + 8·NV) += Σ_t V[pos][t][c0 + i] · dM[pos][t][…] for i < NC.
WG_INLINE void weight_grad_block(const float *Vp, const float *dMp, float *dUp, int C, int Op, int T, int c0, int o0,
                                 const int NC, const int NV) {
    __m256 acc[WG_TILES_PER_BLOCK][2];
    // One image's tiles summed from zero, then added: shorter sums than running on from dU (measured at 32
    // images of 16→16 28×28: max error 3.4e-5 of the gradient's magnitude that way, 4.8e-6 this way).
    for (int i = 0; i < NC; i++) { acc[i][0] = _mm256_setzero_ps(); acc[i][1] = _mm256_setzero_ps(); }
    for (int t = 0; t < T; t++) {
        const __m256 g0 = _mm256_loadu_ps(dMp + (long)t * Op + o0);
        const __m256 g1 = NV == 2 ? _mm256_loadu_ps(dMp + (long)t * Op + o0 + 8) : g0;
        const float *v = Vp + (long)t * C + c0;
        for (int i = 0; i < NC; i++) {
            const __m256 b = _mm256_broadcast_ss(v + i);
            acc[i][0] = _mm256_fmadd_ps(b, g0, acc[i][0]);
            if (NV == 2) acc[i][1] = _mm256_fmadd_ps(b, g1, acc[i][1]);
        }
    }
    for (int i = 0; i < NC; i++) {
        float *u = dUp + (long)(c0 + i) * Op + o0;
        _mm256_storeu_ps(u, _mm256_add_ps(_mm256_loadu_ps(u), acc[i][0]));
        if (NV == 2) _mm256_storeu_ps(u + 8, _mm256_add_ps(_mm256_loadu_ps(u + 8), acc[i][1]));
    }
}

#define WG_WGRAD_NV(NV)                                                                                        \
    WG_TARGET static void weight_grad_nv##NV(const float *Vp, const float *dMp, float *dUp, int C, int Op, int T, \
                                             int o0) {                                                          \
        int c0 = 0;                                                                                            \
        for (; c0 + WG_TILES_PER_BLOCK <= C; c0 += WG_TILES_PER_BLOCK)                                         \
            weight_grad_block(Vp, dMp, dUp, C, Op, T, c0, o0, WG_TILES_PER_BLOCK, NV);                         \
        switch (C - c0) {                                                                                      \
        case 5: weight_grad_block(Vp, dMp, dUp, C, Op, T, c0, o0, 5, NV); break;                               \
        case 4: weight_grad_block(Vp, dMp, dUp, C, Op, T, c0, o0, 4, NV); break;                               \
        case 3: weight_grad_block(Vp, dMp, dUp, C, Op, T, c0, o0, 3, NV); break;                               \
        case 2: weight_grad_block(Vp, dMp, dUp, C, Op, T, c0, o0, 2, NV); break;                               \
        case 1: weight_grad_block(Vp, dMp, dUp, C, Op, T, c0, o0, 1, NV); break;                               \
        default: break;                                                                                        \
        }                                                                                                      \
    }
WG_WGRAD_NV(1)
WG_WGRAD_NV(2)

/// dw[o, c] += Gᵀ dU[o, c] G for o < O, 8 output channels at once.
WG_TARGET static void weight_grad_untransform(const float *dU, int O, int C, float *dw) {
    const int Op = padded_outputs(O);
    for (int c = 0; c < C; c++)
        for (int o0 = 0; o0 < Op; o0 += 8) {
            __m256 t1[WG_K][WG_IN];  // (Gᵀ dU)[i][b]
            for (int i = 0; i < WG_K; i++)
                for (int b = 0; b < WG_IN; b++) {
                    __m256 sum = _mm256_setzero_ps();
                    for (int a = 0; a < WG_IN; a++)
                        if (G[a][i] != 0)
                            sum = _mm256_fmadd_ps(_mm256_set1_ps(G[a][i]),
                                                  _mm256_loadu_ps(dU + ((long)(a * WG_IN + b) * C + c) * Op + o0), sum);
                    t1[i][b] = sum;
                }
            float lanes[WG_K * WG_K][8];
            for (int i = 0; i < WG_K; i++)
                for (int j = 0; j < WG_K; j++) {
                    __m256 sum = _mm256_setzero_ps();
                    for (int b = 0; b < WG_IN; b++)
                        if (G[b][j] != 0) sum = _mm256_fmadd_ps(t1[i][b], _mm256_set1_ps(G[b][j]), sum);
                    _mm256_storeu_ps(lanes[i * WG_K + j], sum);
                }
            for (int q = 0; q < 8 && o0 + q < O; q++) {
                float *k = dw + ((long)(o0 + q) * C + c) * WG_K * WG_K;
                for (int t = 0; t < WG_K * WG_K; t++) k[t] += lanes[t][q];
            }
        }
}
#endif

long ck_winograd5_weight_grad_scratch_count(int channels, int height, int width, int outChannels) {
    wg_sizes s = sizes_for(channels, outChannels, height, width);
    return s.padded + s.transformed + s.staged + s.products + ck_winograd5_weight_count(channels, outChannels);
}

void ck_winograd5_weight_grad(const float *x, int batch, int C, int H, int W, const float *dy, int O, float *dw,
                              float *scratch) {
#ifdef CK_X86
    const wg_sizes s = sizes_for(C, O, H, W);
    const int Op = padded_outputs(O);
    float *pad = scratch, *V = pad + s.padded, *staged = V + s.transformed, *dM = staged + s.staged, *dU = dM + s.products;
    memset(dU, 0, sizeof(float) * (size_t)ck_winograd5_weight_count(C, O));
    for (int n = 0; n < batch; n++) {
        fill_channels_last(x + (long)n * C * H * W, C, H, W, &s, pad);
        transform_input(pad, C, &s, V);
        stage_channels_last(dy + (long)n * O * H * W, O, H, W, &s, staged);
        transform_output_gradient(staged, Op, &s, dM);
        for (int pos = 0; pos < WG_POS; pos++) {
            const float *Vp = V + (long)pos * s.T * C, *dMp = dM + (long)pos * s.T * Op;
            float *dUp = dU + (long)pos * C * Op;
            int o0 = 0;
            for (; o0 + 16 <= Op; o0 += 16) weight_grad_nv2(Vp, dMp, dUp, C, Op, s.T, o0);
            if (o0 < Op) weight_grad_nv1(Vp, dMp, dUp, C, Op, s.T, o0);
        }
    }
    weight_grad_untransform(dU, O, C, dw);
#else
    (void)x; (void)batch; (void)C; (void)H; (void)W; (void)dy; (void)O; (void)dw; (void)scratch;
#endif
}

void ck_winograd5_transform_weights(const float *w, int outChannels, int channels, float *U) {
#ifdef CK_X86
    transform_weights(w, outChannels, channels, U);
#else
    (void)w; (void)outChannels; (void)channels; (void)U;
#endif
}

void ck_winograd5_conv(const float *x, int batch, int C, int H, int W, const float *U, int O, float *y,
                       float *scratch) {
#ifdef CK_X86
    const wg_sizes s = sizes_for(C, O, H, W);
    float *pad = scratch, *V = pad + s.padded, *staged = V, *M = V + (s.staged > s.transformed ? s.staged : s.transformed);
    unsigned char *masks = (unsigned char *)(M + s.products), *live = masks + s.Hp * s.Wp + s.Hp * W;
    for (int n = 0; n < batch; n++) {
        fill_channels_last(x + (long)n * C * H * W, C, H, W, &s, pad);
        zero_fields(pad, C, H, W, &s, masks);
        transform_input(pad, C, &s, V);
        multiply(V, U, M, C, padded_outputs(O), s.T);
        transform_output(M, padded_outputs(O), &s, staged);
        unstage(staged, O, H, W, &s, live, y + (long)n * O * H * W);
    }
#else
    (void)x; (void)batch; (void)C; (void)H; (void)W; (void)U; (void)O; (void)y; (void)scratch;
#endif
}
