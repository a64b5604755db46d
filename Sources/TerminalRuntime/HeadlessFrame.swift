import Dispatch
import TerminalUI

/// `inpaint tui --screenshot`: the UI run without a terminal for one frame. The state goes through the same
/// `update` and the runtime through the same `perform` as in the driver; only the clock and ncurses are
/// missing: training takes exactly the steps asked for (single steps of the paused background trainer; in a
/// comparison preset, that many turns of each network, one step each in turn), then one tick asks for the
/// reconstruction and the panels' answers with the weights it reached (explain mode's saliency and the group
/// means too, waited for), and the frame is `view` of the state that results.
public enum HeadlessFrame {
    /// What the run showed and how far training got.
    public struct Outcome {
        public var screen: CellBuffer
        /// The training steps taken (fewer than asked when the recipe ended first, or training failed); in a
        /// comparison, those of the network that took the fewest.
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
        let comparison = runtime.compared?.trains == true
        // Steps seen per model (model 0's arrive as `.training`, the others' as `.comparedTraining`).
        var taken = Array(repeating: 0, count: comparison ? state.comparison.count : 1)
        if steps > 0 {
            let news = DispatchSemaphore(value: 0)
            runtime.onNews = { news.signal() }
            runtime.startTraining(singleSteps: steps)
            var done = false
            while !done {
                let messages = runtime.poll()
                for message in messages {
                    switch message {
                    case .training(.step): taken[0] += 1
                    case .comparedTraining(let model, .step) where model < taken.count: taken[model] += 1
                    // One trainer waits for the next single step: every event of the last one is out.
                    case .training(.stateChanged(.paused)) where !comparison && taken[0] >= steps: done = true
                    // The networks of a comparison have had their steps (their last events come with the
                    // final poll, once `finish` has waited for their threads).
                    case .training(.stateChanged(.paused)) where comparison: done = true
                    case .training(.stopped(.finished)) where comparison: done = true
                    case .training(.stopped) where !comparison: done = true
                    default: break
                    }
                }
                send(messages)
                if !done { _ = news.wait(timeout: .now() + .milliseconds(200)) }
            }
        }
        // Leaves the trainers' runs, so that their snapshots are the weights of their last steps, and takes
        // what they said on the way out (a comparison's last steps and evaluations).
        _ = runtime.finish(saving: false)
        let last = runtime.poll()
        for case .comparedTraining(let model, .step) in last where model < taken.count { taken[model] += 1 }
        for case .training(.step) in last { taken[0] += 1 }
        send(last)
        runtime.onNews = nil
        send([.tick])
        // Explain mode's saliency and a preset's group means are answered off this thread: the frame waits
        // for them, as the screen on a terminal would show them a moment later.
        runtime.waitForProbeAnswers(seconds: 60)
        send(runtime.poll())
        return Outcome(screen: view(state), steps: taken.min() ?? 0, state: state)
    }
}
