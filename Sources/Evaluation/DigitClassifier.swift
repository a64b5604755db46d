import Datasets
import Inpainting
import NeuralCore

/// The project's own digit classifier (issue 4 §2), used to score inpainted composites: a small CNN,
/// PyTorch-equivalent to
///
///     nn.Sequential(conv1 = Conv2d(1, 16, 3, padding=1), ReLU, MaxPool2d(2),     # [N,16,14,14]
///                   conv2 = Conv2d(16, 32, 3, padding=1), ReLU, MaxPool2d(2),    # [N,32,7,7]
///                   Flatten, fc1 = Linear(1568, 64), ReLU, fc2 = Linear(64, 10)) # [N,10] logits
///
/// 105,866 weights (424 kB in Float32). Two 3×3 conv layers and a small dense head are the classic
/// MNIST recipe that reaches about 99% on the test split; fewer weights keep training to minutes on
/// two cores and the shipped file small.
public struct DigitClassifier: Sendable, Equatable {
    public static let classes = 10
    static let c1 = 16, c2 = 32, hidden = 64, kernel = 3
    static let flat = c2 * 7 * 7
    static let conv1Layer = Conv2D(inChannels: 1, outChannels: c1, kernelSize: kernel, padding: 1, hasBias: true)
    static let conv2Layer = Conv2D(inChannels: c1, outChannels: c2, kernelSize: kernel, padding: 1, hasBias: true)

    /// The parameter names and shapes, in storage (state_dict) order.
    public static let layout: [(name: String, shape: [Int])] = [
        ("conv1.weight", [c1, 1, kernel, kernel]), ("conv1.bias", [c1]),
        ("conv2.weight", [c2, c1, kernel, kernel]), ("conv2.bias", [c2]),
        ("fc1.weight", [hidden, flat]), ("fc1.bias", [hidden]),
        ("fc2.weight", [classes, hidden]), ("fc2.bias", [classes]),
    ]

    public var parameters: ParameterStore
    /// The data set it was trained on (its file's `inpaint.dataset`; MNIST when the file does not say).
    /// The same network serves Fashion-MNIST's ten classes.
    public var dataset: DatasetKind = .mnist

    /// Wraps loaded weights; the store must have exactly `layout`.
    public init(parameters: ParameterStore) {
        precondition(parameters.entries.map(\.name) == Self.layout.map(\.name)
                     && parameters.entries.map(\.shape) == Self.layout.map(\.shape),
                     "classifier parameters do not match DigitClassifier.layout")
        self.parameters = parameters
    }

    /// Fresh weights: He-uniform U(±√(6/fan_in)) for weights (suits ReLU; He et al. 2015), zero biases.
    public init(seed: UInt64) {
        var store = ParameterStore(layout: Self.layout)
        var rng = SeededGenerator(seed: seed)
        for e in store.entries where e.name.hasSuffix(".weight") {
            let bound = (6 / Float(e.shape.dropFirst().reduce(1, *))).squareRoot()
            for i in e.offset..<(e.offset + e.count) { store.values[i] = rng.uniform(-bound, bound) }
        }
        parameters = store
    }

    /// Class probabilities. images: [count, 784] in [0, 1] → count rows of 10 probabilities.
    public func predict(images: [Float], count: Int) -> [[Float]] {
        precondition(images.count == count * Digit.pixels, "predict expects \(count)×784 floats, got \(images.count)")
        var result: [[Float]] = []
        result.reserveCapacity(count)
        let chunk = 256
        var workspace = ClassifierWorkspace(batch: min(chunk, max(count, 1)))
        var start = 0
        while start < count {
            let n = min(chunk, count - start)
            let probs = images.withUnsafeBufferPointer { buffer in
                workspace.forward(self, images: buffer.baseAddress! + start * Digit.pixels, batch: n)
            }
            for i in 0..<n { result.append(Array(probs[(i * Self.classes)..<((i + 1) * Self.classes)])) }
            start += n
        }
        return result
    }

