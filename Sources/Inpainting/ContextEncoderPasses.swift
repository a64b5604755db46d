import Datasets
import NeuralCore

// The forward and backward passes of `ContextEncoder`, layer by layer over a workspace's buffers.

extension ContextEncoder {
    /// images, masks: [count, 784] each (x in [0, 1]; mask 1 known / 0 hole) → output [count, 784] in (0, 1).
    /// count ≤ workspace.maxBatch. Reconstructs every pixel; composing with the known pixels is the caller's.
    /// `precision` .float16 or .int8 runs the channel-wise layer on a float16 or int8 copy of its weights that
    /// the workspace keeps (made again when the parameters change); see `InferencePrecision`.
    public func reconstruct(images: UnsafePointer<Float>, masks: UnsafePointer<Float>, count: Int,
                            into output: UnsafeMutablePointer<Float>, workspace: ContextEncoderWorkspace,
                            precision: InferencePrecision = .float32) {
        forward(images: images, masks: masks, count: count, workspace: workspace, precision: precision)
        output.update(from: workspace.output, count: count * Digit.pixels)
    }

    /// Convenience: allocates a workspace for `count` images. images, masks: count×784 → count×784.
    public func reconstruct(images: [Float], masks: [Float], count: Int, precision: InferencePrecision = .float32) -> [Float] {
        precondition(images.count == count * Digit.pixels && masks.count == count * Digit.pixels,
                     "reconstruct: expected \(count)×\(Digit.pixels) images and masks, got \(images.count) and \(masks.count)")
        var out = [Float](repeating: 0, count: count * Digit.pixels)
        guard count > 0 else { return out }
        let workspace = ContextEncoderWorkspace(config: config, maxBatch: count)
        images.withUnsafeBufferPointer { x in masks.withUnsafeBufferPointer { m in out.withUnsafeMutableBufferPointer { o in
            reconstruct(images: x.baseAddress!, masks: m.baseAddress!, count: count, into: o.baseAddress!, workspace: workspace,
                        precision: precision)
        } } }
        return out
    }

    /// Forward, the loss on the hole (`knownWeight` 0 is the report's loss; see `MaskedLoss`), backward.
    /// Gradients ACCUMULATE into `gradients` (same layout as `parameters`; the caller zeroes it).
    /// Returns the loss. images, masks: [count, 784], count ≤ workspace.maxBatch.
    public func lossAndGradients(images: UnsafePointer<Float>, masks: UnsafePointer<Float>, count: Int,
                                 loss: ReconstructionLoss, knownWeight: Float,
                                 gradients: inout ParameterStore, workspace: ContextEncoderWorkspace) -> Float {
        lossAndGradients(images: images, masks: masks, count: count, loss: loss, knownWeight: knownWeight,
                         gradients: &gradients, workspace: workspace, adjustOutputGradient: { _, _ in })
    }

