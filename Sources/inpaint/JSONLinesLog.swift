import FileIO
import Foundation
import Inpainting

/// `--log FILE.jsonl`: one JSON object per training event, appended and flushed line by line so that
/// `inpaint watch` (or `tail -f`) can follow a run while it goes.
final class JSONLinesLog: @unchecked Sendable {
    private let handle: FileHandle
    private let path: String

    init(path: String) throws {
        self.path = path
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard fm.createFile(atPath: path, contents: nil) else {
                throw DataError("--log \(path)", "expected a writable file, could not create it")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw DataError("--log \(path)", "expected a writable file, could not open it")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func write(_ event: TrainingEvent) {
        var object: [String: Any] = ["time": Date().timeIntervalSince1970]
        switch event {
        case .step(let s):
            object["event"] = "step"; object["step"] = s.step; object["epoch"] = s.epoch
            object["loss"] = Double(s.loss); object["images_per_second"] = s.imagesPerSecond
            object["learning_rate"] = Double("\(s.learningRate)") ?? Double(s.learningRate)
            if let a = s.adversarial {
                object["discriminator_loss"] = a.discriminator.isFinite ? Double(a.discriminator) : NSNull()
                object["adversarial_loss"] = a.generator.isFinite ? Double(a.generator) : NSNull()
            }
        case .evaluation(let step, let loss):
            object["event"] = "evaluation"; object["step"] = step; object["loss"] = Double(loss)
        case .epochFinished(let epoch):
            object["event"] = "epoch"; object["epoch"] = epoch
        case .checkpointWritten(let path):
            object["event"] = "checkpoint"; object["path"] = path
        case .stateChanged(let state):
            object["event"] = "state"; object["state"] = state.rawValue
        case .stopped(let reason):
            object["event"] = "stopped"
            switch reason {
            case .finished: object["reason"] = "finished"
            case .cancelled: object["reason"] = "cancelled"
            case .nonFiniteLoss(let step): object["reason"] = "non-finite loss"; object["step"] = step
            case .failed(let message): object["reason"] = "failed"; object["message"] = message
            }
        }
        // NaN is not JSON: write null for a non-finite loss.
        if let loss = object["loss"] as? Double, !loss.isFinite { object["loss"] = NSNull() }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        handle.write(data + Data("\n".utf8))
    }
}
