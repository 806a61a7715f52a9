/// The log's share of used memory, for `maxmemory` and INFO.
extension LogWriter {
    /// Record bytes appended and not yet handed to the OS: what the log's buffers hold beyond
    /// their fixed capacity. Takes the append lock once (through `pendingFsyncBytes`); may be
    /// slightly high while the writer is between updating its two positions.
    public var bufferedBytes: Int {
        let written = writtenLSN.load(ordering: .acquiring)
        let unsynced = pendingFsyncBytes
        let durable = durableLSN.load(ordering: .acquiring)
        let appended = unsynced &+ durable
        return appended > written ? Int(appended - written) : 0
    }
}
