// A convolution's forward restricted to a range of output channels, so that two workers can share a single-image
// forward (the UI's and `fill`'s latency; issue 4 §3). A range of output channels of a convolution is itself a
// convolution with fewer output channels: its weights are a contiguous block of Conv2D's [out, in, kh, kw],
// and a strided block of TransposedConv2D's [in, out, kh, kw], which is copied out first. Each image of a batch
// is one such call (the range is not contiguous across images).

extension Conv2D {
    /// Floats of scratch for `forward(…, channels:…)`.
    public func channelSplitScratchCount(height: Int, width: Int) -> Int { scratchCount(height: height, width: width, maxBatch: 1) }

    /// input [N, inC, H, W] → output channels `channels` of [N, outC, outH, outW] (the others untouched).
    /// Disjoint ranges may run concurrently, each with its own scratch (≥ channelSplitScratchCount).
    public func forward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int, weight: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, channels: Range<Int>,
                        scratch: UnsafeMutablePointer<Float>) {
        forwardEachImage(restricted(to: channels), channels: channels, input: input, batch: batch, height: height,
                         width: width, weight: weight + channels.lowerBound * inChannels * kernelH * kernelW, bias: bias,
                         output: output, scratch: scratch)
    }
}

extension TransposedConv2D {
    /// Floats of scratch for `forward(…, channels:…)`: the copied weight block and the layer's own scratch.
    public func channelSplitScratchCount(height: Int, width: Int) -> Int {
        weightShape.reduce(1, *) + scratchCount(height: height, width: width, maxBatch: 1)
    }

    /// input [N, inC, H, W] → output channels `channels` of [N, outC, outH, outW] (the others untouched).
    /// Disjoint ranges may run concurrently, each with its own scratch (≥ channelSplitScratchCount).
    public func forward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int, weight: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, channels: Range<Int>,
                        scratch: UnsafeMutablePointer<Float>) {
        let part = restricted(to: channels)
        // W[:, channels, :, :] → [inC, |channels|, kh, kw]
        let taps = kernelH * kernelW, block = channels.count * taps
        for c in 0..<inChannels {
            (scratch + c * block).update(from: weight + (c * outChannels + channels.lowerBound) * taps, count: block)
        }
        forwardEachImage(part, channels: channels, input: input, batch: batch, height: height, width: width,
                         weight: scratch, bias: bias, output: output, scratch: scratch + weightShape.reduce(1, *))
    }
}

extension ConvolutionPaths {
    /// This convolution cut to output channels `channels`: itself a convolution with fewer output channels.
    func restricted(to channels: Range<Int>) -> Self {
        precondition(channels.lowerBound >= 0 && channels.upperBound <= outChannels && !channels.isEmpty,
                     "\(Self.self): output channels \(channels) outside 0..<\(outChannels)")
        var part = self
        part.outChannels = channels.count
        return part
    }

    /// `part` (this layer `restricted(to: channels)`, with `weight` its weights as it reads them) run image by
    /// image into output channels `channels` of each image's output: the range is not contiguous across images.
    func forwardEachImage(_ part: Self, channels: Range<Int>, input: UnsafePointer<Float>, batch: Int, height: Int,
                          width: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                          output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let (oh, ow) = outputSize(height: height, width: width), inSize = inChannels * height * width
        // A range of a layer that takes Winograd takes it too, whatever its width: each output channel of the
        // kernel comes out the same bits alone as among all, so the split equals the serial pass exactly.
        let winograd = usesWinograd(channels: inChannels, outChannels: outChannels, width: width)
        for n in 0..<batch {
            let b = bias.map { $0 + channels.lowerBound }, y = output + (n * outChannels + channels.lowerBound) * oh * ow
            if winograd {
                part.forwardByWinograd(input: input + n * inSize, batch: 1, height: height, width: width, weight: weight,
                                       bias: b, output: y, scratch: scratch)
            } else {
                part.forward(input: input + n * inSize, batch: 1, height: height, width: width, weight: weight, bias: b,
                             output: y, scratch: scratch)
            }
        }
    }
}
