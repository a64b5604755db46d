#!/usr/bin/env python3
"""How long the screen of `inpaint tui` takes to settle after a drag over a thin link.

Runs the binary in a private tmux server (120x40, xterm-256color), first on a fast link (straight in the
pane) and then behind ../shared/tools/slowlink.py (the program's output queued without bound and delivered
at --rate bytes/s after --delay seconds, as ssh over a thin line). Each run does the same drag on the
masked-input panel: a press, 60 motions spread evenly over 2 s (out and back, like a hand), and a release
at the last motion's cell. The fast run's screen one second after the release (colours included,
`capture-pane -e`) is the reference; for each slow run the script prints the time from sending the release
until the pane shows exactly that screen.

    scripts/tui_slowlink_settle.py [--binary .build/release/inpaint] [--rate 8000 16000 32000] [--delay 0.05]
                                   [--runs 3] [--slowlink ../shared/tools/slowlink.py] [-- extra tui flags]

Prints one line per run and the median per rate. Timing is by the wall clock of a machine that may be busy:
say how loaded it was next to the numbers.
"""
import argparse, os, shlex, statistics, subprocess, sys, time

TIMEOUT = 30.0  # seconds after the release before a run counts as never settling


def tmux(socket, *args, check=True):
    return subprocess.run(["tmux", "-L", socket, *args], check=check, capture_output=True, text=True).stdout


def capture(socket):
    return canonical(tmux(socket, "capture-pane", "-p", "-e", "-N", "-t", "m"))


def canonical(text):
    """What a person sees in a `capture-pane -e` screen, cell by cell, whatever the spelling: the program's
    encoder writes a cell in whichever of its equal-looking spellings is cheapest from the pen it holds
    (a blank's foreground is not seen; '▄' is '▀' with the colours swapped; a cell whose halves match is a
    blank or '█'), so two screens that look the same can differ in their escape sequences."""
    rows, fg, bg, attrs = [], "d", "d", frozenset()
    for line in text.split("\n"):
        cells, i = [], 0
        while i < len(line):
            if line[i] == "\x1b" and line.startswith("[", i + 1):
                end = i + 2
                while end < len(line) and not line[end].isalpha():
                    end += 1
                if end < len(line) and line[end] == "m":
                    params = [int(p) if p else 0 for p in line[i + 2:end].split(";")]
                    k = 0
                    while k < len(params):
                        p = params[k]
                        if p == 0:
                            fg, bg, attrs = "d", "d", frozenset()
                        elif p in (38, 48) and k + 2 < len(params) and params[k + 1] == 5:
                            if p == 38:
                                fg = params[k + 2]
                            else:
                                bg = params[k + 2]
                            k += 2
                        elif p == 39:
                            fg = "d"
                        elif p == 49:
                            bg = "d"
                        elif 30 <= p <= 37 or 90 <= p <= 97:
                            fg = p - 30 if p < 90 else p - 82
                        elif 40 <= p <= 47 or 100 <= p <= 107:
                            bg = p - 40 if p < 100 else p - 92
                        elif p in (1, 2, 4, 7):
                            attrs = attrs | {p}
                        elif p == 22:
                            attrs = attrs - {1, 2}
                        k += 1
                i = end + 1
                continue
            ch = line[i]
            upper, lower = None, None
            if not attrs and ch in " \u2588\u2580\u2584":
                upper, lower = {" ": (bg, bg), "\u2588": (fg, fg), "\u2580": (fg, bg), "\u2584": (bg, fg)}[ch]
                cells.append(("half", upper, lower))
            else:
                cells.append((ch, fg, bg, attrs))
            i += 1
        while cells and cells[-1] == ("half", "d", "d"):
            cells.pop()
        rows.append(tuple(cells))
    while rows and not rows[-1]:
        rows.pop()
    return tuple(rows)


def start(socket, command):
    tmux(socket, "-f", "/dev/null", "new-session", "-d", "-s", "m", "-x", "120", "-y", "40", command,
         ";", "set-option", "-g", "remain-on-exit", "on")


