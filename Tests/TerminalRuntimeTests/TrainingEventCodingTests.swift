import Foundation

@testable import Inpainting   // AdversarialLosses has no public initialiser
import TerminalRuntime
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
}
