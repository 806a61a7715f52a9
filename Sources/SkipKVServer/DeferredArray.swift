import SkipKVProtocol

extension CommandContext {
    /// Writes an array whose length is known only once its elements are (RANGE, KEYS,
    /// SCAN): `body` writes the elements into the loop's scratch writer and returns how many
    /// it wrote; then the header and those bytes go to the reply. The copy is the price of
    /// not counting first, which would need a second pass that concurrent writers could
    /// make disagree with the first.
    func writeDeferredArray(_ body: (UnsafeMutablePointer<ReplyWriter>) -> Int) {
        let scratch = loop.scratch
        scratch.pointee.version = reply.pointee.version
        let count = body(scratch)
        reply.pointee.writeArrayHeader(count: count)
        reply.pointee.output.append(scratch.pointee.output.readableBytes)
        scratch.pointee.output.removeAll(maximumRetainedCapacity: 1024 * 1024)
    }
}
