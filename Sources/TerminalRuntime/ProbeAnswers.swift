import Datasets
import Evaluation
import Dispatch
import Foundation
import Inpainting
import NeuralCore
import TerminalUI

/// The runtime's side of explain mode and the preset groups' means (issue 13 §2–3): `.explain` and
/// `.measureGroups` run on a serial queue of their own, off the driver's main queue, so a backward pass
/// never delays a frame. Of a burst of questions only the newest of each kind is run (a question that
/// arrives while one runs replaces the one waiting); the answers wait here for `UIRuntime.poll`, and
/// `onNews` says when there is one.
///
/// Each question carries the weights it was asked with (a copy-on-write snapshot), so the answer is for the
/// network the user saw when asking.
final class ProbeAnswers: @unchecked Sendable {
    private let queue = DispatchQueue(label: "inpaint.probe", qos: .userInitiated)
    private let lock = NSLock()
    private var waitingExplain: (effect: Effect, model: ContextEncoder)?
    private var waitingGroups: (effect: Effect, model: ContextEncoder)?
    private var running = false
    private var answers: [Message] = []
    /// Used on `queue` only.
    private var explainer: PixelExplainer?
    private var groupWorkspace: ContextEncoderWorkspace?
    /// The group means run this many digits per pass.
    static let groupBatch = 16

    /// Queues the `.explain` and `.measureGroups` among `effects` (the newest of each) for `model`.
    func ask(_ effects: [Effect], model: ContextEncoder, onNews: (@Sendable () -> Void)?) {
        var explain: Effect?, groups: Effect?
        for effect in effects {
            if case .explain = effect { explain = effect }
            if case .measureGroups = effect { groups = effect }
        }
        guard explain != nil || groups != nil else { return }
        let start: Bool = lock.withLock {
            if let explain { waitingExplain = (explain, model) }
            if let groups { waitingGroups = (groups, model) }
            defer { running = true }
            return !running
        }
        if start { queue.async { self.drain(onNews: onNews) } }
    }

    /// The answers so far, in the order they were made.
    func take() -> [Message] {
        lock.withLock {
            defer { answers.removeAll() }
            return answers
        }
    }

    /// Waits (at most `seconds`) until nothing is waiting or running: before the process exits (OpenBLAS's
    /// teardown crashes a thread inside a product) and in tests.
    @discardableResult
    func waitUntilIdle(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while lock.withLock({ running }) {
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.002)
        }
        return true
    }

    private func drain(onNews: (@Sendable () -> Void)?) {
        while true {
            let next: (effect: Effect, model: ContextEncoder)? = lock.withLock {
                // The explanation first: it follows the pointer; the group means can wait a pass.
                if let explain = waitingExplain { waitingExplain = nil; return explain }
                if let groups = waitingGroups { waitingGroups = nil; return groups }
                running = false
                return nil
            }
            guard let (effect, model) = next else { return }
            let answer = self.answer(effect, model: model)
            lock.withLock { answers.append(answer) }
            onNews?()
        }
    }

    /// One question's answer (on `queue`).
    func answer(_ effect: Effect, model: ContextEncoder) -> Message {
        switch effect {
        case .explain(let revision, let image, let mask, let pixel):
            let explainer = self.explainer ?? PixelExplainer(config: model.config)
            self.explainer = explainer
            return .explained(revision: revision, ProbeAnswers.saliency(explainer.explain(model, image: image, mask: mask, pixel: pixel)))
        case .measureGroups(let revision, let library, let mask, let groups):
            return .groupsMeasured(revision: revision, library: library, groups.map { score($0, mask: mask, model: model) })
        default:
            preconditionFailure("\(effect) is not a probe question")
        }
    }

    static func saliency(_ e: PixelExplanation) -> PixelSaliency {
        let contribution = e.featureContributions.isEmpty ? 0 : e.featureContributions[e.topFeature]
        return PixelSaliency(pixel: e.pixel, value: e.value, gradient: e.inputGradient, topFeature: e.topFeature,
                             topContribution: contribution, featureCount: e.featureContributions.count,
                             topFeatureMap: e.topFeatureMap, featureHeight: e.featureHeight, featureWidth: e.featureWidth)
    }

    /// The group's digits through the network (float32, as `inpaint eval`) with `mask`, scored by the
    /// evaluation's own accumulator: the MSE pooled over the hole pixels.
    private func score(_ group: GroupSample, mask: [Float], model: ContextEncoder) -> GroupScore {
        let batch = ProbeAnswers.groupBatch
        if groupWorkspace?.config != model.config { groupWorkspace = ContextEncoderWorkspace(config: model.config, maxBatch: batch) }
        let workspace = groupWorkspace!
        let masks = Array([[Float]](repeating: mask, count: batch).joined())
        var output = [Float](repeating: 0, count: batch * Digit.pixels)
        var metrics = MetricsAccumulator()
        for first in stride(from: 0, to: group.count, by: batch) {
            let n = min(batch, group.count - first)
            let images = Array(group.images[(first * Digit.pixels)..<((first + n) * Digit.pixels)])
            images.withUnsafeBufferPointer { x in masks.withUnsafeBufferPointer { m in output.withUnsafeMutableBufferPointer { o in
                model.reconstruct(images: x.baseAddress!, masks: m.baseAddress!, count: n, into: o.baseAddress!,
                                  workspace: workspace, precision: .float32)
            } } }
            metrics.add(originals: images, reconstructions: Array(output[0..<(n * Digit.pixels)]),
                        masks: Array(masks[0..<(n * Digit.pixels)]), count: n)
        }
        return GroupScore(name: group.name, mse: metrics.overall.mse, count: group.count)
    }
}