    /// The same, with a hook between the loss and the backward pass: `adjustOutputGradient(output, dOutput)`
    /// gets the network's output ŷ [count, 784] and ∂L_rec/∂ŷ [count, 784], and may rewrite the gradient in
    /// place before it is backpropagated; adversarial training makes it λ·∂L_rec/∂ŷ + (1 − λ)·∂L_adv/∂ŷ.
    /// Returns the reconstruction loss.
    public func lossAndGradients(images: UnsafePointer<Float>, masks: UnsafePointer<Float>, count: Int,
                                 loss: ReconstructionLoss, knownWeight: Float,
                                 gradients: inout ParameterStore, workspace: ContextEncoderWorkspace,
                                 adjustOutputGradient: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Float {
        precondition(gradients.entries == parameters.entries, "gradients must have the parameters' layout")
        forward(images: images, masks: masks, count: count, workspace: workspace)
        let pixels = count * Digit.pixels
        let value = loss.forward(prediction: workspace.output, target: images, mask: masks, count: pixels,
                                        knownWeight: knownWeight)
        loss.backward(prediction: workspace.output, target: images, mask: masks, count: pixels,
                             knownWeight: knownWeight, dPrediction: workspace.gradientA)
        adjustOutputGradient(UnsafePointer(workspace.output), workspace.gradientA)
        gradients.values.withUnsafeMutableBufferPointer { g in
            _ = backward(count: count, gradients: g.baseAddress!, workspace: workspace)
        }
        return value
    }

    // MARK: Passes

    /// Fills workspace.activations for `count` images (training always runs in .float32).
    func forward(images: UnsafePointer<Float>, masks: UnsafePointer<Float>, count: Int, workspace ws: ContextEncoderWorkspace,
                 precision: InferencePrecision = .float32) {
        precondition(ws.config == config, "workspace was made for \(ws.config), model is \(config)")
        precondition(count >= 1 && count <= ws.maxBatch, "batch of \(count) outside 1...\(ws.maxBatch)")
        let pixels = Digit.pixels, channels = config.inputChannels
        // input [count, C, 28, 28]: channel 0 = x ⊙ M, channel 1 (mask channel) = M
        for n in 0..<count {
            let x = images + n * pixels, m = masks + n * pixels, dst = ws.input + n * channels * pixels
            for i in 0..<pixels { dst[i] = x[i] * m[i] }
            if config.maskChannel { (dst + pixels).update(from: m, count: pixels) }
        }
        // One image (a reconstruction's latency) uses the workspace's singleImageThreads, on its pool when it has one.
        let workers = count == 1 ? ws.singleImageThreads : ws.concurrency
        let pool = count == 1 && workers > 1 ? ws.singleImagePool : nil
        parameters.values.withUnsafeBufferPointer { pb in
            let p = pb.baseAddress!
            var source = UnsafePointer(ws.input)
            for (s, stage) in ws.stages.enumerated() {
                // A pooled stage's layer writes into its own buffer; the pool then fills activations[s].
                let out = ws.layerOutputs[s], w = p + ws.weightOffsets[s], b = ws.biasOffsets[s].map { p + $0 }
                let layer = stage.layer, (height, width) = (stage.input.height, stage.input.width)
                let input = source, inSize = stage.inputSize, outSize = stage.layerOutputSize
                if let pool {
                    forwardOneImage(stage: stage, index: s, input: input, weight: w, bias: b, output: out, pool: pool,
                                    workspace: ws, precision: precision)
                    stage.activation.forward(input: out, output: out, count: outSize)
                } else if (count == 1 && workers > 1) || layer.workSplit == .channels {
                    // One image and several workers, or a layer whose channels never mix: split by output channel,
                    // then the activation by image.
                    if precision != .float32, let fc = layer as? ChannelWiseLinear {
                        let pass = ws.reducedPrecisionForward(fc, precision: precision, parameters: parameters,
                                                              offset: ws.weightOffsets[s])
                        ws.split(fc.channels, workers: workers) { channels, _ in pass(input, count, b, out, channels) }
                    } else {
                        ws.split(layer.outChannels, workers: workers) { channels, worker in
                            layer.forward(input: input, batch: count, height: height, width: width, weight: w, bias: b,
                                          output: out, channels: channels, scratch: ws.scratches[worker])
                        }
                    }
                    ws.split(count, workers: workers) { images, _ in
                        let o = out + images.lowerBound * outSize
                        stage.activation.forward(input: o, output: o, count: images.count * outSize)
                    }
                } else {
                    // Split by images, each worker applies the activation to its own images right after the layer:
                    // no second round of the workers, and the outputs are still in that core's cache.
                    ws.split(count) { images, worker in
                        let o = out + images.lowerBound * outSize
                        layer.forward(input: input + images.lowerBound * inSize, batch: images.count, height: height,
                                      width: width, weight: w, bias: b, output: o, scratch: ws.scratches[worker])
                        stage.activation.forward(input: o, output: o, count: images.count * outSize)
                    }
                }
                if let argmax = ws.poolArgmax[s] {
                    let pooled = ws.activations[s], pooledSize = stage.outputSize
                    ws.split(count) { images, _ in
                        MaxPool2D.forward(pooled + images.lowerBound * pooledSize, argmax: argmax + images.lowerBound * pooledSize,
                                          out + images.lowerBound * outSize, batch: images.count,
                                          channels: stage.layerOutput.channels, height: stage.layerOutput.height,
                                          width: stage.layerOutput.width, window: stage.poolWindow)
                    }
                }
                source = UnsafePointer(ws.activations[s])
            }
        }
    }

    /// One image's layer of stage `index` (input [1, inC, H, W] → output [1, outC, outH, outW], before the
    /// activation) with its output channels handed out as items over `pool`: one item per channel for the
    /// channel-wise layer (16 matrix-vector products of 784×784 in the paper model), and two items per thread
    /// for a convolution, so that a helper that starts late leaves the caller a part to take. Each output
    /// channel is computed exactly as the serial pass computes it for the channel-wise layer (the same kernel
    /// per channel, so bit-identical); a convolution cut to fewer output channels may take another of its
    /// paths (ConvolutionLayer.swift), equal up to float32 rounding.
    private func forwardOneImage(stage: Stage, index s: Int, input: UnsafePointer<Float>, weight w: UnsafePointer<Float>,
                                 bias b: UnsafePointer<Float>?, output out: UnsafeMutablePointer<Float>, pool: WorkerPool,
                                 workspace ws: ContextEncoderWorkspace, precision: InferencePrecision) {
        let layer = stage.layer, (height, width) = (stage.input.height, stage.input.width)
        if precision != .float32, let fc = layer as? ChannelWiseLinear {
            let pass = ws.reducedPrecisionForward(fc, precision: precision, parameters: parameters, offset: ws.weightOffsets[s])
            pool.run(items: fc.channels) { c, _ in pass(input, 1, b, out, c..<(c + 1)) }
            return
        }
        let outC = layer.outChannels
        let parts = layer.workSplit == .channels ? outC : min(outC, 2 * (pool.helpers + 1))
        pool.run(items: parts) { i, worker in
            layer.forward(input: input, batch: 1, height: height, width: width, weight: w, bias: b, output: out,
                          channels: (outC * i / parts)..<(outC * (i + 1) / parts), scratch: ws.scratches[worker])
        }
    }

    /// Backpropagates ∂L/∂output (in workspace.gradientA) through every stage, accumulating into `gradients`
    /// (a flat buffer in the parameters' layout). Needs the activations of the matching forward pass.
    /// `inputGradient` also computes ∂L/∂(network input) [count, inputChannels, 28, 28], which training never
    /// needs, and returns where it is (a workspace buffer, valid until the next pass). `observe(s, dx)` sees
    /// ∂L/∂(input of stage s) for every stage s ≥ 1 (and s = 0 with `inputGradient`) once it is complete.
    @discardableResult
    func backward(count: Int, gradients: UnsafeMutablePointer<Float>, workspace ws: ContextEncoderWorkspace,
                  inputGradient: Bool = false,
                  observe: ((_ stage: Int, _ dInput: UnsafePointer<Float>) -> Void)? = nil) -> UnsafePointer<Float>? {
        var last: UnsafePointer<Float>? = nil
        parameters.values.withUnsafeBufferPointer { pb in
            let p = pb.baseAddress!
            var dOut = ws.gradientA, dIn = ws.gradientB
            for s in stride(from: ws.stages.count - 1, through: 0, by: -1) {
                let stage = ws.stages[s]
                let out = UnsafePointer(ws.layerOutputs[s])
                let input = s == 0 ? UnsafePointer(ws.input) : UnsafePointer(ws.activations[s - 1])
                let inSize = stage.inputSize, outSize = stage.layerOutputSize
                let dy: UnsafeMutablePointer<Float>
                if let argmax = ws.poolArgmax[s] {
                    // ∂L/∂(pooled output) → ∂L/∂(layer output): each gradient goes to the input that won.
                    let dPooled = UnsafePointer(dOut), dLayer = ws.poolGradient, pooledSize = stage.outputSize
                    ws.split(count) { images, _ in
                        let d = dLayer + images.lowerBound * outSize
                        d.update(repeating: 0, count: images.count * outSize)
                        MaxPool2D.backward(dx: d, dy: dPooled + images.lowerBound * pooledSize,
                                           argmax: argmax + images.lowerBound * pooledSize, outputCount: images.count * pooledSize)
                    }
                    dy = dLayer
                } else {
                    dy = dOut
                }
                /// ∂L/∂(pre-activation) of some images, in place; the convolutions' workers run it on their own
                /// images before their part of the layer's backward.
                func activationBackward(_ images: Range<Int>) {
                    let offset = images.lowerBound * outSize
                    stage.activation.backward(output: out + offset, dOutput: dy + offset, dInput: dy + offset,
                                              count: images.count * outSize)
                }
                let layer = stage.layer, (height, width) = (stage.input.height, stage.input.width)
                let w = p + ws.weightOffsets[s], dw = gradients + ws.weightOffsets[s]
                let db = ws.biasOffsets[s].map { gradients + $0 }
                // The input image needs no gradient in training.
                let dx: UnsafeMutablePointer<Float>? = s == 0 && !inputGradient ? nil : dIn
                if layer.workSplit == .channels {
                    // Disjoint channels write disjoint gradients: straight into `gradients`, no private copies.
                    ws.split(count) { images, _ in activationBackward(images) }
                    ws.split(layer.outChannels) { channels, worker in
                        layer.backward(input: input, batch: count, height: height, width: width, weight: w, dOutput: dy,
                                       dInput: dx, dWeight: dw, dBias: db, channels: channels, scratch: ws.scratches[worker])
                    }
                } else {
                    let weightCount = layer.weightCount, biasCount = layer.biasCount
                    /// Worker 0 accumulates straight into `gradients`; the others into private buffers summed afterwards.
                    func targets(_ worker: Int) -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>?) {
                        if worker == 0 { return (dw, db) }
                        let buffer = ws.partialGradients[worker - 1]
                        buffer.update(repeating: 0, count: weightCount + biasCount)
                        return (buffer, db == nil ? nil : buffer + weightCount)
                    }
                    ws.split(count) { images, worker in
                        activationBackward(images)
                        let (tw, tb) = targets(worker)
                        layer.backward(input: input + images.lowerBound * inSize, batch: images.count, height: height,
                                       width: width, weight: w, dOutput: dy + images.lowerBound * outSize,
                                       dInput: dx.map { $0 + images.lowerBound * inSize }, dWeight: tw, dBias: tb,
                                       scratch: ws.scratches[worker])
                    }
                    for worker in 1..<max(1, min(ws.concurrency, count)) {
                        let buffer = ws.partialGradients[worker - 1]
                        for i in 0..<weightCount { dw[i] += buffer[i] }
                        if let db { for i in 0..<biasCount { db[i] += buffer[weightCount + i] } }
                    }
                }
                if let dx, let observe { observe(s, UnsafePointer(dx)) }
                swap(&dOut, &dIn)
            }
            last = UnsafePointer(dOut)
        }
        return inputGradient ? last : nil
    }
}
