/// Writes a snapshot so that `<fileName>` is either the previous snapshot or the complete new
/// one, never a mixture: entries go to `<fileName>.tmp`, which `commit` makes durable and then
/// renames over `<fileName>`. The caller appends entries in key order (it is not checked),
/// then optionally the change records made during its scan (`appendChanges`, once), and
/// calls either `commit` or, on any failure or cancellation, `abandon`.
public final class SnapshotWriter {
    /// Where the snapshot will be once committed.
    public let path: String
    /// Where it is written until then.
    public let temporaryPath: String
    private let directory: String
    private let file: DurableFile
    private let createdAt: UInt64
    private let logSequence: UInt64
    private let blockTarget: Int
    /// The block being filled, its header first, written with one call when full. Also scratch
    /// for the header placeholder, the end marker and trailer, and a lone block's prefixes.
    private let block: UnsafeMutableRawPointer
    private var payloadCount = 0
    private var blockEntries = 0
    private var keys = 0
    private var changes = 0
    private var entriesEnded = false
    private var bytesWritten = 0
    private var isFinished = false

    /// Starts `<directory>/<fileName>.tmp`, truncating a leftover from an interrupted run.
    /// `logSequence` is the first log segment to replay after loading this snapshot (0: none);
    /// `createdAt` is in Unix milliseconds.
    public convenience init(directory: String, fileName: String, logSequence: UInt64, createdAt: UInt64) throws {
        try self.init(
            directory: directory, fileName: fileName, logSequence: logSequence, createdAt: createdAt,
            blockTarget: SnapshotFormat.blockTargetBytes)
    }

    /// `blockTarget` is a parameter so tests can make small files with many blocks.
    init(directory: String, fileName: String, logSequence: UInt64, createdAt: UInt64, blockTarget: Int) throws {
        self.directory = directory
        path = "\(directory)/\(fileName)"
        temporaryPath = "\(path).tmp"
        self.createdAt = createdAt
        self.logSequence = logSequence
        self.blockTarget = blockTarget
        let capacity = max(SnapshotFormat.blockHeaderSize + blockTarget, SnapshotFormat.headerSize)
        file = try DurableFile.create(temporaryPath)
        block = .allocate(byteCount: capacity, alignment: 16)
        // Zeros until commit writes the real header: an unfinished file never looks valid.
        block.initializeMemory(as: UInt8.self, repeating: 0, count: SnapshotFormat.headerSize)
        do {
            try emit(UnsafeRawBufferPointer(start: block, count: SnapshotFormat.headerSize))
        } catch {
            abandon()
            throw error
        }
    }

    deinit {
        block.deallocate()
    }

    /// Adds one entry: the key expires at `deadline` (Unix milliseconds), or never for 0.
    /// Buffered, so it costs a copy until a block fills.
    public func append(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, deadline: Int64) throws {
        precondition(!isFinished && !entriesEnded, "SnapshotWriter entry after changes, commit or abandon")
        precondition(deadline >= 0, "a snapshot deadline is >= 0")
        let entrySize = SnapshotEntry.size(keyCount: key.count, valueCount: value.count, deadline: deadline)
        if blockEntries > 0 && payloadCount + entrySize > blockTarget {
            try flushBlock()
        }
        if entrySize > blockTarget {
            try writeLoneBlock(key: key, value: value, deadline: deadline, entrySize: entrySize)
        } else {
            payloadCount += SnapshotEntry.write(
                key: key, value: value, deadline: deadline, to: block + SnapshotFormat.blockHeaderSize + payloadCount)
            blockEntries += 1
        }
        keys += 1
    }

    /// Ends the entries and writes `records`, `count` complete log records (as `LogWriter`
    /// frames them), the changes made while the entries were scanned, in blocks of about
    /// `blockTarget` bytes cut at record boundaries.
    public func appendChanges(_ records: UnsafeRawBufferPointer, count: Int) throws {
        precondition(!isFinished && !entriesEnded, "SnapshotWriter changes appended twice or after commit")
        try endEntries()
        var start = 0
        var offset = 0
        var inBlock = 0
        while offset < records.count {
            let size = LogFormat.recordHeaderSize + Int(LittleEndian.load32(records.baseAddress! + offset))
            if inBlock > 0 && offset + size - start > blockTarget {
                try writeChangeBlock(UnsafeRawBufferPointer(rebasing: records[start..<offset]), count: inBlock)
                (start, inBlock) = (offset, 0)
            }
            offset += size
            inBlock += 1
        }
        precondition(offset == records.count, "change records do not end at a record boundary")
        if inBlock > 0 { try writeChangeBlock(UnsafeRawBufferPointer(rebasing: records[start...]), count: inBlock) }
        precondition(changes == count, "appendChanges: \(changes) records found, \(count) announced")
    }

