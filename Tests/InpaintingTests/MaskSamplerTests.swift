import Inpainting
import NeuralCore
import XCTest

final class MaskSamplerTests: XCTestCase {
    func testRectanglesStayInTheAreaRangeInsideTheImage() {
        let sampler = RectangleHoleSampler()
        var rng = SeededGenerator(seed: 1)
        var areas: [Int] = []
        var tops = Set<Int>(), lefts = Set<Int>(), heights = Set<Int>()
        for _ in 0..<20_000 {
            let r = sampler.sample(using: &rng)
            XCTAssertTrue(r.fits(), "\(r) leaves the image")
            XCTAssertTrue((98...196).contains(r.area), "\(r) has area \(r.area)")
            XCTAssertLessThanOrEqual(Double(max(r.height, r.width)), 3 * Double(min(r.height, r.width)))
            areas.append(r.area); tops.insert(r.top); lefts.insert(r.left); heights.insert(r.height)
        }
        // "Anywhere" and "aspect varied": every row and column can start a hole; both extremes of area occur.
        XCTAssertEqual(tops.count, 23)  // the shortest hole is 6 rows tall: tops 0…22
        XCTAssertEqual(lefts.count, 23)
        XCTAssertGreaterThan(heights.count, 10)
        XCTAssertLessThan(areas.min()!, 102)
        XCTAssertGreaterThan(areas.max()!, 190)
        let mean = Double(areas.reduce(0, +)) / Double(areas.count)
        XCTAssertEqual(mean, 146, accuracy: 5)
    }

    func testShapesAreEveryAllowedPair() {
        let shapes = RectangleHoleSampler().shapes
        XCTAssertTrue(shapes.contains { $0 == (7, 14) })
        XCTAssertTrue(shapes.contains { $0 == (14, 14) })
        XCTAssertFalse(shapes.contains { $0 == (14, 15) })   // 210 > 196
        XCTAssertFalse(shapes.contains { $0 == (5, 20) })    // aspect 4
        XCTAssertFalse(shapes.contains { $0 == (9, 10) })    // 90 < 98
    }

    func testSamplersRepeatForASeed() {
        for kind in MaskSamplerKind.allCases {
            var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
            let sampler = MaskSampler(kind: kind)
            let first = sampler.sampleMasks(count: 50, using: &a)
            XCTAssertEqual(first, sampler.sampleMasks(count: 50, using: &b), "\(kind) differs for one seed")
            XCTAssertNotEqual(first, sampler.sampleMasks(count: 50, using: &c), "\(kind) ignores the seed")
        }
    }

    func testStrokesStayInTheAreaRangeAndAreNotRectangles() {
        let sampler = StrokeHoleSampler()
        var rng = SeededGenerator(seed: 7)
        var areas: [Int] = []
        var notRectangular = 0
        for _ in 0..<2_000 {
            let mask = sampler.sample(using: &rng)
            XCTAssertEqual(mask.count, 784)
            XCTAssertTrue(mask.allSatisfy { $0 == 0 || $0 == 1 })
            let hole = mask.indices.filter { mask[$0] == 0 }
            areas.append(hole.count)
            let rows = hole.map { $0 / 28 }, cols = hole.map { $0 % 28 }
            let box = (rows.max()! - rows.min()! + 1) * (cols.max()! - cols.min()! + 1)
            if box > hole.count { notRectangular += 1 }
        }
        XCTAssertTrue(areas.allSatisfy { (98...196).contains($0) }, "area out of range: \(areas.min()!)…\(areas.max()!)")
        XCTAssertLessThan(areas.min()!, 110)
        XCTAssertGreaterThan(areas.max()!, 185)
        XCTAssertGreaterThan(notRectangular, 1_900)
    }

    func testMixedDrawsBothKinds() {
        var rng = SeededGenerator(seed: 3)
        let sampler = MaskSampler(kind: .mixed)
        var rectangles = 0
        for _ in 0..<400 {
            if case .rectangle = sampler.sample(using: &rng) { rectangles += 1 }
        }
        XCTAssertTrue((150...250).contains(rectangles), "\(rectangles) of 400 were rectangles")
    }

    func testRectangleMaskMatchesHoleArea() {
        var rng = SeededGenerator(seed: 9)
        let hole = MaskSampler(kind: .rect).sample(using: &rng)
        XCTAssertEqual(hole.mask().filter { $0 == 0 }.count, hole.holeArea)
    }
}
