import FileIO
import Foundation
import Inpainting
import TestSupport
import XCTest

final class MasksFileTests: XCTestCase {
    func testMakeWriteReadRoundTrip() throws {
        let dir = try makeTemporaryDirectory(self)
        let made = MasksFile.make(count: 100, seed: 5)
        XCTAssertEqual(made, MasksFile.make(count: 100, seed: 5))
        XCTAssertNotEqual(made, MasksFile.make(count: 100, seed: 6))
        let url = dir.appendingPathComponent("masks.txt")
        try made.write(to: url, comments: ["made by a test"])
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# made by a test\n"))
        let back = try MasksFile(contentsOf: url)
        XCTAssertEqual(back, made)
        let masks = try back.masks(forImageCount: 100, name: "masks.txt")
        XCTAssertEqual(masks.count, 100 * 784)
        XCTAssertEqual(Array(masks[784..<1568]), made.hole(forImage: 1)!.mask())
    }

    func testCommentsBlankLinesAndOrder() throws {
        let text = """
            # fixed holes
            1 0 0 10 10   # trailing comment

            0\t2 3 4 5\r
            """
        let file = try MasksFile(text: text, name: "m")
        XCTAssertEqual(file.sortedIndices, [0, 1])
        XCTAssertEqual(file.hole(forImage: 0), HoleRect(top: 2, left: 3, height: 4, width: 5))
    }

    func testErrorsNameTheLine() {
        assertDataError(["m:2", "expected 5 fields", "found 4"]) {
            try MasksFile(text: "# c\n0 1 2 3\n", name: "m")
        }
        assertDataError(["m:1", "integer for height", "\"x\""]) { try MasksFile(text: "0 1 2 x 4", name: "m") }
        assertDataError(["m:1", "integer for top", "\"1.5\""]) { try MasksFile(text: "0 1.5 2 3 4", name: "m") }
        assertDataError(["m:1", "inside the 28×28 image", "top 20 left 0 height 10 width 10"]) {
            try MasksFile(text: "0 20 0 10 10", name: "m")
        }
        assertDataError(["m:1", "non-empty", "width 0"]) { try MasksFile(text: "0 1 1 10 0", name: "m") }
        assertDataError(["m:1", "left -1"]) { try MasksFile(text: "0 1 -1 10 10", name: "m") }
        assertDataError(["m:1", "non-negative image index", "-3"]) { try MasksFile(text: "-3 1 1 10 10", name: "m") }
        assertDataError(["m:4", "second hole for image 0", "first on line 1"]) {
            try MasksFile(text: "0 1 1 10 10\n1 1 1 10 10\n\n0 2 2 10 10\n", name: "m")
        }
    }

    func testMasksMustCoverTheImages() throws {
        let file = try MasksFile(text: "0 1 1 10 10\n2 1 1 10 10\n", name: "m")
        assertDataError(["m", "found none for image 1"]) { try file.masks(forImageCount: 3, name: "m") }
        assertDataError(["m", "expected image indices 0…1", "found index 2"]) {
            try file.masks(forImageCount: 2, name: "m")
        }
    }
}
