import Foundation
import Inpainting

/// Shows training events on stderr: a one-line progress bar redrawn in place on a terminal (at most
/// 10 times a second), plain lines every 50 steps and at every evaluation otherwise.
final class TrainingProgress: @unchecked Sendable {
    private let interactive: Bool
    var totalSteps = 0
    var stepsPerEpoch = 1
    var batchSize = 64
    private var lastDraw: UInt64 = 0
    private var lastEvaluation: Float?
    private var lastStep: TrainingStep?

    init(interactive: Bool) { self.interactive = interactive }

    func show(_ event: TrainingEvent) {
        switch event {
        case .step(let s):
            lastStep = s
            if interactive {
                let now = DispatchTime.now().uptimeNanoseconds
                if now - lastDraw > 100_000_000 || s.step == totalSteps { lastDraw = now; draw(s) }
            } else if s.step % 50 == 0 || s.step == totalSteps {
                write(line(s) + "\n")
            }
        case .evaluation(let step, let loss):
            lastEvaluation = loss
            if !interactive { write("step \(step): held-out hole loss \(format(loss))\n") }
        case .checkpointWritten(let path):
            if !interactive { write("checkpoint written to \(path)\n") }
        case .stopped(.failed(let message)):
            clear(); write("warning: \(message)\n")
        default: break
        }
    }

    func finish() {
        if interactive, let s = lastStep { draw(s); write("\n") }
    }

    func line(_ s: TrainingStep) -> String {
        let total = totalSteps > 0 ? "/\(totalSteps)" : ""
        let epochs = totalSteps > 0 ? "/\((totalSteps + stepsPerEpoch - 1) / stepsPerEpoch)" : ""
        var text = "step \(s.step)\(total)  epoch \(s.epoch)\(epochs)  loss \(format(s.loss))"
        if let e = lastEvaluation { text += "  eval \(format(e))" }
        if let a = s.adversarial { text += "  D \(format(a.discriminator))  G_adv \(format(a.generator))" }
        text += "  \(Int(s.imagesPerSecond.rounded())) img/s"
        if totalSteps > 0, s.imagesPerSecond > 0 {
            let remainingImages = Double(max(0, totalSteps - s.step) * batchSize)
            text += "  ETA \(duration(remainingImages / s.imagesPerSecond))"
        }
        return text
    }

    private func draw(_ s: TrainingStep) {
        var text = line(s)
        if totalSteps > 0 {
            let width = 20, filled = min(width, s.step * width / totalSteps)
            text = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] " + text
        }
        write("\r" + text + "\u{1B}[K")
    }

    private func clear() { if interactive { write("\r\u{1B}[K") } }
    private func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
    private func format(_ x: Float) -> String { String(format: "%.4f", x) }
    private func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m"
            : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
