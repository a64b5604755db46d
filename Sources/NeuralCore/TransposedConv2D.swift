/// A transposed convolution with PyTorch `nn.ConvTranspose2d` semantics and weight layout (no
/// output_padding, no dilation): the adjoint of a `Conv2D` from the output's size back to the input's.
///
///   y[n, o, y·s − p + i, x·s − p + j] += W[c, o, i, j] · x[n, c, y, x]   (summed over c, i, j), plus b[o]
///
/// Shapes: x [N, inC, H, W] → y [N, outC, (H−1)·s − 2p + kh, (W−1)·s − 2p + kw];
/// W [inC, outC, kh, kw] (PyTorch's ConvTranspose2d layout); b [outC].
/// Computed per chunk of images (`ColumnBatch`): columns[outC·kh·kw, count·H·W] = Wᵀ · x, then col2im onto
/// each output; or by `WinogradConvolution` or `DirectConvolution` where that is faster.
public struct TransposedConv2D: Layer, Equatable {
    public var inChannels: Int, outChannels: Int
    public var kernelH: Int, kernelW: Int, stride: Int, padding: Int
    public var hasBias: Bool

    public init(inChannels: Int, outChannels: Int, kernelH: Int, kernelW: Int, stride: Int = 1, padding: Int = 0,
                hasBias: Bool = false) {
        precondition(inChannels > 0 && outChannels > 0, "TransposedConv2D: channel counts must be positive")
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelH = kernelH; self.kernelW = kernelW; self.stride = stride; self.padding = padding
        self.hasBias = hasBias
    }

    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, hasBias: Bool = false) {
        self.init(inChannels: inChannels, outChannels: outChannels, kernelH: kernelSize, kernelW: kernelSize,
                  stride: stride, padding: padding, hasBias: hasBias)
    }

    /// PyTorch ConvTranspose2d layout [in, out, kh, kw].
    public var weightShape: [Int] { [inChannels, outChannels, kernelH, kernelW] }
    public var biasShape: [Int] { [outChannels] }
    /// PyTorch's default init bound 1/√fan_in, where fan_in = weight.size(1)·kh·kw = outC·kh·kw for this layout.
    public var initBound: Float { 1 / Float(outChannels * kernelH * kernelW).squareRoot() }

    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height - 1) * stride - 2 * padding + kernelH, (width - 1) * stride - 2 * padding + kernelW)
    }

    /// Every weight once per input position.
    public func multiplyAdds(height: Int, width: Int) -> Double { Double(weightCount) * Double(height * width) }

    public var summary: String { "convT \(kernelSummary)" }
    /// Every input channel reaches every output channel: workers split a batch by images.
    public var workSplit: WorkSplit { .images }

    /// The geometry of the adjoint convolution: from this layer's output back to its input size.
    public func geometry(height: Int, width: Int) -> ConvGeometry {
        let (oh, ow) = outputSize(height: height, width: width)
        let g = ConvGeometry(channels: outChannels, height: oh, width: ow, kernelH: kernelH, kernelW: kernelW,
                             stride: stride, padding: padding)
        precondition(g.outHeight == height && g.outWidth == width, "TransposedConv2D: \(height)×\(width) is not a conv output size")
        return g
    }

    /// Floats of scratch that forward and backward need for batches of up to `maxBatch` images (every path's).
    public func scratchCount(height: Int, width: Int, maxBatch: Int) -> Int {
        scratchCountForEveryPath(height: height, width: width, maxBatch: maxBatch)
    }

    /// Scratch of the BLAS path per image of a chunk: its columns [outC·kh·kw, H·W] and its gathered x [inC, H·W].
    func chunkFloatsPerImage(_ g: ConvGeometry) -> Int { (g.patchSize + inChannels) * g.positions }

    // MARK: Forward

    /// input [N, inC, H, W] → output [N, outC, outH, outW] (overwritten). scratch ≥ scratchCount.
    public func forward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        checkBias(bias)
        let g = geometry(height: height, width: width)
        let positions = g.positions, inSize = inChannels * positions, outPlane = g.height * g.width
        if usesWinograd(channels: inChannels, outChannels: outChannels, width: width) {
            return forwardByWinograd(input: input, batch: batch, height: height, width: width, weight: weight, bias: bias,
                                     output: output, scratch: scratch)
        }
        if usesDirectPath(width: width) {
            // y = conv(x; rot180(Wᵀ)) instead of a 16-deep sgemm into columns followed by col2im.
            let flipped = scratch, pad = flipped + inChannels * g.patchSize
            DirectConvolution.transposeAndFlip(weight, a: inChannels, b: outChannels, kernel: kernelH, into: flipped)
            for n in 0..<batch {
                let y = output + n * g.imageSize
                DirectConvolution.convolve(input + n * inSize, channels: inChannels, height: height, width: width,
                                           weight: flipped, outChannels: outChannels, kernel: kernelH, output: y, pad: pad)
                if let bias { addChannelBias(bias, to: y, channels: outChannels, planeSize: outPlane) }
            }
            return
        }
        if usesStrideTwoKernels {
            StrideTwoConvolution.adjoint(input, batch: batch, channels: inChannels, height: height, width: width,
                                         weight: weight, outChannels: outChannels, outHeight: g.height, outWidth: g.width,
                                         output: output, scratch: scratch)
            if let bias {
                for n in 0..<batch { addChannelBias(bias, to: output + n * g.imageSize, channels: outChannels, planeSize: outPlane) }
            }
            return
        }
        if usesChannelLanes(width: width) {
            // y = conv(x; rot180(Wᵀ)), W [inC, outC, k, k] repacked as such by the kernel.
            DirectConvolution.channelLanesConvolve(input, batch: batch, channels: inChannels, height: height, width: width,
                                                   weight: weight, adjoint: true, outChannels: outChannels, kernel: kernelH,
                                                   output: output, scratch: scratch)
            if let bias {
                for n in 0..<batch { addChannelBias(bias, to: output + n * g.imageSize, channels: outChannels, planeSize: outPlane) }
            }
            return
        }
        let chunk = ColumnBatch.imagesPerChunk(floatsPerImage: chunkFloatsPerImage(g), maxBatch: batch)
        for start in Swift.stride(from: 0, to: batch, by: chunk) {
            let count = min(chunk, batch - start), ld = count * positions
            let columns = scratch, gathered = scratch + g.patchSize * ld
            // x of the chunk as one matrix [inC, count·H·W] (one image already is).
            let xChunk = input + start * inSize
            let x: UnsafePointer<Float>
            if count == 1 { x = xChunk } else {
                ColumnBatch.gather(xChunk, channels: inChannels, positions: positions, count: count, into: gathered)
                x = UnsafePointer(gathered)
            }
            // columns[outC·kh·kw, count·H·W] = Wᵀ[outC·kh·kw, inC] · x[inC, count·H·W]
            sgemm(transA: true, transB: false, m: g.patchSize, n: ld, k: inChannels, alpha: 1,
                  a: weight, lda: g.patchSize, b: x, ldb: ld, beta: 0, c: columns, ldc: ld)
            for n in 0..<count {
                let y = output + (start + n) * g.imageSize
                col2im(g, columns: columns + n * positions, image: y, rowStride: ld, accumulate: false)
                if let bias { addChannelBias(bias, to: y, channels: outChannels, planeSize: outPlane) }
            }
        }
    }

    /// The forward through `WinogradConvolution` (y = conv(x; rot180(Wᵀ))), whether or not `usesWinograd` says so
    /// (a range of output channels of a layer that does, so that the split computes the serial pass's bits).
    func forwardByWinograd(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int, weight: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                           scratch: UnsafeMutablePointer<Float>) {
        let flipped = scratch, positions = height * width
        DirectConvolution.transposeAndFlip(weight, a: inChannels, b: outChannels, kernel: kernelH, into: flipped)
        WinogradConvolution.convolve(input, batch: batch, channels: inChannels, height: height, width: width,
                                     weight: flipped, outChannels: outChannels, output: output,
                                     scratch: flipped + weightShape.reduce(1, *))
        if let bias {
            for n in 0..<batch {
                addChannelBias(bias, to: output + n * outChannels * positions, channels: outChannels, planeSize: positions)
            }
        }
    }

    // MARK: Backward

    /// Given dOutput [N, outC, outH, outW]: dWeight [inC, outC, kh, kw] += ∂L/∂W, dBias [outC] += ∂L/∂b,
    /// dInput [N, inC, H, W] = ∂L/∂x (overwritten; nil when not needed).
    public func backward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                         weight: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
                         dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                         dBias: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>) {
        checkBias(dBias)
        let g = geometry(height: height, width: width)
        let positions = g.positions, inSize = inChannels * positions, outPlane = g.height * g.width
        if usesDirectPath(width: width) {
            // dW[c, o, i, j] = Σ x[c, ·] dy[o, · + (i, j) − k/2]: the same-convolution weight gradient with the
            // roles of x and dy swapped; dx = conv(dy; W), W read as [inC (out), outC (in), k, k].
            // With Winograd, dx of the whole batch after the loop.
            let pad = scratch + weightShape.reduce(1, *)
            let winogradInput = dInput != nil && usesWinograd(channels: outChannels, outChannels: inChannels, width: width)
            let winogradWeights = usesWinogradWeightGradient(channels: outChannels, outChannels: inChannels, width: width)
            for n in 0..<batch {
                let dy = dOutput + n * g.imageSize, x = input + n * inSize
                if !winogradWeights {
                    DirectConvolution.accumulateWeightGradient(dy, channels: outChannels, height: height, width: width,
                                                               dOutput: x, outChannels: inChannels, kernel: kernelH,
                                                               dWeight: dWeight, pad: pad)
                }
                if let dBias { accumulateChannelSums(of: dy, into: dBias, channels: outChannels, planeSize: outPlane) }
                if let dInput, !winogradInput {
                    DirectConvolution.convolve(dy, channels: outChannels, height: height, width: width, weight: weight,
                                               outChannels: inChannels, kernel: kernelH, output: dInput + n * inSize, pad: pad)
                }
            }
            if winogradWeights {
                WinogradConvolution.accumulateWeightGradient(dOutput, batch: batch, channels: outChannels, height: height,
                                                             width: width, dOutput: input, outChannels: inChannels,
                                                             dWeight: dWeight, scratch: pad)
            }
            if let dInput, winogradInput {
                WinogradConvolution.convolve(dOutput, batch: batch, channels: outChannels, height: height, width: width,
                                             weight: weight, outChannels: inChannels, output: dInput, scratch: pad)
            }
            return
        }
        if usesStrideTwoKernels {
            // dW[c, o, i, j] = Σ x[c, iy, ix] dy[o, 2·iy − 1 + i, 2·ix − 1 + j]: the convolution's weight gradient
            // with dy as its input and x as its output's gradient; dx = conv(dy; W), W read as [inC (out), outC (in), 4, 4].
            StrideTwoConvolution.accumulateWeightGradient(dOutput, batch: batch, channels: outChannels, height: g.height,
                                                          width: g.width, dOutput: input, outChannels: inChannels,
                                                          dWeight: dWeight, scratch: scratch)
            if let dBias {
                for n in 0..<batch {
                    accumulateChannelSums(of: dOutput + n * g.imageSize, into: dBias, channels: outChannels, planeSize: outPlane)
                }
            }
            if let dInput {
                StrideTwoConvolution.convolve(dOutput, batch: batch, channels: outChannels, height: g.height, width: g.width,
                                              weight: weight, outChannels: inChannels, output: dInput, scratch: scratch)
            }
            return
        }
        if usesChannelLanes(width: width) {
            // dW[c, o, i, j] = Σ x[c, ·] dy[o, · + (i, j) − k/2]: the convolution's weight gradient, x and dy swapped.
            DirectConvolution.channelLanesAccumulateWeightGradient(dOutput, batch: batch, channels: outChannels, height: height,
                                                                   width: width, dOutput: input, outChannels: inChannels,
                                                                   kernel: kernelH, dWeight: dWeight, scratch: scratch)
            if let dBias {
                for n in 0..<batch {
                    accumulateChannelSums(of: dOutput + n * g.imageSize, into: dBias, channels: outChannels, planeSize: outPlane)
                }
            }
            if let dInput {
                DirectConvolution.channelLanesConvolve(dOutput, batch: batch, channels: outChannels, height: height, width: width,
                                                       weight: weight, adjoint: false, outChannels: inChannels, kernel: kernelH,
                                                       output: dInput, scratch: scratch)
            }
            return
        }
        let chunk = ColumnBatch.imagesPerChunk(floatsPerImage: chunkFloatsPerImage(g), maxBatch: batch)
        for start in Swift.stride(from: 0, to: batch, by: chunk) {
            let count = min(chunk, batch - start), ld = count * positions
            let columns = scratch, gathered = scratch + g.patchSize * ld
            // The forward was col2im(Wᵀx); its adjoint gathers dy back into columns[outC·kh·kw, count·H·W].
            for n in 0..<count {
                let dy = dOutput + (start + n) * g.imageSize
                im2col(g, image: dy, columns: columns + n * positions, rowStride: ld)
                if let dBias { accumulateChannelSums(of: dy, into: dBias, channels: outChannels, planeSize: outPlane) }
            }
            let xChunk = input + start * inSize
            let x: UnsafePointer<Float>
            if count == 1 { x = xChunk } else {
                ColumnBatch.gather(xChunk, channels: inChannels, positions: positions, count: count, into: gathered)
                x = UnsafePointer(gathered)
            }
            // dW[inC, outC·kh·kw] += x[inC, count·H·W] · columnsᵀ
            sgemm(transA: false, transB: true, m: inChannels, n: g.patchSize, k: ld, alpha: 1,
                  a: x, lda: ld, b: columns, ldb: ld, beta: 1, c: dWeight, ldc: g.patchSize)
            if let dInput {
                // dx[inC, count·H·W] = W[inC, outC·kh·kw] · columns (over the gathered x, no longer needed)
                let dxChunk = dInput + start * inSize
                sgemm(transA: false, transB: false, m: inChannels, n: ld, k: g.patchSize, alpha: 1,
                      a: weight, lda: g.patchSize, b: columns, ldb: ld, beta: 0, c: count == 1 ? dxChunk : gathered, ldc: ld)
                if count > 1 { ColumnBatch.scatter(gathered, channels: inChannels, positions: positions, count: count, into: dxChunk) }
            }
        }
    }
}

extension TransposedConv2D: ConvolutionPaths {}
