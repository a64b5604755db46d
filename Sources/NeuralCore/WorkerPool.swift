import CKernels

/// Persistent helper threads for work too short to wake threads for each time: the single-image forward
/// (issue 16), seven layers of ~0.1 ms, each cut into a few items. The helpers spin for `spinNanoseconds`
/// after each job, because the next layer's job follows within microseconds, and then sleep until the next
/// call, so an idle UI costs no CPU. Items are handed out one at a time (CKernels' `ck_pool_run`): a helper
/// that starts late (asleep, or descheduled by training on the other core) takes fewer items and the caller
/// takes the rest, so a call never waits for a helper that has not begun.
///
/// One caller at a time is the intended use (a workspace owns its pool); a second caller during a call, from
/// another thread or from inside an item, runs its own items alone on its thread instead of waiting.
public final class WorkerPool: @unchecked Sendable {
    private let pool: OpaquePointer
    /// Threads besides the caller.
    public let helpers: Int
    public let spinNanoseconds: Int

    /// The spin after each job: long enough to span the gap between two layers of a forward (the caller's
    /// activation, a few microseconds), so that only the forward's first layer wakes the helper; far shorter
    /// than a drag's 30 ms between motions, which no spin spans. Measured with `inpaint bench --forward-only
    /// --pause-ms 30` on the shared, loaded 2-core machine (docs/RESULTS.md, issue 16): 0 and 20 µs were level
    /// and beat 100 and 500 µs in 10 of 13 runs (a spinning helper takes a core that others wait for).
    public static let defaultSpinNanoseconds = 20_000

    /// nil when the threads cannot be started (the caller then runs its work alone).
    public init?(helpers: Int, spinNanoseconds: Int = WorkerPool.defaultSpinNanoseconds) {
        precondition(helpers >= 0 && helpers <= 64, "WorkerPool: helpers must be in 0...64, got \(helpers)")
        guard let pool = ck_pool_create(Int32(helpers), spinNanoseconds) else { return nil }
        self.pool = pool
        self.helpers = helpers
        self.spinNanoseconds = spinNanoseconds
    }

    deinit { ck_pool_destroy(pool) }

    /// Runs body(item, worker) for every item in 0..<items, on this thread (worker 0) and the helpers
    /// (1...helpers), and returns when all are done. Each worker runs one item at a time, so scratch indexed by
    /// `worker` is private to the item that uses it. body must be safe to call from several threads at once.
    public func run(items: Int, _ body: (_ item: Int, _ worker: Int) -> Void) {
        precondition(items >= 0 && items <= 0xffff, "WorkerPool: items must be in 0...65535, got \(items)")
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafeMutablePointer(to: &task) { context in
                ck_pool_run(pool, Int32(items), { context, item, worker in
                    context!.assumingMemoryBound(to: ((Int, Int) -> Void).self).pointee(Int(item), Int(worker))
                }, context)
            }
        }
    }

    /// Items `worker` has run since the pool was made (0: the callers, 1...helpers: the helpers).
    public func itemsRan(worker: Int) -> Int { ck_pool_items_ran(pool, Int32(worker)) }
}
