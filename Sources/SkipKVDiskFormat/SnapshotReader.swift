/// Reads snapshot files for recovery and inspection.
public enum SnapshotReader {
    /// Maps `path` and calls `body` with every entry of every whole, valid block in file order,
    /// stopping at the first damage. A block is delivered only after all of it checked out, so
    /// the delivered keys are exactly those of the blocks before the damage. Throws
    /// `DiskError` only when the file cannot be read, and whatever `body` throws.
    public static func read(
        path: String, _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void
    ) throws -> SnapshotReadResult {
        try MappedFile.open(path).withBytes { bytes in
            var walk = Walk(bytes: bytes)
            let damage = try walk.run(body)
            return SnapshotReadResult(path: path, header: walk.header, keys: walk.keys, fileSize: bytes.count, damage: damage)
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

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func run(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) rethrows -> SnapshotDamage? {
            if let problem = SnapshotFormat.headerProblem(bytes) { return SnapshotDamage(offset: 0, reason: problem) }
            let header = SnapshotFormat.decodeHeader(bytes)
            self.header = header
            var offset = SnapshotFormat.headerSize
            while true {
                let remaining = bytes.count - offset
                guard remaining >= SnapshotFormat.blockHeaderSize else {
                    return SnapshotDamage(offset: offset, reason: remaining == 0 ? "missing end marker" : "incomplete block header")
                }
                let blockHeader = bytes.baseAddress! + offset
                guard CRC32C.checksum(UnsafeRawBufferPointer(start: blockHeader, count: 12)) == LittleEndian.load32(blockHeader + 12) else {
                    return SnapshotDamage(offset: offset, reason: "block header checksum mismatch")
                }
                let entryCount = Int(LittleEndian.load32(blockHeader))
                let payloadCount = Int(LittleEndian.load32(blockHeader + 4))
                let payloadCRC = LittleEndian.load32(blockHeader + 8)
                if entryCount == 0 {
                    guard payloadCount == 0 && payloadCRC == CRC32C().value else {
                        return SnapshotDamage(offset: offset, reason: "bad end marker")
                    }
                    return trailerDamage(at: offset + SnapshotFormat.blockHeaderSize, header: header)
                }
                guard payloadCount <= remaining - SnapshotFormat.blockHeaderSize else {
                    return SnapshotDamage(offset: offset, reason: "incomplete block")
                }
                let payload = UnsafeRawBufferPointer(start: blockHeader + SnapshotFormat.blockHeaderSize, count: payloadCount)
                guard CRC32C.checksum(payload) == payloadCRC else {
                    return SnapshotDamage(offset: offset, reason: "block checksum mismatch")
                }
                guard SnapshotEntry.forEach(in: payload, { _, _ in }) == entryCount else {
                    return SnapshotDamage(offset: offset, reason: "block entries do not match the block header")
                }
                _ = try SnapshotEntry.forEach(in: payload, body)
                keys += entryCount
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
