#ifndef INPAINT_CKERNELS_H
#define INPAINT_CKERNELS_H
// Hand-written kernels that Swift cannot express at full speed (Swift builds for baseline x86-64, so its
// SIMD types never reach AVX2/FMA). Each kernel has a run-time CPU check; callers keep their BLAS path as
// the portable fallback when it says no.

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// image [C, H, W] → columns [C·kh·kw, outH·outW] (rows `rowStride` floats apart, ≥ outH·outW), with
/// outH = (H + 2p − kh) / s + 1 and likewise outW:
///   columns[(c·kh + i)·kw + j, oy·outW + ox] = image[c, oy·s − p + i, ox·s − p + j], 0 where that is padding.
/// Only the first outH·outW floats of each row are written. Portable (no CPU check).
void ck_im2col(const float *image, int channels, int height, int width, int kernelH, int kernelW, int stride,
               int padding, float *columns, long rowStride);

/// The adjoint of `ck_im2col`: every column entry is summed into the image pixel it was read from,
///   image[c, y, x] (+)= Σ columns[(c·kh + i)·kw + j, oy·outW + ox] over oy·s − p + i = y, ox·s − p + j = x;
/// accumulate 0 overwrites the image, 1 adds to it. Portable (no CPU check).
void ck_col2im(const float *columns, long rowStride, int channels, int height, int width, int kernelH, int kernelW,
               int stride, int padding, float *image, int accumulate);

/// 1 when `ck_conv2d_same` may be called for images `width` wide with a k×k kernel on this CPU
/// (x86-64 with AVX2 and FMA, width ≤ 32, k odd and ≤ 9).
int ck_conv2d_same_supported(int width, int kernel);

/// Floats of `pad` scratch that `ck_conv2d_same` needs.
long ck_conv2d_same_pad_count(int channels, int height, int width, int kernel);

/// One image's "same" convolution: stride 1, zero padding k/2 on every side, no bias.
///   y[o, oy, ox] = Σ_{c,i,j} w[o, c, i, j] · x[c, oy + i − k/2, ox + j − k/2]
/// x [C, H, W], w [O, C, k, k] → y [O, H, W] (overwritten). pad ≥ ck_conv2d_same_pad_count floats.
/// Precondition: ck_conv2d_same_supported(W, k).
void ck_conv2d_same(const float *x, int channels, int height, int width, const float *w, int outChannels,
                    int kernel, float *y, float *pad);

/// One image's weight gradient of the same convolution, ACCUMULATED:
///   dw[o, c, i, j] += Σ_{oy,ox} dy[o, oy, ox] · x[c, oy + i − k/2, ox + j − k/2]
/// x [C, H, W], dy [O, H, W], dw [O, C, k, k]. pad ≥ ck_conv2d_same_pad_count(C, H, W, k) floats.
/// Precondition: ck_conv2d_same_supported(W, k).
void ck_conv2d_same_weight_grad(const float *x, int channels, int height, int width, const float *dy,
                                int outChannels, int kernel, float *dw, float *pad);

/// 1 when the output-channels-in-lanes kernels below may be called on this CPU (x86-64 with AVX2 and FMA,
/// k ∈ {1, 3, 5, 7}); any map size and channel counts.
int ck_conv_lanes_supported(int kernel);

/// Floats of `packed` weights that `ck_conv_lanes` needs: O rounded up to 16, times C·k·k.
long ck_conv_lanes_packed_count(int channels, int outChannels, int kernel);

/// Floats of `pad` scratch that `ck_conv_lanes` needs for batches of up to maxBatch images.
long ck_conv_lanes_pad_count(int channels, int height, int width, int kernel, int maxBatch);

/// Repacks the weights of a same convolution with C inputs and O outputs for `ck_conv_lanes`:
///   adjoint 0: w [O, C, k, k] as given;
///   adjoint 1: w [C, O, k, k], every kernel rotated by 180° (the conv whose result is the adjoint of w's).
/// packed ≥ ck_conv_lanes_packed_count(C, O, k) floats. Portable (no CPU check).
void ck_conv_lanes_pack(const float *w, int outChannels, int channels, int kernel, int adjoint, float *packed);

