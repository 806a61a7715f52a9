/// Copies `bytes` to `destination`; an empty buffer may have no base address, which
/// `copyMemory` would not accept.
@inlinable
func copyBytes(_ bytes: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer) {
    guard let base = bytes.baseAddress else { return }
    destination.copyMemory(from: base, byteCount: bytes.count)
}
