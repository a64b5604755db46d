/// The precision of the channel-wise layer's weights when a model only runs (never while training).
///
/// `.float16` halves the bytes one forward pass reads: the paper model's 39 MB of channel-wise weights become
/// 19.7 MB, which stay in the 32 MB L3 of the machine of issue 4 §3 between single-image forwards instead of
/// streaming from memory. Arithmetic stays float32; on the bundled model and real test digits every
/// reconstructed pixel stays within 1/255 of `.float32` (InpaintingTests checks it). `.float32` is the exact
/// path that PyTorch parity is checked against.
public enum InferencePrecision: String, Sendable, Codable, CaseIterable {
    case float32, float16
}
