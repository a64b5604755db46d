// im2col and col2im for the convolutions' BLAS path (NeuralCore's Im2Col.swift keeps the plain-Swift
// twins that the tests compare against).
//
// Why C: on the strided model's 7×7 and 14×14 maps a row of the column matrix is 7 or 14 floats, which
// the Swift loops copied through one memmove call per row (stride 1) or one checked element at a time
// (stride 2), with range checks on every index. Together with the zeroing of col2im's image they were ~25%
// of a strided training step (perf, `inpaint bench --layers --arch strided --threads 1`). Here the stride
// is a compile-time constant in the common cases, and a stride-1 "same"-width tap is one block copy.
// Portable C (no AVX2 needed): the loops are short and memory-bound.
#include "CKernels.h"
#include <string.h>

/// Output positions o in [0, outCount) whose input coordinate o·s − p + offset lies in [0, inCount):
/// [*low, *high) (empty when low ≥ high).
static inline void valid_range(int offset, int inCount, int outCount, int s, int p, int *low, int *high) {
    int lowNumerator = p - offset;
    int lo = lowNumerator <= 0 ? 0 : (lowNumerator + s - 1) / s;
    int highNumerator = inCount - 1 + p - offset;
    int hi = highNumerator < 0 ? 0 : highNumerator / s + 1;
    if (hi > outCount) hi = outCount;
    *low = lo;
    *high = hi > lo ? hi : lo;
}

/// Zeroes the entries of rows [y0, y1) of one column-matrix row whose ox lies outside [x0, x1), and the
/// rows before y0 and from y1 on.
/// (The memset calls are skipped when empty, as they mostly are: a call per tap and row showed in perf.)
static inline void zero_outside(float *dst, int outH, int outW, int y0, int y1, int x0, int x1) {
    if (y0 > 0) memset(dst, 0, sizeof(float) * (size_t)(y0 * outW));
    if (x0 > 0 || x1 < outW) {
        for (int oy = y0; oy < y1; oy++) {
            float *d = dst + oy * outW;
            for (int ox = 0; ox < x0; ox++) d[ox] = 0;
            for (int ox = x1; ox < outW; ox++) d[ox] = 0;
        }
    }
    if (y1 < outH) memset(dst + y1 * outW, 0, sizeof(float) * (size_t)((outH - y1) * outW));
}

__attribute__((always_inline)) static inline void
im2col_body(const float *image, int C, int H, int W, int kh, int kw, const int s, int p, float *columns, long ld) {
    const int outH = (H + 2 * p - kh) / s + 1, outW = (W + 2 * p - kw) / s + 1;
    long row = 0;
    for (int c = 0; c < C; c++) {
        const float *plane = image + (long)c * H * W;
        for (int i = 0; i < kh; i++) {
            int y0, rowsEnd;
            valid_range(i, H, outH, s, p, &y0, &rowsEnd);
            for (int j = 0; j < kw; j++, row++) {
                int x0, x1;
                valid_range(j, W, outW, s, p, &x0, &x1);
                float *dst = columns + row * ld;
                const int y1 = x0 < x1 ? rowsEnd : y0;  // no rows when no column of this tap lies in the image
                if (s == 1 && outW == W && y0 < y1) {
                    // Same width: the tap's rows are the plane shifted by (i − p)·W + j − p, so one copy covers
                    // them all; the entries it wraps across a row's edge lie outside [x0, x1) and are zeroed after.
                    const long first = (long)y0 * W + x0, last = (long)(y1 - 1) * W + x1;
                    memcpy(dst + first, plane + first + (long)(i - p) * W + j - p, sizeof(float) * (size_t)(last - first));
                    zero_outside(dst, outH, outW, y0, y1, x0, x1);
                    continue;
                }
                for (int oy = y0; oy < y1; oy++) {
                    float *d = dst + oy * outW;
                    const float *src = plane + (long)(oy * s - p + i) * W - p + j;
                    for (int ox = x0; ox < x1; ox++) d[ox] = src[ox * s];
                }
                zero_outside(dst, outH, outW, y0, y1, x0, x1);
            }
        }
    }
}

enum { MAX_PHASE_FLOATS = 4096 };

