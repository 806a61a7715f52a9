/// Reads snapshot files for recovery and inspection.
public enum SnapshotReader {
    /// Maps `path` and calls `body` with every entry of every whole, valid block in file order,
    /// with the key's deadline (Unix milliseconds; 0 when it has none, as in every entry of
    /// files before version 3), then `change` with every change record (version 2 on) in the
    /// order they happened,
    /// stopping at the first damage. A block is delivered only after all of it checked out, so
    /// what is delivered is exactly the content of the blocks before the damage. Applying the
    /// entries and then the changes gives the keyspace at the instant the snapshot's scan
    /// ended. Throws `DiskError` only when the file cannot be read, and whatever the callbacks
    /// throw.
    public static func read(
        path: String,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, _ deadline: Int64) throws -> Void,
        change: (LogEntry) throws -> Void
    ) throws -> SnapshotReadResult {
        try MappedFile.open(path).withBytes { bytes in
            var walk = Walk(bytes: bytes)
            let damage = try walk.run(body, change)
            return SnapshotReadResult(
                path: path, header: walk.header, keys: walk.keys, changes: walk.changes, fileSize: bytes.count, damage: damage)
        }
    }

    /// The header of the snapshot at `path`, or nil when it is missing or damaged; reads
    /// nothing else, to pick among snapshots or report on one cheaply.
    public static func readHeader(path: String) throws -> SnapshotHeader? {
        try MappedFile.open(path).withBytes { bytes in
            SnapshotFormat.headerProblem(bytes) == nil ? SnapshotFormat.decodeHeader(bytes) : nil
        }
    }

    private struct Walk {
        let bytes: UnsafeRawBufferPointer
        var header: SnapshotHeader?
        var keys = 0
        var changes = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func run(
            _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, Int64) throws -> Void, _ change: (LogEntry) throws -> Void
        ) rethrows -> SnapshotDamage? {
            if let problem = SnapshotFormat.headerProblem(bytes) { return SnapshotDamage(offset: 0, reason: problem) }
            let header = SnapshotFormat.decodeHeader(bytes)
            self.header = header
            var offset = SnapshotFormat.headerSize
            let withDeadlines = header.version >= SnapshotFormat.firstVersionWithDeadlines
            let entriesEnd = try blocks(from: &offset) { payload, count -> String? in
                guard SnapshotEntry.forEach(in: payload, withDeadlines: withDeadlines, { _, _, _ in }) == count else {
                    return "block entries do not match the block header"
                }
                _ = try SnapshotEntry.forEach(in: payload, withDeadlines: withDeadlines, body)
                keys += count
                return nil
            }
            if let entriesEnd { return entriesEnd }
            if header.version >= SnapshotFormat.firstVersionWithChanges {
                let changesEnd = try blocks(from: &offset) { payload, count -> String? in
                    var entries: [LogEntry] = []
                    var position = 0
                    while position < payload.count {
                        guard case let .record(entry, end) = LogSegmentReader.nextRecord(payload, at: position) else {
                            return "bad change record at block offset \(position)"
                        }
                        entries.append(entry)
                        position = end
                    }
                    guard entries.count == count else { return "block changes do not match the block header" }
                    for entry in entries { try change(entry) }
                    changes += count
                    return nil
                }
                if let changesEnd { return changesEnd }
                guard UInt64(changes) == header.changeCount else {
                    return SnapshotDamage(offset: offset, reason: "header announces \(header.changeCount) changes, blocks hold \(changes)")
                }
            }
            return trailerDamage(at: offset, header: header)
        }

        /// Walks blocks from `offset` to the next end marker, checking each block's framing
        /// and checksum before `deliver` (which returns why the payload is bad, or nil). Leaves
        /// `offset` just past the end marker; returns the first damage, nil when none.
        private func blocks(
            from offset: inout Int, _ deliver: (UnsafeRawBufferPointer, Int) throws -> String?
        ) rethrows -> SnapshotDamage? {
            while true {
                let remaining = bytes.count - offset
                guard remaining >= SnapshotFormat.blockHeaderSize else {
                    return SnapshotDamage(offset: offset, reason: remaining == 0 ? "missing end marker" : "incomplete block header")
                }
                let blockHeader = bytes.baseAddress! + offset
                guard CRC32C.checksum(UnsafeRawBufferPointer(start: blockHeader, count: 12)) == LittleEndian.load32(blockHeader + 12) else {
                    return SnapshotDamage(offset: offset, reason: "block header checksum mismatch")
                }
                let count = Int(LittleEndian.load32(blockHeader))
                let payloadCount = Int(LittleEndian.load32(blockHeader + 4))
                let payloadCRC = LittleEndian.load32(blockHeader + 8)
                if count == 0 {
                    guard payloadCount == 0 && payloadCRC == CRC32C().value else {
                        return SnapshotDamage(offset: offset, reason: "bad end marker")
                    }
                    offset += SnapshotFormat.blockHeaderSize
                    return nil
                }
                guard payloadCount <= remaining - SnapshotFormat.blockHeaderSize else {
                    return SnapshotDamage(offset: offset, reason: "incomplete block")
                }
                let payload = UnsafeRawBufferPointer(start: blockHeader + SnapshotFormat.blockHeaderSize, count: payloadCount)
                guard CRC32C.checksum(payload) == payloadCRC else {
                    return SnapshotDamage(offset: offset, reason: "block checksum mismatch")
                }
                if let problem = try deliver(payload, count) { return SnapshotDamage(offset: offset, reason: problem) }
                offset += SnapshotFormat.blockHeaderSize + payloadCount
            }
        }

        /// Checks the trailer at `offset` against the header, the keys delivered and the end
        /// of the file.
        private func trailerDamage(at offset: Int, header: SnapshotHeader) -> SnapshotDamage? {
            let remaining = bytes.count - offset
            guard remaining >= SnapshotFormat.trailerSize else {
                return SnapshotDamage(offset: offset, reason: remaining == 0 ? "missing trailer" : "incomplete trailer")
            }
            let trailer = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + SnapshotFormat.trailerSize])
            guard trailer.starts(with: SnapshotFormat.trailerMagic) else {
                return SnapshotDamage(offset: offset, reason: "bad trailer magic")
            }
            let trailerCount = LittleEndian.load64(trailer.baseAddress! + 8)
            guard trailerCount == header.keyCount else {
                return SnapshotDamage(offset: offset, reason: "trailer key count \(trailerCount), header \(header.keyCount)")
            }
            guard trailerCount == UInt64(keys) else {
                return SnapshotDamage(offset: offset, reason: "trailer key count \(trailerCount), blocks hold \(keys)")
            }
            guard remaining == SnapshotFormat.trailerSize else {
                return SnapshotDamage(
                    offset: offset + SnapshotFormat.trailerSize,
                    reason: "\(remaining - SnapshotFormat.trailerSize) bytes after the trailer")
            }
            return nil
        }
    }
}