    /// The `k` most probable digits of one image, most probable first: (digit, probability).
    public func top(_ k: Int = 3, of image: [Float]) -> [(digit: Int, probability: Float)] {
        Self.top(k, of: predict(images: image, count: 1)[0])
    }

    /// The `k` largest entries of a probability row, largest first (ties by smaller digit).
    public static func top(_ k: Int, of probabilities: [Float]) -> [(digit: Int, probability: Float)] {
        probabilities.enumerated()
            .sorted { $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset) }
            .prefix(k).map { ($0.offset, $0.element) }
    }

    /// The most probable digit of each image: [count, 784] → [count].
    public func labels(images: [Float], count: Int) -> [Int] {
        predict(images: images, count: count).map { Self.top(1, of: $0)[0].digit }
    }
}

/// Activations and gradients for one batch of at most `capacity` images, allocated once and reused.
struct ClassifierWorkspace {
    typealias C = DigitClassifier
    let capacity: Int
    var conv1: [Float], pool1: [Float], arg1: [Int32]
    var conv2: [Float], pool2: [Float], arg2: [Int32]
    var hidden: [Float], logits: [Float], probabilities: [Float]
    // Gradients of the activations above.
    var dConv1: [Float], dPool1: [Float], dConv2: [Float], dPool2: [Float], dHidden: [Float], dLogits: [Float]
    /// One image's im2col columns for either convolution.
    var scratch: [Float]

    init(batch: Int) {
        capacity = batch
        func buffer(_ perImage: Int) -> [Float] { [Float](repeating: 0, count: batch * perImage) }
        conv1 = buffer(C.c1 * 784); pool1 = buffer(C.c1 * 196)
        conv2 = buffer(C.c2 * 196); pool2 = buffer(C.flat)
        arg1 = [Int32](repeating: 0, count: batch * C.c1 * 196)
        arg2 = [Int32](repeating: 0, count: batch * C.flat)
        hidden = buffer(C.hidden); logits = buffer(C.classes); probabilities = buffer(C.classes)
        dConv1 = buffer(C.c1 * 784); dPool1 = buffer(C.c1 * 196); dConv2 = buffer(C.c2 * 196)
        dPool2 = buffer(C.flat); dHidden = buffer(C.hidden); dLogits = buffer(C.classes)
        scratch = [Float](repeating: 0, count: max(C.conv1Layer.scratchCount(height: 28, width: 28),
                                                   C.conv2Layer.scratchCount(height: 14, width: 14)))
    }

    /// x: [batch, 1, 28, 28] → probabilities [batch, 10] (a view of this workspace's buffer).
    mutating func forward(_ model: DigitClassifier, images x: UnsafePointer<Float>, batch n: Int,
                          labels: UnsafePointer<Int32>? = nil) -> ArraySlice<Float> {
        precondition(n <= capacity)
        let p = model.parameters
        func offset(_ name: String) -> Int { p.entry(named: name)!.offset }
        let (w1, b1, w2, b2) = (offset("conv1.weight"), offset("conv1.bias"), offset("conv2.weight"), offset("conv2.bias"))
        let (w3, b3, w4, b4) = (offset("fc1.weight"), offset("fc1.bias"), offset("fc2.weight"), offset("fc2.bias"))
        p.values.withUnsafeBufferPointer { wb in
            let w = wb.baseAddress!
            C.conv1Layer.forward(input: x, batch: n, height: 28, width: 28, weight: w + w1, bias: w + b1,
                            output: &conv1, scratch: &scratch)
            relu(&conv1, n * C.c1 * 784)
            MaxPool2D.forward(&pool1, argmax: &arg1, conv1, batch: n, channels: C.c1, height: 28, width: 28, window: 2)
            C.conv2Layer.forward(input: pool1, batch: n, height: 14, width: 14, weight: w + w2, bias: w + b2,
                            output: &conv2, scratch: &scratch)
            relu(&conv2, n * C.c2 * 196)
            MaxPool2D.forward(&pool2, argmax: &arg2, conv2, batch: n, channels: C.c2, height: 14, width: 14, window: 2)
            Linear.forward(&hidden, pool2, w + w3, w + b3, batch: n, inputs: C.flat, outputs: C.hidden)
            relu(&hidden, n * C.hidden)
            Linear.forward(&logits, hidden, w + w4, w + b4, batch: n, inputs: C.hidden, outputs: C.classes)
        }
        lastLoss = SoftmaxCrossEntropy.forward(probabilities: &probabilities, logits: logits, labels: labels,
                                               batch: n, classes: C.classes)
        return probabilities[0..<(n * C.classes)]
    }

