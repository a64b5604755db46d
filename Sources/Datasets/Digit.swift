/// MNIST geometry: every image is 28×28 grey levels in [0, 1] (Fashion-MNIST shares it).
public enum Digit {
    public static let side = 28
    public static let pixels = 784
}