/// The same convolution (stride 1, zero padding k/2, no bias) of a batch, with output channels in the lanes:
///   y[n, o, oy, ox] = Σ_{c,i,j} w[o, c, i, j] · x[n, c, oy + i − k/2, ox + j − k/2]
/// x [N, C, H, W], packed from `ck_conv_lanes_pack` → y [N, O, H, W] (overwritten). pad ≥
/// ck_conv_lanes_pad_count(C, H, W, k, N) floats. Precondition: ck_conv_lanes_supported(k).
void ck_conv_lanes(const float *x, int batch, int channels, int height, int width, const float *packed,
                   int outChannels, int kernel, float *y, float *pad);

/// Floats of `scratch` that `ck_conv_lanes_weight_grad` needs for batches of up to maxBatch images.
long ck_conv_lanes_weight_grad_count(int channels, int height, int width, int outChannels, int kernel, int maxBatch);

/// A batch's weight gradient of the same convolution, ACCUMULATED, with output channels in the lanes:
///   dw[o, c, i, j] += Σ_{n,oy,ox} dy[n, o, oy, ox] · x[n, c, oy + i − k/2, ox + j − k/2]
/// x [N, C, H, W], dy [N, O, H, W], dw [O, C, k, k]. scratch ≥ ck_conv_lanes_weight_grad_count(C, H, W, O, k, N)
/// floats. Precondition: ck_conv_lanes_supported(k).
void ck_conv_lanes_weight_grad(const float *x, int batch, int channels, int height, int width, const float *dy,
                               int outChannels, int kernel, float *dw, float *scratch);

/// 1 when `ck_float_to_half` and `ck_half_matmul` may be called on this CPU (x86-64 with AVX2, FMA, F16C).
int ck_half_supported(void);

/// dst[i] = src[i] rounded to IEEE float16 (nearest even), as bit patterns. Precondition: ck_half_supported().
void ck_float_to_half(const float *src, uint16_t *dst, long count);

/// y[r, j] = Σ_i x[r, i] · w[i, j] for r < rows (overwritten), with float16 weights w [inF, outF] (bit
/// patterns) converted on the fly and float32 accumulation. x rows are ldx floats apart, y rows ldy.
/// Precondition: ck_half_supported().
void ck_half_matmul(const uint16_t *w, int inF, int outF, const float *x, long ldx, int rows, float *y, long ldy);

/// 1 when `ck_adam_update` may be called on this CPU (x86-64 with AVX2).
int ck_adam_supported(void);

/// Adam's fused update over count weights (β1 > 0.5, no weight decay), in place on p, m, v:
///   m ← m + w·(g − m);  v ← v·β2 + (1 − β2)·g·g;  p ← p + (negStep·m) / (√v / bc2 + eps)
/// Bit-identical to NeuralCore's `Adam.update`. Precondition: ck_adam_supported().
void ck_adam_update(float *p, const float *g, float *m, float *v, long count, float w, float beta2,
                    float oneMinusBeta2, float negStep, float bc2, float eps);

/// 1 when the activation kernels below may be called on this CPU (x86-64 with AVX2).
int ck_activation_supported(void);

/// ReLU (slope 0) or LeakyReLU (slope > 0), y may equal x: y = x > 0 ? x : slope·x; for slope 0,
/// y = 0 ≥ x ? 0 : x (Swift's max(x, 0), NaN kept). Bit-identical to NeuralCore's `Activation.forward`.
/// Precondition: ck_activation_supported().
void ck_rectify_forward(const float *x, float *y, long count, float slope);

/// Their backward through the forward output y, dx may equal dy: dx = y > 0 ? dy : slope·dy (0 for slope 0).
/// Precondition: ck_activation_supported().
void ck_rectify_backward(const float *y, const float *dy, float *dx, long count, float slope);

/// The sigmoid's backward through its output y, dx may equal dy: dx = dy·y·(1 − y).
/// Precondition: ck_activation_supported().
void ck_sigmoid_backward(const float *y, const float *dy, float *dx, long count);

/// A pool of persistent helper threads (see WorkerPool.c). Not tied to a CPU feature; POSIX threads.
typedef struct ck_pool ck_pool;

/// One item of a job: item in [0, items), worker 0 for the calling thread and 1...helpers for the helpers
/// (each worker runs one item at a time, so per-worker scratch may be indexed by it).
typedef void (*ck_pool_task)(void *context, int item, int worker);

/// Starts `helpers` threads (0...64) that spin for `spin_ns` nanoseconds after each job, then sleep until the
/// next. NULL when a thread cannot be started. Destroy with ck_pool_destroy (joins the threads).
ck_pool *ck_pool_create(int helpers, long spin_ns);
void ck_pool_destroy(ck_pool *pool);
int ck_pool_helpers(const ck_pool *pool);

