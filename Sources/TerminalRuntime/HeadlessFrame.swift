import Dispatch
import TerminalUI

/// `inpaint tui --screenshot`: the UI run without a terminal for one frame. The state goes through the same
/// `update` and the runtime through the same `perform` as in the driver; only the clock and ncurses are
/// missing: training takes exactly the steps asked for (single steps of the paused background trainer), then
/// one tick asks for the reconstruction and the panels' answers with the weights it reached, and the frame
/// is `view` of the state that results.
public enum HeadlessFrame {
    /// What the run showed and how far training got.
    public struct Outcome {
        public var screen: CellBuffer
        /// The training steps taken (fewer than asked when the recipe ended first, or training failed).
        public var steps: Int
        /// The state the frame was drawn from.
        public var state: AppState
    }

    /// Trains `steps` steps of `runtime`'s background training (none when 0), then draws `state`'s frame.
    /// The runtime is finished without saving: a screenshot never writes a checkpoint.
    public static func render(_ state: AppState, runtime: UIRuntime, afterSteps steps: Int) -> Outcome {
        precondition(steps >= 0, "negative step count \(steps)")
        var state = state
        func send(_ messages: [Message]) {
            var effects = messages.flatMap { update(&state, $0) }
            while !effects.isEmpty { effects = runtime.perform(effects).flatMap { update(&state, $0) } }
        }
        var taken = 0
        if steps > 0 {
            let news = DispatchSemaphore(value: 0)
            runtime.onNews = { news.signal() }
            runtime.startTraining(singleSteps: steps)
            var done = false
            while !done {
                let messages = runtime.poll()
                for message in messages {
                    guard case .training(let event) = message else { continue }
                    switch event {
                    case .step: taken += 1
                    // The trainer waits for the next single step: every event of the last one is out.
                    case .stateChanged(.paused) where taken >= steps: done = true
                    case .stopped: done = true
                    default: break
                    }
                }
                send(messages)
                if !done { _ = news.wait(timeout: .now() + .milliseconds(200)) }
            }
            runtime.onNews = nil
        }
        // Leaves the trainer's run, so that its snapshot is the weights of its last step.
        _ = runtime.finish(saving: false)
        send([.tick])
        return Outcome(screen: view(state), steps: taken, state: state)
    }
}