def wait_ready(socket, deadline=60.0):
    """Waits for the first reconstruction and button-motion tracking, then for the screen to hold still for
    a second (a slow link is still delivering the start-up frames long after the program drew them)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        screen = tmux(socket, "capture-pane", "-p", "-t", "m")
        # Button-motion (?1002h) or any-motion (?1003h, the hover readout) tracking: either reports the drag.
        flags = tmux(socket, "display-message", "-p", "-t", "m", "#{mouse_button_flag}#{mouse_any_flag}").strip()
        if "masked input" in screen and "waiting for the model" not in screen and "1" in flags:
            break
        time.sleep(0.05)
    else:
        raise RuntimeError("the UI did not start (no masked-input panel with a reconstruction)")
    last, still = capture(socket), time.monotonic()
    while time.monotonic() - still < 1.0:
        if time.monotonic() > end:
            raise RuntimeError("the screen never held still")
        time.sleep(0.05)
        now = capture(socket)
        if now != last:
            last, still = now, time.monotonic()
    for row, line in enumerate(tmux(socket, "capture-pane", "-p", "-t", "m").splitlines()):
        if "masked input" in line:
            return line.index("masked input"), row
    raise RuntimeError("no masked-input panel")


def drag(socket, mx, my):
    """Press, 60 motions over 2 s, release; returns the monotonic time the release was sent."""
    def sgr(button, x, y, final):
        tmux(socket, "send-keys", "-t", "m", "-l", f"\x1b[<{button};{x + 1};{y + 1}{final}")
    x0, y0 = mx + 3, my + 2
    sgr(0, x0, y0, "M")
    begin = time.monotonic()
    motions = 60
    position = (x0, y0)
    for i in range(motions):
        due = begin + 2.0 * (i + 1) / motions
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        t = (i + 1) / motions
        reach = 1 - abs(2 * t - 1)  # out and back
        position = (x0 + 1 + round(20 * reach), y0 + 1 + round(9 * reach))
        sgr(32, *position, "M")
    released = time.monotonic()
    sgr(0, *position, "m")
    return released


def run(binary, extra, socket, link=None):
    env = "env -u NO_COLOR TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8"
    program = f"{shlex.quote(binary)} tui {' '.join(map(shlex.quote, extra))}"
    if link:
        slowlink, rate, delay, *log = link
        logging = f"--log {shlex.quote(log[0])} " if log and log[0] else ""
        program = (f"{shlex.quote(sys.executable)} {shlex.quote(slowlink)} --rate {rate} --delay {delay} {logging}-- "
                   + program)
    start(socket, f"{env} {program}")
    try:
        mx, my = wait_ready(socket)
        return drag(socket, mx, my)
    except Exception:
        tmux(socket, "kill-server", check=False)
        raise


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=".build/release/inpaint")
    ap.add_argument("--rate", type=float, nargs="+", default=[8000, 16000, 32000], help="bytes per second")
    ap.add_argument("--delay", type=float, default=0.05, help="one-way delay in seconds")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--slowlink", default="../shared/tools/slowlink.py")
    ap.add_argument("extra", nargs="*", help="tui flags (default --no-train)")
    a = ap.parse_args()
    extra = a.extra or ["--no-train"]
    binary = os.path.abspath(a.binary)
    sockets = (f"inpaint-settle-{os.getpid()}-{n}" for n in range(1_000_000))   # a fresh server per run

    socket = next(sockets)
    released = run(binary, extra, socket)
    time.sleep(1.0)
    reference = capture(socket)
    tmux(socket, "kill-server", check=False)
    print(f"reference: fast link, {sum(map(len, reference))} cells on screen", flush=True)

    for rate in a.rate:
        settles = []
        for attempt in range(a.runs):
            socket = next(sockets)
            released = run(binary, extra, socket, (a.slowlink, rate, a.delay))
            settled = None
            while time.monotonic() - released < TIMEOUT:
                if capture(socket) == reference:
                    settled = time.monotonic() - released
                    break
                time.sleep(0.02)
            tmux(socket, "kill-server", check=False)
            settles.append(settled if settled is not None else float("inf"))
            shown = f"{settled:.2f} s" if settled is not None else f"never within {TIMEOUT:.0f} s"
            print(f"rate {rate:.0f} B/s, delay {a.delay} s, run {attempt + 1}: settled {shown} after the release",
                  flush=True)
        print(f"rate {rate:.0f} B/s: median {statistics.median(settles):.2f} s over {a.runs} runs", flush=True)


if __name__ == "__main__":
    main()