/// Runs task(context, item, worker) for every item in [0, items) on the caller and the helpers, items handed
/// out one at a time, and returns when all are done. A caller while another call on the same pool runs (from
/// another thread, or a task calling back in) runs its items alone on its own thread.
void ck_pool_run(ck_pool *pool, int items, ck_pool_task task, void *context);

/// Items `worker` has run since the pool was made (0: callers of ck_pool_run, 1...helpers: the helpers).
long ck_pool_items_ran(ck_pool *pool, int worker);

// MARK: Stride-2 4×4 convolutions, padding 1 (ConvStrideTwo.c)

/// 1 when the stride-2 kernels below may be called on this CPU (x86-64 with AVX2 and FMA); any map of at
/// least 2×2 and any channel counts.
int ck_conv_s2_supported(void);

/// Floats of `packed` weights that `ck_conv_s2` and `ck_conv_s2_adjoint` need: O rounded up to 16, times C·16.
long ck_conv_s2_packed_count(int channels, int outChannels);

/// Floats of `pad` scratch for maps [channels, height, width] (the input of either kernel) bordered by one
/// zero, for batches of up to maxBatch images.
long ck_conv_s2_pad_count(int channels, int height, int width, int maxBatch);

/// Repacks weights for the kernels below, with C input and O output channels of the kernel:
///   adjoint 0 (`ck_conv_s2`): w [O, C, 4, 4] (Conv2d's layout);
///   adjoint 1 (`ck_conv_s2_adjoint`): w [C, O, 4, 4] (ConvTranspose2d's), split into its four parity classes.
/// packed ≥ ck_conv_s2_packed_count(C, O) floats. Portable (no CPU check).
void ck_conv_s2_pack(const float *w, int outChannels, int channels, int adjoint, float *packed);

/// The stride-2 4×4 convolution with zero padding 1 of a batch, no bias, output channels in the lanes:
///   y[n, o, oy, ox] = Σ_{c,i,j} w[o, c, i, j] · x[n, c, 2·oy − 1 + i, 2·ox − 1 + j]
/// x [N, C, H, W], packed (adjoint 0) → y [N, O, (H − 2)/2 + 1, (W − 2)/2 + 1] (overwritten). H, W ≥ 2.
/// pad ≥ ck_conv_s2_pad_count(C, H, W, N). Precondition: ck_conv_s2_supported().
void ck_conv_s2(const float *x, int batch, int channels, int height, int width, const float *packed, int outChannels,
                float *y, float *pad);

/// Its adjoint, the stride-2 4×4 transposed convolution with padding 1 (ConvTranspose2d), no bias:
///   y[n, o, 2·iy − 1 + i, 2·ix − 1 + j] += w[c, o, i, j] · x[n, c, iy, ix]   (summed; y starts at 0)
/// x [N, C, h, w], packed (adjoint 1) → y [N, O, H, W] (overwritten), where (H − 2)/2 + 1 = h and likewise W
/// (H = 2h for ConvTranspose2d; 2h + 1 for the input gradient of a convolution of an odd-sized map).
/// pad ≥ ck_conv_s2_pad_count(C, h, w, N). Precondition: ck_conv_s2_supported().
void ck_conv_s2_adjoint(const float *x, int batch, int channels, int height, int width, const float *packed,
                        int outChannels, int outHeight, int outWidth, float *y, float *pad);

/// Floats of `scratch` that `ck_conv_s2_weight_grad` needs for batches of up to maxBatch images.
long ck_conv_s2_weight_grad_count(int channels, int height, int width, int outChannels, int maxBatch);

/// A batch's weight gradient of `ck_conv_s2`'s convolution, ACCUMULATED, output channels in the lanes:
///   dw[o, c, i, j] += Σ_{n,oy,ox} dy[n, o, oy, ox] · x[n, c, 2·oy − 1 + i, 2·ox − 1 + j]
/// x [N, C, H, W], dy [N, O, (H − 2)/2 + 1, (W − 2)/2 + 1], dw [O, C, 4, 4]. scratch ≥
/// ck_conv_s2_weight_grad_count(C, H, W, O, N) floats. Precondition: ck_conv_s2_supported().
void ck_conv_s2_weight_grad(const float *x, int batch, int channels, int height, int width, const float *dy,
                            int outChannels, float *dw, float *scratch);

