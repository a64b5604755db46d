import NeuralCore
import TestSupport
import XCTest

final class FoundationTypesTests: XCTestCase {
    func testTensorIndexingIsRowMajor() {
        var t = Tensor(shape: [2, 3])
        t[1, 2] = 5
        XCTAssertEqual(t.data, [0, 0, 0, 0, 0, 5])
        XCTAssertEqual(t.reshaped([3, 2])[2, 1], 5)
    }

    func testParameterStoreLaysOutTensorsInOrder() {
        var store = ParameterStore(layout: [("a", [2, 2]), ("b", [3])])
        XCTAssertEqual(store.count, 7)
        store.set("b", Tensor(shape: [3], data: [1, 2, 3]))
        XCTAssertEqual(store.values, [0, 0, 0, 0, 1, 2, 3])
        XCTAssertEqual(store.entry(named: "b")?.offset, 4)
        XCTAssertEqual(store.tensor(named: "b")?.data, [1, 2, 3])
        XCTAssertNil(store.tensor(named: "c"))
    }

    func testSeededGeneratorRepeatsAndIsRoughlyUniform() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let xs = (0..<10_000).map { _ in a.nextUnitFloat() }
        let ys = (0..<10_000).map { _ in b.nextUnitFloat() }
        XCTAssertEqual(xs, ys)
        XCTAssertNotEqual(xs.prefix(10).map { $0 }, (0..<10).map { _ in c.nextUnitFloat() })
        let mean = xs.reduce(0, +) / Float(xs.count)
        XCTAssertEqual(mean, 0.5, accuracy: 0.02)
        XCTAssertTrue(xs.allSatisfy { $0 >= 0 && $0 < 1 })
        var n = SeededGenerator(seed: 7)
        let zs = (0..<20_000).map { _ in n.normal() }
        let zm = zs.reduce(0, +) / Float(zs.count)
        let zv = zs.map { ($0 - zm) * ($0 - zm) }.reduce(0, +) / Float(zs.count)
        XCTAssertEqual(zm, 0, accuracy: 0.03)
        XCTAssertEqual(zv, 1, accuracy: 0.05)
    }
}
