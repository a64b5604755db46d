/// Synthetic digits, so the UI tests need no data files: a ring (a "0"), a bar (a "1") and a
/// diagonal stroke (a "7"), with soft edges so several gray levels appear.
public enum TestDigits {
    public static func ring() -> [Float] {
        draw { r, c in
            let d = ((r - 13.5) * (r - 13.5) / 81 + (c - 13.5) * (c - 13.5) / 36).squareRoot()
            return max(0, 1 - abs(d - 1) * 4)
        }
    }

    public static func bar() -> [Float] { draw { r, c in r > 4 && r < 24 ? max(0, 1 - abs(c - 14) / 2.5) : 0 } }

    public static func seven() -> [Float] {
        draw { r, c in
            let top: Float = r > 5 && r < 8 && c > 7 && c < 21 ? 1 : 0
            let stroke = max(0, 1 - abs(c - (20 - (r - 7) * 0.45)) / 1.5) * (r >= 7 && r < 24 ? 1 : 0)
            return max(top, stroke)
        }
    }

    private static func draw(_ f: (Float, Float) -> Float) -> [Float] {
        (0..<784).map { i in min(1, f(Float(i / 28), Float(i % 28))) }
    }
}