/// Stride 2 with even H and W and outH = H/2, outW = W/2 (the strided model's 4×4 s2 p1 layers): each plane is
/// first split into its four (row, column) parity phases, each [H/2, W/2]. A tap then reads one phase shifted by
/// whole rows and columns, which is outW wide like the columns, so the tap is one block copy as for stride 1;
/// the gathers with stride 2 become one pass over the plane.
static void im2col_stride2_phases(const float *image, int C, int H, int W, int kh, int kw, int p, float *columns,
                                  long ld) {
    const int Hp = H / 2, Wp = W / 2, outH = Hp, outW = Wp;
    const long phaseSize = (long)Hp * Wp;
    float phases[MAX_PHASE_FLOATS];  // [row parity][column parity][Hp][Wp]
    long row = 0;
    for (int c = 0; c < C; c++) {
        const float *plane = image + (long)c * H * W;
        for (int y = 0; y < H; y++) {
            const float *r = plane + (long)y * W;
            float *even = phases + (y & 1) * 2 * phaseSize + (long)(y >> 1) * Wp, *odd = even + phaseSize;
            for (int m = 0; m < Wp; m++) { even[m] = r[2 * m]; odd[m] = r[2 * m + 1]; }
        }
        for (int i = 0; i < kh; i++) {
            int y0, rowsEnd;
            valid_range(i, H, outH, 2, p, &y0, &rowsEnd);
            // image row 2·oy − p + i = 2·(oy + dy) + py
            const int py = ((i - p) % 2 + 2) % 2, dy = (i - p - py) / 2;
            for (int j = 0; j < kw; j++, row++) {
                int x0, x1;
                valid_range(j, W, outW, 2, p, &x0, &x1);
                const int px = ((j - p) % 2 + 2) % 2, dx = (j - p - px) / 2;
                float *dst = columns + row * ld;
                const int y1 = x0 < x1 ? rowsEnd : y0;
                if (y0 < y1) {
                    const float *phase = phases + (py * 2 + px) * phaseSize;
                    const long first = (long)y0 * Wp + x0, last = (long)(y1 - 1) * Wp + x1;
                    memcpy(dst + first, phase + first + (long)dy * Wp + dx, sizeof(float) * (size_t)(last - first));
                }
                zero_outside(dst, outH, outW, y0, y1, x0, x1);
            }
        }
    }
}

void ck_im2col(const float *image, int channels, int height, int width, int kernelH, int kernelW, int stride,
               int padding, float *columns, long rowStride) {
    if (stride == 1) im2col_body(image, channels, height, width, kernelH, kernelW, 1, padding, columns, rowStride);
    else if (stride == 2 && height % 2 == 0 && width % 2 == 0 && (long)height * width <= MAX_PHASE_FLOATS
             && (height + 2 * padding - kernelH) / 2 + 1 == height / 2 && (width + 2 * padding - kernelW) / 2 + 1 == width / 2)
        im2col_stride2_phases(image, channels, height, width, kernelH, kernelW, padding, columns, rowStride);
    else if (stride == 2) im2col_body(image, channels, height, width, kernelH, kernelW, 2, padding, columns, rowStride);
    else im2col_body(image, channels, height, width, kernelH, kernelW, stride, padding, columns, rowStride);
}

__attribute__((always_inline)) static inline void
col2im_body(const float *columns, long ld, int C, int H, int W, int kh, int kw, const int s, int p, float *image,
            int accumulate) {
    const int outH = (H + 2 * p - kh) / s + 1, outW = (W + 2 * p - kw) / s + 1;
    if (!accumulate) memset(image, 0, sizeof(float) * (size_t)C * H * W);
    // Row by row of the column matrix, as it is laid out: its rows are far apart (a chunk's width), the
    // image plane they add into is small enough to stay in L1.
    long row = 0;
    for (int c = 0; c < C; c++) {
        float *plane = image + (long)c * H * W;
        for (int i = 0; i < kh; i++) {
            int y0, y1;
            valid_range(i, H, outH, s, p, &y0, &y1);
            for (int j = 0; j < kw; j++, row++) {
                int x0, x1;
                valid_range(j, W, outW, s, p, &x0, &x1);
                const float *src = columns + row * ld;
                for (int oy = y0; oy < y1; oy++) {
                    float *out = plane + (long)(oy * s - p + i) * W - p + j;
                    const float *r = src + oy * outW;
                    for (int ox = x0; ox < x1; ox++) out[ox * s] += r[ox];
                }
            }
        }
    }
}

void ck_col2im(const float *columns, long rowStride, int channels, int height, int width, int kernelH, int kernelW,
               int stride, int padding, float *image, int accumulate) {
    if (stride == 1)
        col2im_body(columns, rowStride, channels, height, width, kernelH, kernelW, 1, padding, image, accumulate);
    else if (stride == 2)
        col2im_body(columns, rowStride, channels, height, width, kernelH, kernelW, 2, padding, image, accumulate);
    else
        col2im_body(columns, rowStride, channels, height, width, kernelH, kernelW, stride, padding, image, accumulate);
}
