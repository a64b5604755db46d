import NeuralCore
import XCTest

/// The project's one seeded shuffle and bounded draw (`SeededGenerator.permutation`, `index(below:)`).
final class RandomTests: XCTestCase {
    func testPermutationIsSeededAndComplete() {
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        let p = a.permutation(count: 1000)
        XCTAssertEqual(p, b.permutation(count: 1000))
        XCTAssertEqual(p.sorted(), Array(0..<1000))
        XCTAssertNotEqual(p, Array(0..<1000))
        XCTAssertEqual(a.permutation(count: 0), [])
    }

    func testIndexBelowStaysInRangeAndRepeats() {
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        let draws = (0..<1000).map { _ in a.index(below: 7) }
        XCTAssertEqual(draws, (0..<1000).map { _ in b.index(below: 7) })
        XCTAssertEqual(Set(draws), Set(0..<7), "every value of 0..<7 is drawn")
    }
}
