import CKernels
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Pointwise activations. Forward may run in place (output == input); backward needs only the forward
/// OUTPUT (each of these is monotone, so the output's sign or value determines the derivative) and may run
/// in place too (dInput == dOutput), so a network keeps one buffer per layer.
public enum Activation: Sendable, Equatable, Codable {
    case identity
    /// max(x, 0)
    case relu
    /// x for x > 0, slope·x otherwise (slope > 0; the context encoder uses 0.2, after Radford et al. DCGAN)
    case leakyReLU(slope: Float)
    /// 1 / (1 + e^−x)
    case sigmoid

    /// Off: the Swift loops below even where AVX2 exists. Only for tests comparing the two; set it before any
    /// pass runs, never while one does.
    nonisolated(unsafe) public static var usesCKernels = true

    /// AVX2 (CKernels/Activations.c, bit-identical to the loops below), where the CPU has it.
    static var kernelsApply: Bool { usesCKernels && ck_activation_supported() != 0 }

    /// output[i] = f(input[i]) for i < count.
    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity:
            if UnsafePointer(output) != input { output.update(from: input, count: count) }
        case .relu where Self.kernelsApply:
            ck_rectify_forward(input, output, count, 0)
        case .leakyReLU(let slope) where Self.kernelsApply && slope > 0:
            ck_rectify_forward(input, output, count, slope)
        case .relu:
            for i in 0..<count { output[i] = max(input[i], 0) }
        case .leakyReLU(let slope):
            precondition(slope > 0, "leakyReLU slope must be positive so that backward can read the output's sign")
            for i in 0..<count { let x = input[i]; output[i] = x > 0 ? x : slope * x }
        case .sigmoid:
            for i in 0..<count { output[i] = 1 / (1 + expf(-input[i])) }
        }
    }

    /// dInput[i] = dOutput[i] · f′ evaluated through the forward output y = f(x).
    ///   relu: y > 0 ? 1 : 0 (PyTorch's choice at 0);  leakyReLU: y > 0 ? 1 : slope;  sigmoid: y·(1 − y).
    public func backward(output: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
                         dInput: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity:
            if UnsafePointer(dInput) != dOutput { dInput.update(from: dOutput, count: count) }
        case .relu where Self.kernelsApply:
            ck_rectify_backward(output, dOutput, dInput, count, 0)
        case .leakyReLU(let slope) where Self.kernelsApply && slope > 0:
            ck_rectify_backward(output, dOutput, dInput, count, slope)
        case .sigmoid where Self.kernelsApply:
            ck_sigmoid_backward(output, dOutput, dInput, count)
        case .relu:
            for i in 0..<count { dInput[i] = output[i] > 0 ? dOutput[i] : 0 }
        case .leakyReLU(let slope):
            for i in 0..<count { dInput[i] = output[i] > 0 ? dOutput[i] : slope * dOutput[i] }
        case .sigmoid:
            for i in 0..<count { let y = output[i]; dInput[i] = dOutput[i] * y * (1 - y) }
        }
    }
}

// MARK: Tensor-level wrappers (allocating; for tests and small code)

extension Activation {
    public func forward(_ x: Tensor) -> Tensor {
        var y = x
        x.data.withUnsafeBufferPointer { xp in y.data.withUnsafeMutableBufferPointer { yp in
            forward(input: xp.baseAddress!, output: yp.baseAddress!, count: x.count)
        } }
        return y
    }

    /// y: the forward output; dOutput: same shape → dInput.
    public func backward(output y: Tensor, dOutput: Tensor) -> Tensor {
        precondition(y.shape == dOutput.shape, "activation backward: output \(y.shape) vs dOutput \(dOutput.shape)")
        var dx = dOutput
        y.data.withUnsafeBufferPointer { yp in dOutput.data.withUnsafeBufferPointer { gp in dx.data.withUnsafeMutableBufferPointer { dp in
            backward(output: yp.baseAddress!, dOutput: gp.baseAddress!, dInput: dp.baseAddress!, count: y.count)
        } } }
        return dx
    }
}