    /// Writes the last block, the end marker, the trailer and the real header, makes the file
    /// durable, renames it over `path` and syncs the directory. After it returns, the snapshot
    /// survives a crash. After it throws, call `abandon`.
    public func commit() throws -> SnapshotSummary {
        precondition(!isFinished, "SnapshotWriter used after commit or abandon")
        isFinished = true
        try endEntries()
        // The end marker of the (possibly empty) change section, then the trailer.
        SnapshotFormat.writeBlockHeader(to: block, entryCount: 0, payloadCount: 0, payloadCRC: CRC32C().value)
        SnapshotFormat.writeTrailer(to: block + SnapshotFormat.blockHeaderSize, keyCount: UInt64(keys))
        try emit(UnsafeRawBufferPointer(start: block, count: SnapshotFormat.blockHeaderSize + SnapshotFormat.trailerSize))
        let header = SnapshotFormat.header(
            createdAt: createdAt, keyCount: UInt64(keys), logSequence: logSequence, changeCount: UInt64(changes))
        try header.withUnsafeBytes { try file.write($0, at: 0) }
        try file.sync()
        file.close()
        try DurableFile.rename(temporaryPath, to: path)
        try DurableFile.syncDirectory(directory)
        return SnapshotSummary(keys: keys, changes: changes, bytes: bytesWritten)
    }

    /// Writes the last entry block and the entries' end marker, once.
    private func endEntries() throws {
        guard !entriesEnded else { return }
        entriesEnded = true
        if blockEntries > 0 { try flushBlock() }
        SnapshotFormat.writeBlockHeader(to: block, entryCount: 0, payloadCount: 0, payloadCRC: CRC32C().value)
        try emit(UnsafeRawBufferPointer(start: block, count: SnapshotFormat.blockHeaderSize))
    }

    private func writeChangeBlock(_ records: UnsafeRawBufferPointer, count: Int) throws {
        guard records.count <= Int(UInt32.max) else {
            throw DiskError.entryTooLarge(path: temporaryPath, bytes: records.count)
        }
        SnapshotFormat.writeBlockHeader(
            to: block, entryCount: count, payloadCount: records.count, payloadCRC: CRC32C.checksum(records))
        try emit(UnsafeRawBufferPointer(start: block, count: SnapshotFormat.blockHeaderSize))
        try emit(records)
        changes += count
    }

    /// Closes and deletes the temporary file; the previous snapshot, if any, stays. Safe to
    /// call more than once and after a failed commit. A temporary file it fails to delete is
    /// harmless: the next writer truncates it.
    public func abandon() {
        isFinished = true
        file.close()
        try? DurableFile.remove(temporaryPath)
    }

    private func flushBlock() throws {
        let payload = UnsafeRawBufferPointer(start: block + SnapshotFormat.blockHeaderSize, count: payloadCount)
        SnapshotFormat.writeBlockHeader(
            to: block, entryCount: blockEntries, payloadCount: payloadCount, payloadCRC: CRC32C.checksum(payload))
        try emit(UnsafeRawBufferPointer(start: block, count: SnapshotFormat.blockHeaderSize + payloadCount))
        payloadCount = 0
        blockEntries = 0
    }

    /// Writes an entry too large for the buffer as a block of its own, straight from the
    /// caller's memory: the checksum is computed over the pieces, so nothing is copied. The
    /// small fields between them (the length prefixes and the deadline) go through `block`.
    private func writeLoneBlock(
        key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, deadline: Int64, entrySize: Int
    ) throws {
        guard entrySize <= Int(UInt32.max) else {
            throw DiskError.entryTooLarge(path: temporaryPath, bytes: entrySize)
        }
        let keyPrefixStart = block + SnapshotFormat.blockHeaderSize
        let keyPrefix = UnsafeRawBufferPointer(start: keyPrefixStart, count: LEB128.write(key.count, to: keyPrefixStart))
        let valuePrefixStart = keyPrefixStart + keyPrefix.count
        let valuePrefix = UnsafeRawBufferPointer(
            start: valuePrefixStart,
            count: LEB128.write(SnapshotEntry.valueField(value.count, deadline), to: valuePrefixStart))
        let deadlineStart = valuePrefixStart + valuePrefix.count
        let deadlineField = UnsafeRawBufferPointer(
            start: deadlineStart, count: SnapshotEntry.writeDeadline(deadline, to: deadlineStart))
        var crc = CRC32C()
        for piece in [keyPrefix, key, valuePrefix, value, deadlineField] { crc.update(piece) }
        SnapshotFormat.writeBlockHeader(to: block, entryCount: 1, payloadCount: entrySize, payloadCRC: crc.value)
        try emit(UnsafeRawBufferPointer(start: block, count: SnapshotFormat.blockHeaderSize + keyPrefix.count))
        for piece in [key, valuePrefix, value, deadlineField] where !piece.isEmpty { try emit(piece) }
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws {
        try file.write(bytes)
        bytesWritten += bytes.count
    }
}
