import Foundation

@testable import Inpainting   // AdversarialLosses has no public initialiser
import NeuralCore
import TerminalRuntime
import TerminalUI
import TestSupport
import XCTest

/// The trainer's event is the log's line: every case survives encode → `TrainingLog` decode, in the log's
/// field names, and a line that is not an event is refused rather than crashing the reader.
final class TrainingEventCodingTests: XCTestCase {
    private func line(_ event: TrainingEvent) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(event), as: UTF8.self)
    }

    func testEveryEventRoundTripsThroughALogLine() throws {
        let events: [TrainingEvent] = [
            .step(TrainingStep(step: 12, epoch: 2, loss: 0.031, imagesPerSecond: 812.5, learningRate: 1e-3)),
            .step(TrainingStep(step: 13, epoch: 2, loss: 0.03, imagesPerSecond: 790, learningRate: 2e-4,
                               adversarial: AdversarialLosses(discriminator: 1.38, generator: 0.69))),
            .evaluation(step: 100, loss: 0.042),
            .epochFinished(epoch: 3),
            .checkpointWritten(path: "/tmp/run/model.safetensors"),
            .stateChanged(.paused), .stateChanged(.training),
            .stopped(.finished), .stopped(.cancelled), .stopped(.nonFiniteLoss(step: 7)), .stopped(.failed("disk full")),
        ]
        for event in events {
            let text = try line(event)
            XCTAssertEqual(TrainingLog.event(fromLine: Substring(text)), event, text)
        }
    }

    func testTheLineKeepsTheLogsFieldNames() throws {
        let step = try line(.step(TrainingStep(step: 12, epoch: 2, loss: 0.5, imagesPerSecond: 800, learningRate: 0.001,
                                               adversarial: AdversarialLosses(discriminator: .nan, generator: 0.25))))
        XCTAssertEqual(step, "{\"adversarial_loss\":0.25,\"discriminator_loss\":null,\"epoch\":2,\"event\":\"step\","
                       + "\"images_per_second\":800,\"learning_rate\":0.001,\"loss\":0.5,\"step\":12}")
        XCTAssertEqual(try line(.stopped(.nonFiniteLoss(step: 7))), "{\"event\":\"stopped\",\"reason\":\"non-finite loss\",\"step\":7}")
        XCTAssertEqual(try line(.stateChanged(.paused)), "{\"event\":\"state\",\"state\":\"paused\"}")
        let nan = try line(.evaluation(step: 3, loss: .nan))
        XCTAssertEqual(nan, "{\"event\":\"evaluation\",\"loss\":null,\"step\":3}", "JSON has no NaN: null")
    }

    func testALineThatIsNotAnEventIsRefused() {
        for text in ["", "{", "[1,2]", "{\"event\":\"step\"}", "{\"event\":\"step\",\"step\":\"one\",\"loss\":1}",
                     "{\"event\":\"stopped\",\"reason\":\"bored\"}", "{\"event\":\"state\",\"state\":\"dancing\"}",
                     "{\"step\":1,\"loss\":0.1}"] {
            XCTAssertNil(TrainingLog.event(fromLine: Substring(text)), text)
        }
    }
}

/// Issue 15: log lines with steps no run can reach (1e300, ±2⁶³, 1e19) killed `watch` in the chart's
/// arithmetic. The reader skips them; valid lines around them still read.
final class HostileLogLineTests: XCTestCase {
    func testHugeOrNegativeStepsAreSkipped() {
        for number in ["1e300", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1e19", "-1",
                       "1000000001", "-1e300"] {
            for text in ["{\"event\":\"step\",\"step\":\(number),\"loss\":0.2}",
                         "{\"event\":\"evaluation\",\"step\":\(number),\"loss\":0.2}",
                         "{\"event\":\"epoch\",\"epoch\":\(number)}",
                         "{\"event\":\"step\",\"step\":1,\"epoch\":\(number),\"loss\":0.2}",
                         "{\"event\":\"stopped\",\"reason\":\"non-finite loss\",\"step\":\(number)}"] {
                XCTAssertNil(TrainingLog.event(fromLine: Substring(text)), text)
            }
        }
        XCTAssertNotNil(TrainingLog.event(fromLine: "{\"event\":\"step\",\"step\":1000000000,\"loss\":0.2}"))
        XCTAssertNil(TrainingLog.event(fromLine: "{\"event\":\"step\",\"step\":0,\"loss\":1e300}"), "no Float holds it")
    }

    /// Mutated logs through what `watch` does with them: each line decodes or is skipped, and whatever
    /// decodes goes into the loss histories and the chart, which must draw it (20 of 280 mutated logs
    /// crashed `watch` in issue 15).
    func testMutatedLogsDecodeOrAreSkippedAndAlwaysDraw() throws {
        let encoder = JSONEncoder()
        var lines: [String] = []
        for step in 1 ... 12 {
            let event = TrainingEvent.step(TrainingStep(step: step, epoch: 1, loss: 0.3 / Float(step), imagesPerSecond: 800,
                                                        learningRate: 1e-3, adversarial: nil))
            lines.append(String(decoding: try encoder.encode(event), as: UTF8.self))
            if step % 4 == 0 { lines.append(String(decoding: try encoder.encode(TrainingEvent.evaluation(step: step, loss: 0.1)), as: UTF8.self)) }
        }
        let valid = Array((lines.joined(separator: "\n") + "\n").utf8)
        var generator = SeededGenerator(seed: 15)
        let numbers = ["1e300", "9223372036854775807", "-9223372036854775808", "1e19", "-1", "NaN", "1e-400"]
        for _ in 0 ..< mutationCaseCount(300) {
            var text = String(decoding: mutate(valid, using: &generator), as: UTF8.self)
            if Bool.random(using: &generator) {
                text = text.replacingOccurrences(of: "\"step\":\(Int.random(in: 1 ... 12, using: &generator)),",
                                                 with: "\"step\":\(numbers.randomElement(using: &generator)!),")
            }
            var train = LossHistory(), eval = LossHistory()
            for line in text.split(separator: "\n") {
                switch TrainingLog.event(fromLine: line) {
                case .step(let s)?: train.append(step: s.step, loss: s.loss)
                case .evaluation(let step, let loss)?: eval.append(step: step, loss: loss)
                default: break
                }
            }
            let theme = Theme.forStyle(.full)
            for log in [false, true] {
                var buffer = CellBuffer(width: 40, height: 10)
                BrailleChart(series: [.init(points: train.points, style: theme.trainSeries),
                                      .init(points: eval.points, style: theme.evalSeries)], logScale: log)
                    .draw(into: &buffer, x: 0, y: 0, width: 40, height: 10, theme: theme)
            }
        }
    }
}
