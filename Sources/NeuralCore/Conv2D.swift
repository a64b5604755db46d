/// A 2-D convolution with PyTorch `nn.Conv2d` semantics and weight layout, computed as im2col + one sgemm
/// per chunk of images (`ColumnBatch`: one image for 28×28 maps, many for small ones, so that the column
/// scratch stays cache-sized), or by `WinogradConvolution` or `DirectConvolution` where that is faster.
///
///   y[n, o, oy, ox] = b[o] + Σ_{c,i,j} W[o, c, i, j] · x[n, c, oy·s − p + i, ox·s − p + j]
///
/// Shapes: x [N, inC, H, W] → y [N, outC, outH, outW]; W [outC, inC, kh, kw]; b [outC].
public struct Conv2D: Layer, Equatable {
    public var inChannels: Int, outChannels: Int
    public var kernelH: Int, kernelW: Int, stride: Int, padding: Int
    public var hasBias: Bool

    public init(inChannels: Int, outChannels: Int, kernelH: Int, kernelW: Int, stride: Int = 1, padding: Int = 0,
                hasBias: Bool = false) {
        precondition(inChannels > 0 && outChannels > 0, "Conv2D: channel counts must be positive")
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelH = kernelH; self.kernelW = kernelW; self.stride = stride; self.padding = padding
        self.hasBias = hasBias
    }

    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, hasBias: Bool = false) {
        self.init(inChannels: inChannels, outChannels: outChannels, kernelH: kernelSize, kernelW: kernelSize,
                  stride: stride, padding: padding, hasBias: hasBias)
    }

    /// PyTorch Conv2d layout [out, in, kh, kw].
    public var weightShape: [Int] { [outChannels, inChannels, kernelH, kernelW] }
    public var biasShape: [Int] { [outChannels] }
    /// PyTorch's default init bound 1/√fan_in with fan_in = weight.size(1)·kh·kw = inC·kh·kw.
    public var initBound: Float { 1 / Float(inChannels * kernelH * kernelW).squareRoot() }

    public func geometry(height: Int, width: Int) -> ConvGeometry {
        ConvGeometry(channels: inChannels, height: height, width: width, kernelH: kernelH, kernelW: kernelW,
                     stride: stride, padding: padding)
    }

    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        let g = geometry(height: height, width: width)
        return (g.outHeight, g.outWidth)
    }

    /// Every weight once per output position.
    public func multiplyAdds(height: Int, width: Int) -> Double {
        let (oh, ow) = outputSize(height: height, width: width)
        return Double(weightCount) * Double(oh * ow)
    }

    public var summary: String { "conv \(kernelSummary)" }
    /// Every input channel reaches every output channel: workers split a batch by images.
    public var workSplit: WorkSplit { .images }

    /// Floats of scratch that forward and backward need for batches of up to `maxBatch` images (every path's).
    public func scratchCount(height: Int, width: Int, maxBatch: Int) -> Int {
        scratchCountForEveryPath(height: height, width: width, maxBatch: maxBatch)
    }

    /// Scratch of the BLAS path per image of a chunk: its columns [C·kh·kw, P] and its gathered dy [outC, P].
    func chunkFloatsPerImage(_ g: ConvGeometry) -> Int { (g.patchSize + outChannels) * g.positions }

    // MARK: Forward

    /// input [N, inC, H, W] → output [N, outC, outH, outW] (overwritten). scratch ≥ scratchCount.
    public func forward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        checkBias(bias)
        let g = geometry(height: height, width: width)
        let positions = g.positions, outSize = outChannels * positions
        if usesWinograd(channels: inChannels, outChannels: outChannels, width: width) {
            return forwardByWinograd(input: input, batch: batch, height: height, width: width, weight: weight, bias: bias,
                                     output: output, scratch: scratch)
        }
        if usesDirectPath(width: width) {
            for n in 0..<batch {
                let y = output + n * outSize
                DirectConvolution.convolve(input + n * g.imageSize, channels: inChannels, height: height, width: width,
                                           weight: weight, outChannels: outChannels, kernel: kernelH, output: y, pad: scratch)
                if let bias { addChannelBias(bias, to: y, channels: outChannels, planeSize: positions) }
            }
            return
        }
        if usesStrideTwoKernels {
            StrideTwoConvolution.convolve(input, batch: batch, channels: inChannels, height: height, width: width,
                                          weight: weight, outChannels: outChannels, output: output, scratch: scratch)
            if let bias {
                for n in 0..<batch { addChannelBias(bias, to: output + n * outSize, channels: outChannels, planeSize: positions) }
            }
            return
        }
        if usesChannelLanes(width: width) {
            DirectConvolution.channelLanesConvolve(input, batch: batch, channels: inChannels, height: height, width: width,
                                                   weight: weight, adjoint: false, outChannels: outChannels, kernel: kernelH,
                                                   output: output, scratch: scratch)
            if let bias {
                for n in 0..<batch { addChannelBias(bias, to: output + n * outSize, channels: outChannels, planeSize: positions) }
            }
            return
        }
        forEachColumnChunk(g, input: input, batch: batch, scratch: scratch) { start, count, columns, ld in
            let product = columns + g.patchSize * ld
            // y[outC, count·P] = W[outC, C·kh·kw] · columns[C·kh·kw, count·P]; one image lands in place.
            let y = output + start * outSize
            sgemm(transA: false, transB: false, m: outChannels, n: ld, k: g.patchSize, alpha: 1,
                  a: weight, lda: g.patchSize, b: columns, ldb: ld, beta: 0, c: count == 1 ? y : product, ldc: ld)
            if count > 1 { ColumnBatch.scatter(product, channels: outChannels, positions: positions, count: count, into: y) }
            if let bias {
                for n in 0..<count { addChannelBias(bias, to: y + n * outSize, channels: outChannels, planeSize: positions) }
            }
        }
    }

    /// The forward through `WinogradConvolution`, whether or not `usesWinograd` says so (a range of output
    /// channels of a layer that does, so that the split computes the serial pass's bits).
    func forwardByWinograd(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int, weight: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                           scratch: UnsafeMutablePointer<Float>) {
        WinogradConvolution.convolve(input, batch: batch, channels: inChannels, height: height, width: width,
                                     weight: weight, outChannels: outChannels, output: output, scratch: scratch)
        if let bias {
            let positions = height * width
            for n in 0..<batch {
                addChannelBias(bias, to: output + n * outChannels * positions, channels: outChannels, planeSize: positions)
            }
        }
    }

    // MARK: Backward

    /// Given dOutput [N, outC, outH, outW]: dWeight [outC, inC, kh, kw] += ∂L/∂W, dBias [outC] += ∂L/∂b,
    /// dInput [N, inC, H, W] = ∂L/∂x (overwritten; pass nil for the first layer, whose input needs none).
    public func backward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                         weight: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
                         dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                         dBias: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>) {
        checkBias(dBias)
        let g = geometry(height: height, width: width)
        let positions = g.positions, outSize = outChannels * positions
        if usesDirectPath(width: width) {
            // dW directly from x and dy (no im2col); dx = conv(dy; rot180(Wᵀ)), flipped once per call.
            // With Winograd, dx of the whole batch after the loop, from the flipped weights transformed once.
            let flipped = scratch, winogradInput = dInput != nil
                && usesWinograd(channels: outChannels, outChannels: inChannels, width: width)
            let winogradWeights = usesWinogradWeightGradient(channels: inChannels, outChannels: outChannels, width: width)
            let pad = flipped + outChannels * g.patchSize
            if dInput != nil {
                DirectConvolution.transposeAndFlip(weight, a: outChannels, b: inChannels, kernel: kernelH, into: flipped)
            }
            for n in 0..<batch {
                let dy = dOutput + n * outSize
                if !winogradWeights {
                    DirectConvolution.accumulateWeightGradient(input + n * g.imageSize, channels: inChannels, height: height,
                                                               width: width, dOutput: dy, outChannels: outChannels,
                                                               kernel: kernelH, dWeight: dWeight, pad: pad)
                }
                if let dBias { accumulateChannelSums(of: dy, into: dBias, channels: outChannels, planeSize: positions) }
                if let dInput, !winogradInput {
                    DirectConvolution.convolve(dy, channels: outChannels, height: height, width: width, weight: flipped,
                                               outChannels: inChannels, kernel: kernelH, output: dInput + n * g.imageSize, pad: pad)
                }
            }
            if winogradWeights {
                WinogradConvolution.accumulateWeightGradient(input, batch: batch, channels: inChannels, height: height,
                                                             width: width, dOutput: dOutput, outChannels: outChannels,
                                                             dWeight: dWeight, scratch: pad)
            }
            if let dInput, winogradInput {
                WinogradConvolution.convolve(dOutput, batch: batch, channels: outChannels, height: height, width: width,
                                             weight: flipped, outChannels: inChannels, output: dInput, scratch: pad)
            }
            return
        }
        if usesStrideTwoKernels {
            StrideTwoConvolution.accumulateWeightGradient(input, batch: batch, channels: inChannels, height: height,
                                                          width: width, dOutput: dOutput, outChannels: outChannels,
                                                          dWeight: dWeight, scratch: scratch)
            if let dBias {
                for n in 0..<batch {
                    accumulateChannelSums(of: dOutput + n * outSize, into: dBias, channels: outChannels, planeSize: positions)
                }
            }
            if let dInput {
                // dx = convᵀ(dy; W): W [outC, inC, 4, 4] is the transposed convolution's [in, out, 4, 4] from dy's side.
                StrideTwoConvolution.adjoint(dOutput, batch: batch, channels: outChannels, height: g.outHeight,
                                             width: g.outWidth, weight: weight, outChannels: inChannels, outHeight: height,
                                             outWidth: width, output: dInput, scratch: scratch)
            }
            return
        }
        if usesChannelLanes(width: width) {
            DirectConvolution.channelLanesAccumulateWeightGradient(input, batch: batch, channels: inChannels, height: height,
                                                                   width: width, dOutput: dOutput, outChannels: outChannels,
                                                                   kernel: kernelH, dWeight: dWeight, scratch: scratch)
            if let dBias {
                for n in 0..<batch {
                    accumulateChannelSums(of: dOutput + n * outSize, into: dBias, channels: outChannels, planeSize: positions)
                }
            }
            if let dInput {
                DirectConvolution.channelLanesConvolve(dOutput, batch: batch, channels: outChannels, height: height, width: width,
                                                       weight: weight, adjoint: true, outChannels: inChannels, kernel: kernelH,
                                                       output: dInput, scratch: scratch)
            }
            return
        }
        forEachColumnChunk(g, input: input, batch: batch, scratch: scratch) { start, count, columns, ld in
            let gathered = columns + g.patchSize * ld
            // dy of the chunk as one matrix [outC, count·P] (one image already is).
            let dyChunk = dOutput + start * outSize
            let dy: UnsafePointer<Float>
            if count == 1 { dy = dyChunk } else {
                ColumnBatch.gather(dyChunk, channels: outChannels, positions: positions, count: count, into: gathered)
                dy = UnsafePointer(gathered)
            }
            // dW[outC, C·kh·kw] += dy[outC, count·P] · columnsᵀ[count·P, C·kh·kw]
            sgemm(transA: false, transB: true, m: outChannels, n: g.patchSize, k: ld, alpha: 1,
                  a: dy, lda: ld, b: columns, ldb: ld, beta: 1, c: dWeight, ldc: g.patchSize)
            if let dBias {
                for n in 0..<count {
                    accumulateChannelSums(of: dyChunk + n * outSize, into: dBias, channels: outChannels, planeSize: positions)
                }
            }
            if let dInput {
                // dColumns[C·kh·kw, count·P] = Wᵀ · dy (over the columns, no longer needed), then scattered back
                // onto each image (col2im is im2col's adjoint).
                sgemm(transA: true, transB: false, m: g.patchSize, n: ld, k: outChannels, alpha: 1,
                      a: weight, lda: g.patchSize, b: dy, ldb: ld, beta: 0, c: columns, ldc: ld)
                for n in 0..<count {
                    col2im(g, columns: columns + n * positions, image: dInput + (start + n) * g.imageSize, rowStride: ld,
                           accumulate: false)
                }
            }
        }
    }
}

extension Conv2D: ConvolutionPaths {
    /// The BLAS path's walk over a batch: chunks of `ColumnBatch.imagesPerChunk` images, each chunk's im2col
    /// columns [C·kh·kw, count·P] (P output positions per image, `ld` = count·P) at the start of `scratch`,
    /// and the rest of `scratch` free for `body(start, count, columns, ld)`.
    @inline(__always)
    private func forEachColumnChunk(_ g: ConvGeometry, input: UnsafePointer<Float>, batch: Int,
                                    scratch: UnsafeMutablePointer<Float>,
                                    _ body: (Int, Int, UnsafeMutablePointer<Float>, Int) -> Void) {
        let chunk = ColumnBatch.imagesPerChunk(floatsPerImage: chunkFloatsPerImage(g), maxBatch: batch)
        for start in Swift.stride(from: 0, to: batch, by: chunk) {
            let count = min(chunk, batch - start), ld = count * g.positions
            for n in 0..<count {
                im2col(g, image: input + (start + n) * g.imageSize, columns: scratch + n * g.positions, rowStride: ld)
            }
            body(start, count, scratch, ld)
        }
    }
}
