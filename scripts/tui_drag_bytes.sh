#!/usr/bin/env bash
# Measures what `inpaint tui` writes to the terminal during a scripted mouse drag.
#
# Runs the binary in a private tmux server (120×40, xterm-256color), records everything the program writes
# with `pipe-pane -O`, sends a press, N motion events spaced like a hand's (30 ms) and a release on the
# masked-input panel, quits, and prints the recorded bytes divided by the drag frames the program counted
# in its --stats-file (which also holds the program's own per-frame byte counts).
#
#   scripts/tui_drag_bytes.sh [path/to/inpaint] [extra tui flags…]
#   e.g. scripts/tui_drag_bytes.sh .build/release/inpaint --no-train
set -euo pipefail
binary=${1:-.build/release/inpaint}
shift || true
extra=("$@")
[ ${#extra[@]} -eq 0 ] && extra=(--no-train)

work=$(mktemp -d)
socket="inpaint-bytes-$$"
trap 'tmux -L "$socket" kill-server 2>/dev/null || true; [ -n "${KEEP_RECORDING:-}" ] && cp "$recording" "$KEEP_RECORDING"; rm -rf "$work"' EXIT
stats="$work/stats.json" recording="$work/pty.bin"

tmux -L "$socket" -f /dev/null new-session -d -s m -x 120 -y 40 \
    "env -u NO_COLOR TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $binary tui ${extra[*]} --stats-file $stats" \; \
    set-option -g remain-on-exit on

# Wait for the first frame (the masked-input title), the first reconstruction (the loop runs) and
# button-motion tracking.
for _ in $(seq 200); do
    screen=$(tmux -L "$socket" capture-pane -p -t m)
    grep -q "masked input" <<<"$screen" && ! grep -q "waiting for the model" <<<"$screen" \
        && [[ "$(tmux -L "$socket" display-message -p -t m '#{mouse_button_flag}#{mouse_any_flag}')" == *1* ]] && break
    sleep 0.05
done
read -r mx my < <(tmux -L "$socket" capture-pane -p -t m | awk '{ i = index($0, "masked input"); if (i) { print i - 1, NR - 1; exit } }')
sleep 0.5   # let start-up frames settle before recording
tmux -L "$socket" pipe-pane -O -t m "cat >> $recording"

sgr() { tmux -L "$socket" send-keys -t m -l $'\e'"[<$1;$(($2 + 1));$(($3 + 1))$4"; }
y0=$((my + 2))   # the digit's second cell row
sgr 0 $((mx + 3)) $y0 M
# Out and back: the corner moves down-right for 17 motions, then back up-left.
for step in $(seq 1 17) $(seq 16 -1 1); do
    sgr 32 $((mx + 3 + step)) $((y0 + (step < 10 ? step : 9))) M
    sleep 0.03
done
sgr 0 $((mx + 4)) $((y0 + 1)) m
sleep 0.5
tmux -L "$socket" pipe-pane -t m
tmux -L "$socket" send-keys -t m q
# With training on, q asks first (the UI trained since the last save): quit without saving.
for _ in $(seq 40); do
    [ -s "$stats" ] && break
    tmux -L "$socket" capture-pane -p -t m | grep -q "Quit inpaint?" && { tmux -L "$socket" send-keys -t m n; break; }
    sleep 0.05
done
for _ in $(seq 100); do [ -s "$stats" ] && break; sleep 0.05; done

bytes=$(stat -c %s "$recording")
[ "$bytes" -gt 20000 ] || echo "warning: almost nothing was recorded (the drag did not reach the program); run again" >&2
/usr/bin/env python3 - "$stats" "$bytes" <<'EOF'
import json, sys, statistics
s = json.load(open(sys.argv[1])); recorded = int(sys.argv[2])
frames = max(1, s["dragFrames"])
own = s.get("dragFrameBytes") or []
lat = s["dragLatencyMilliseconds"]
print(f"drag frames {s['dragFrames']}, recorded {recorded} bytes = {recorded / frames:.0f} bytes/frame "
      f"(incl. the press/release frames)")
if own:
    print(f"program's own count per drag frame: mean {statistics.mean(own):.0f}, median {statistics.median(own):.0f}, max {max(own)}")
print(f"cells per drag frame: mean {statistics.mean(s['dragFrameCells']):.0f}; "
      f"latency median {statistics.median(lat):.1f} ms, max {max(lat):.1f} ms; "
      f"reconstruct median {statistics.median(s['reconstructMilliseconds']):.2f} ms; "
      f"first frame {s['firstFrameMilliseconds']:.0f} ms")
parts = [(name, s.get(key) or []) for name, key in
         (("before the view", "dragBeforeViewMilliseconds"), ("view", "dragViewMilliseconds"), ("encode", "dragEncodeMilliseconds"), ("write", "dragWriteMilliseconds"))]
if all(values for _, values in parts):
    print("median per drag frame: "
          + ", ".join(f"{name} {statistics.median(values):.2f} ms" for name, values in parts))
EOF