// MARK: Winograd F(4×4, 5×5) same convolution (see Winograd5x5.c)

/// 1 when the Winograd kernels below may be called on this CPU for these channel counts (x86-64 with AVX2 and
/// FMA; channels a multiple of 8, any outChannels). Kernel 5×5, stride 1, padding 2; any map size. Each output
/// channel comes out the same bits whatever outChannels is (so a range of them may be computed alone).
int ck_winograd5_supported(int channels, int outChannels);

/// Floats of transformed weights U [64][C][O'] that `ck_winograd5_transform_weights` writes (O' = O rounded up to 8).
long ck_winograd5_weight_count(int channels, int outChannels);

/// Floats of `scratch` that `ck_winograd5_conv` needs (one image's worth, whatever the batch).
long ck_winograd5_scratch_count(int channels, int height, int width, int outChannels);

/// w [O, C, 5, 5] → U [64][C][O'], U[a·8 + b][c][o] = (G w[o, c] Gᵀ)[a][b], zero for o ≥ O.
/// Precondition: ck_winograd5_supported(C, O).
void ck_winograd5_transform_weights(const float *w, int outChannels, int channels, float *U);

/// A batch's same convolution (stride 1, zero padding 2, no bias) by Winograd F(4×4, 5×5):
///   y[n, o, oy, ox] = Σ_{c,i,j} w[o, c, i, j] · x[n, c, oy + i − 2, ox + j − 2]   (up to rounding)
/// x [N, C, H, W], U from ck_winograd5_transform_weights(w) → y [N, O, H, W] (overwritten).
/// scratch ≥ ck_winograd5_scratch_count(C, H, W, O) floats. Precondition: ck_winograd5_supported(C, O).
void ck_winograd5_conv(const float *x, int batch, int channels, int height, int width, const float *U,
                       int outChannels, float *y, float *scratch);

/// Floats of `scratch` that `ck_winograd5_weight_grad` needs (whatever the batch).
long ck_winograd5_weight_grad_scratch_count(int channels, int height, int width, int outChannels);

/// A batch's weight gradient of that convolution, ACCUMULATED, through the Winograd domain:
///   dw[o, c, i, j] += Σ_{n,oy,ox} dy[n, o, oy, ox] · x[n, c, oy + i − 2, ox + j − 2]   (up to rounding)
/// x [N, C, H, W], dy [N, O, H, W], dw [O, C, 5, 5]. scratch ≥ ck_winograd5_weight_grad_scratch_count(C, H, W, O)
/// floats. Precondition: ck_winograd5_supported(C, O).
void ck_winograd5_weight_grad(const float *x, int batch, int channels, int height, int width, const float *dy,
                              int outChannels, float *dw, float *scratch);

// MARK: int8 channel-wise weights (Int8Matmul.c)

/// 1 when `ck_int8_quantize` and `ck_int8_matmul` may be called on this CPU (x86-64 with AVX2 and FMA).
int ck_int8_supported(void);

/// One matrix w [inF, outF] → q [inF, outF] int8 and scale [outF], per output column j:
///   scale[j] = max_i |w[i, j]| / 127;  q[i, j] = round-to-nearest-even(w[i, j] · (127 / max_i |w[i, j]|)) clamped
/// to [−127, 127] (q = 0 where the maximum is 0; a column with ∞ or NaN keeps its non-finite scale, q 0 for its
/// finite weights). Call it per block of rows
/// for one scale per block and column. Bit-identical to NeuralCore's `Int8Weights` Swift loops.
/// Precondition: ck_int8_supported().
void ck_int8_quantize(const float *w, int inF, int outF, int8_t *q, float *scale);

/// y[r, j] = Σ_b scale[b, j] · (Σ_{i in block b} x[r, i] · q[i, j]) for r < rows (overwritten), blocks of
/// blockRows weight rows (the last may be shorter) and scale [⌈inF / blockRows⌉, outF]: int8 weights q [inF, outF]
/// converted to float32 on the fly, float32 FMA accumulation over i in order within a block, each block's sum
/// added to y with one FMA. x rows are ldx floats apart, y rows ldy. Precondition: ck_int8_supported().
void ck_int8_matmul(const int8_t *q, const float *scale, int inF, int outF, int blockRows, const float *x, long ldx,
                    int rows, float *y, long ldy);

#ifdef __cplusplus
}
#endif
#endif
