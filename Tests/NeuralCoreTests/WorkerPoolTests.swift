import Foundation
import NeuralCore
import XCTest

/// The single-image forward's helper threads (issue 16): every item runs once per call, the helpers take a
/// share, a pool's threads end with it, and calls from several threads at once stay correct.
final class WorkerPoolTests: XCTestCase {
    /// Threads of this process, from /proc (Linux).
    private func threadCount() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Threads:") }),
              let n = Int(line.split(separator: "\t").last!.trimmingCharacters(in: .whitespaces)) else {
            throw XCTSkip("no Threads: line in /proc/self/status")
        }
        return n
    }

    /// Runs `items` items that each add 1 to their own slot, `calls` times; every slot must end at `calls`.
    private func checkEveryItemOnce(_ pool: WorkerPool, items: Int, calls: Int, file: StaticString = #filePath, line: UInt = #line) {
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: items)
        slots.initialize(repeating: 0, count: items)
        defer { slots.deallocate() }
        for _ in 0..<calls {
            pool.run(items: items) { item, worker in
                precondition(worker >= 0 && worker <= pool.helpers)
                slots[item] += 1
            }
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: slots, count: items)), [Int](repeating: calls, count: items),
                       file: file, line: line)
    }

    func testEveryItemRunsExactlyOncePerCall() {
        for spin in [0, 100_000] {
            let pool = WorkerPool(helpers: 1, spinNanoseconds: spin)!
            for items in [0, 1, 2, 3, 16, 100] { checkEveryItemOnce(pool, items: items, calls: 300) }
        }
        checkEveryItemOnce(WorkerPool(helpers: 3)!, items: 17, calls: 300)
        checkEveryItemOnce(WorkerPool(helpers: 0)!, items: 5, calls: 10)
    }

    /// Items long enough (~0.2 ms each) that a helper, awake or woken, must take some of them.
    func testHelpersTakeAShare() {
        for spin in [0, 100_000] {
            let pool = WorkerPool(helpers: 1, spinNanoseconds: spin)!
            for _ in 0..<20 {
                pool.run(items: 8) { _, _ in
                    let end = DispatchTime.now().uptimeNanoseconds + 200_000
                    while DispatchTime.now().uptimeNanoseconds < end {}
                }
            }
            XCTAssertEqual(pool.itemsRan(worker: 0) + pool.itemsRan(worker: 1), 160, "spin \(spin)")
            XCTAssertGreaterThan(pool.itemsRan(worker: 1), 0, "spin \(spin): the helper never ran an item")
        }
    }

    /// Each item sees its own worker index only while no other item uses it (scratch indexed by worker is safe).
    func testAWorkerRunsOneItemAtATime() {
        let pool = WorkerPool(helpers: 2)!
        let inUse = UnsafeMutablePointer<Int>.allocate(capacity: 3)
        inUse.initialize(repeating: 0, count: 3)
        defer { inUse.deallocate() }
        let clash = UnsafeMutablePointer<Int>.allocate(capacity: 3)
        clash.initialize(repeating: 0, count: 3)
        defer { clash.deallocate() }
        for _ in 0..<200 {
            pool.run(items: 12) { _, worker in
                if inUse[worker] != 0 { clash[worker] += 1 }
                inUse[worker] = 1
                for _ in 0..<2000 { _ = DispatchTime.now() }
                inUse[worker] = 0
            }
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: clash, count: 3)), [0, 0, 0])
    }

    /// Pools made and dropped leave no thread behind (their helpers are joined), asleep or spinning.
    func testPoolThreadsEndWithThePool() throws {
        let before = try threadCount()
        for spin in [0, 100_000, 10_000_000] {
            var pools: [WorkerPool] = []
            for _ in 0..<8 {
                let pool = WorkerPool(helpers: 1, spinNanoseconds: spin)!
                pool.run(items: 4) { _, _ in }
                pools.append(pool)
            }
            XCTAssertGreaterThanOrEqual(try threadCount(), before + 8)
            pools.removeAll()
            XCTAssertEqual(try threadCount(), before, "spin \(spin)")
        }
    }

    /// Two pools driven from two threads at once, and one pool called from two threads at once (the second
    /// caller runs alone) or from inside one of its own items: every item of every call runs once.
    func testCallsFromSeveralThreadsAtOnce() {
        let shared = WorkerPool(helpers: 1)!
        let own = [WorkerPool(helpers: 1)!, WorkerPool(helpers: 1)!]
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 4 * 16)
        counts.initialize(repeating: 0, count: 4 * 16)
        defer { counts.deallocate() }
        let calls = 400
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            let pool = t < 2 ? own[t] : shared
            for _ in 0..<calls {
                pool.run(items: 16) { item, _ in counts[t * 16 + item] += 1 }
            }
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: counts, count: 64)), [Int](repeating: calls, count: 64))

        var inner = [Int](repeating: 0, count: 4 * 3)
        inner.withUnsafeMutableBufferPointer { slots in
            let base = slots.baseAddress!
            shared.run(items: 4) { outer, _ in
                shared.run(items: 3) { item, worker in
                    XCTAssertEqual(worker, 0)  // the nested call runs on its own thread
                    base[outer * 3 + item] += 1
                }
            }
        }
        XCTAssertEqual(inner, [Int](repeating: 1, count: 12))
    }
}
