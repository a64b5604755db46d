/// The precision of the channel-wise layer's weights when a model only runs (never while training).
///
/// `.int8` (the default of fill, the UI and bench's forward row) quantises every output column of every map to
/// int8 with one float scale (`Int8Weights`): the paper model's 39 MB of channel-wise weights become 9.8 MB,
/// which stay in the 32 MB L3 of the machine of issue 4 §3 even beside a trainer on the other core (issue 16).
/// `.float16` halves the bytes instead (19.7 MB). Arithmetic stays float32 for both; on the bundled model and
/// the real test digits every reconstructed pixel stays within 1/255 of `.float32` (InpaintingTests checks
/// it). `.float32` is the exact path that PyTorch parity is checked against.
public enum InferencePrecision: String, Sendable, Codable, CaseIterable {
    case float32, float16, int8
}