    /// The mean cross-entropy of the last `forward` that was given labels.
    var lastLoss: Float = 0

    /// After `forward(…, labels:)` on the same batch: grads [same layout as parameters] += ∂loss/∂θ.
    mutating func backward(_ model: DigitClassifier, images x: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                           batch n: Int, gradients: inout [Float]) {
        let p = model.parameters
        func offset(_ name: String) -> Int { p.entry(named: name)!.offset }
        let (w1, b1, w2, b2) = (offset("conv1.weight"), offset("conv1.bias"), offset("conv2.weight"), offset("conv2.bias"))
        let (w3, b3, w4, b4) = (offset("fc1.weight"), offset("fc1.bias"), offset("fc2.weight"), offset("fc2.bias"))
        SoftmaxCrossEntropy.backward(dlogits: &dLogits, probabilities: probabilities, labels: labels,
                                     batch: n, classes: C.classes)
        zero(&dHidden, n * C.hidden); zero(&dPool2, n * C.flat)
        zero(&dConv2, n * C.c2 * 196); zero(&dConv1, n * C.c1 * 784)  // dPool1 is overwritten by conv2
        p.values.withUnsafeBufferPointer { wb in
            gradients.withUnsafeMutableBufferPointer { gb in
                let w = wb.baseAddress!, g = gb.baseAddress!
                Linear.backward(dx: &dHidden, dweight: g + w4, dbias: g + b4, dy: dLogits, x: hidden,
                                weight: w + w4, batch: n, inputs: C.hidden, outputs: C.classes)
                reluBackward(&dHidden, output: hidden, n * C.hidden)
                Linear.backward(dx: &dPool2, dweight: g + w3, dbias: g + b3, dy: dHidden, x: pool2,
                                weight: w + w3, batch: n, inputs: C.flat, outputs: C.hidden)
                MaxPool2D.backward(dx: &dConv2, dy: dPool2, argmax: arg2, outputCount: n * C.flat)
                reluBackward(&dConv2, output: conv2, n * C.c2 * 196)
                C.conv2Layer.backward(input: pool1, batch: n, height: 14, width: 14, weight: w + w2, dOutput: dConv2,
                                 dInput: &dPool1, dWeight: g + w2, dBias: g + b2, scratch: &scratch)
                MaxPool2D.backward(dx: &dConv1, dy: dPool1, argmax: arg1, outputCount: n * C.c1 * 196)
                reluBackward(&dConv1, output: conv1, n * C.c1 * 784)
                C.conv1Layer.backward(input: x, batch: n, height: 28, width: 28, weight: w + w1, dOutput: dConv1,
                                 dInput: nil, dWeight: g + w1, dBias: g + b1, scratch: &scratch)
            }
        }
    }

    /// The project's one ReLU (`Activation.relu`, AVX2 where the CPU has it), in place.
    private func relu(_ v: inout [Float], _ count: Int) {
        v.withUnsafeMutableBufferPointer { b in Activation.relu.forward(input: b.baseAddress!, output: b.baseAddress!, count: count) }
    }

    /// d ⊙= (output > 0): ReLU's gradient, read from its output (0 exactly where it clipped).
    private func reluBackward(_ d: inout [Float], output: [Float], _ count: Int) {
        d.withUnsafeMutableBufferPointer { db in
            output.withUnsafeBufferPointer { ob in
                Activation.relu.backward(output: ob.baseAddress!, dOutput: db.baseAddress!, dInput: db.baseAddress!, count: count)
            }
        }
    }

    private func zero(_ v: inout [Float], _ count: Int) {
        v.withUnsafeMutableBufferPointer { b in b.baseAddress!.update(repeating: 0, count: count) }
    }
}
