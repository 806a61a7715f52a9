#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import SkipKVDiskFormat

/// The append-only log at run time: loop threads append encoded records to a shared buffer;
/// the whole buffer is taken at a time and written to the current segment with one `write`.
/// With `always`, the writer thread takes, writes and fsyncs; every record appended while it
/// was busy with the previous batch goes out in the next one, so concurrent writers share
/// each fsync (group commit) and throughput grows with the number of clients. With
/// `everysec` and `no`, each loop writes the buffer itself once per event-loop iteration,
/// before sending the replies that depend on it (as Redis writes its AOF buffer before
/// replying), so a crash of the process loses no acknowledged write; the writer thread only
/// fsyncs (once a second with `everysec`).
///
/// Positions in the log are LSNs: the number of record bytes appended since the process
/// started, so a record's LSN is where it ends. `durableLSN` is how far the log is fsynced.
///
/// Concurrency contract:
/// - `append*` may be called from any thread; callers that need per-key order call them
///   while holding the key's stripe (`JournaledKeyspace`).
/// - `state` guards `pending`, `appended`, `writerIdle`, the rotation counters and error,
///   `stopRequested`, `policy` and `sequence`. Its condition wakes the writer and the
///   threads waiting in `rotate`.
/// - `output` guards `unwritten`, `unwrittenEnd` and `segmentSize`, and writes to `file`: it
///   makes "take the buffer, write it" one step, so batches reach the file in LSN order
///   whoever writes them. Taken before `state` when both are held.
/// - `file` and `segment` are replaced only by the writer thread, holding `output`; `lastSync`
///   belongs to the writer thread. The writer fsyncs `file` without `output`.
/// - The atomics are written by the writer thread and read anywhere: a reader may see a
///   slightly old value, never one ahead of the file.
public final class LogWriter: @unchecked Sendable {
    let directory: String
    let baseName: String
    private let logger: Logger
    /// Called on the writer thread after `durableLSN` advanced (and after a policy change),
    /// so whoever holds replies back can release them.
    private let onDurable: @Sendable () -> Void

    private let state = MutexCondition()
    private var pending = LogBuffer(capacity: 1 << 20)
    private var appended: UInt64 = 0
    private var writerIdle = false
    private var rotationsRequested: UInt64 = 0
    private var rotationsDone: UInt64 = 0
    private var rotationError: String?
    private var stopRequested = false
    private var policy: FsyncPolicy
    private var sequence: UInt64

    private let output = MutexCondition()
    private var file: DurableFile
    private var unwritten = LogBuffer(capacity: 1 << 20)
    private var unwrittenEnd: UInt64 = 0
    private var segment: UInt64
    private var segmentSize: Int
    private var lastSync: UInt64 = 0

    /// LSN up to which records are fsynced.
    public let durableLSN = Atomic<UInt64>(0)
    /// LSN up to which records were handed to the OS.
    public let writtenLSN = Atomic<UInt64>(0)
    /// Whether `always` is in force, mirrored for the per-reply check.
    private let syncsEveryWrite: Atomic<Bool>
    /// The last write or fsync failed and has not been retried successfully yet.
    public let failing = Atomic<Bool>(false)
    /// fsyncs done, to show how many records each one carried.
    public let syncCount = Atomic<Int>(0)
    /// Bytes in the segments written since the last snapshot (the log's size).
    public let logBytes = Atomic<Int>(0)
    private var thread: pthread_t?

    /// Creates segment `sequence` (header, fsync, directory fsync) and starts the writer thread.
    /// `existingBytes` is the size of older segments still to be replayed (for the log size).
    public init(
        directory: String, baseName: String, sequence: UInt64, existingBytes: Int, policy: FsyncPolicy,
        logger: Logger, onDurable: @escaping @Sendable () -> Void
    ) throws {
        self.directory = directory
        self.baseName = baseName
        self.logger = logger
        self.onDurable = onDurable
        self.policy = policy
        self.sequence = sequence
        segment = sequence
        syncsEveryWrite = Atomic(policy == .always)
        file = try Self.createSegment(directory: directory, baseName: baseName, sequence: sequence)
        segmentSize = LogFormat.headerSize
        logBytes.store(existingBytes + LogFormat.headerSize, ordering: .relaxed)
        lastSync = monotonicMilliseconds()
        thread = startThread { [unowned self] in self.run() }
    }

    deinit {
        file.close()
    }

    // MARK: Appending (any thread)

    /// Appends `SET key value`; returns its LSN.
    public func appendSet(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> UInt64 {
        append(LogRecordEncoder.setSize(keyCount: key.count, valueCount: value.count)) {
            LogRecordEncoder.writeSet(key: key, value: value, to: $0)
        }
    }

    /// Appends `DEL key`; returns its LSN.
    public func appendDelete(key: UnsafeRawBufferPointer) -> UInt64 {
        append(LogRecordEncoder.deleteSize(keyCount: key.count)) {
            LogRecordEncoder.writeDelete(key: key, to: $0)
        }
    }

    /// Appends an already encoded record (RANGEDEL, FLUSHALL); returns its LSN.
    public func append(record: [UInt8]) -> UInt64 {
        record.withUnsafeBytes { bytes in
            append(bytes.count) { target in
                target.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                return bytes.count
            }
        }
    }

    @inline(__always)
    private func append(_ size: Int, _ encode: (UnsafeMutableRawPointer) -> Int) -> UInt64 {
        state.lock()
        let written = encode(pending.reserve(size))
        pending.count += written
        appended += UInt64(written)
        let lsn = appended
        // With everysec/no the loops write the buffer; the writer thread need not wake.
        if writerIdle && (policy == .always || pending.count >= Self.wakeBytes) {
            writerIdle = false
            state.broadcast()
        }
        state.unlock()
        return lsn
    }

    /// Buffered bytes beyond which an append wakes the writer whatever the policy.
    static let wakeBytes = 4 << 20

    // MARK: Queries and control (any thread)

    /// Whether a reply that depends on the record ending at `lsn` may be sent: once the record
    /// is fsynced with `always`, once it is written to the OS otherwise.
    @inline(__always)
    public func isAcknowledgeable(_ lsn: UInt64) -> Bool {
        if syncsEveryWrite.load(ordering: .relaxed) { return durableLSN.load(ordering: .acquiring) >= lsn }
        return writtenLSN.load(ordering: .acquiring) >= lsn
    }

    /// Whether acknowledging waits for the writer thread's fsync (`always`) rather than for
    /// the caller's own `writeToOperatingSystem`.
    @inline(__always)
    public var acknowledgesAfterFsync: Bool { syncsEveryWrite.load(ordering: .relaxed) }

    /// Writes every record appended so far to the file (not fsynced): what a loop calls once
    /// per iteration before sending replies that depend on those records (`everysec`, `no`).
    /// Returns false when the write failed (the server then refuses writes; see `failed`).
    @discardableResult
    public func writeToOperatingSystem() -> Bool {
        output.withLock { writeBatch(policy: fsyncPolicy) }
    }

    public var fsyncPolicy: FsyncPolicy {
        get { state.withLock { policy } }
        set {
            state.withLock {
                policy = newValue
                syncsEveryWrite.store(newValue == .always, ordering: .relaxed)
                state.broadcast()
            }
            onDurable()
        }
    }

    /// Bytes appended but not yet fsynced.
    public var pendingFsyncBytes: UInt64 {
        let appended = state.withLock { self.appended }
        return appended - min(appended, durableLSN.load(ordering: .relaxed))
    }

    /// Ends the current segment at the records appended so far (written and fsynced) and
    /// starts the next one; returns the new segment's sequence. Records appended after the
    /// switch go to the new segment, so a snapshot started after this returns, paired with
    /// the segments from the returned one on, restores every write.
    public func rotate() throws -> UInt64 {
        state.lock()
        defer { state.unlock() }
        rotationsRequested += 1
        let ticket = rotationsRequested
        state.broadcast()
        while rotationsDone < ticket { state.wait() }
        if let rotationError { throw PersistenceError.io(rotationError) }
        return sequence
    }

    /// Writes and fsyncs everything appended, then stops the writer thread. Call once.
    public func stop() {
        state.withLock {
            stopRequested = true
            state.broadcast()
        }
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    // MARK: Writer thread

    private func run() {
        state.lock()
        while true {
            let unsynced = writtenLSN.load(ordering: .relaxed) > durableLSN.load(ordering: .relaxed)
            let work = rotationsRequested > rotationsDone || stopRequested
                || (policy == .always && (!pending.isEmpty || unsynced)) || syncDue()
            if !work {
                writerIdle = true
                state.wait(milliseconds: idleWaitMilliseconds())
                writerIdle = false
            }
            let rotate = rotationsRequested > rotationsDone
            let stop = stopRequested
            let policy = self.policy
            state.unlock()

            let writtenBefore = writtenLSN.load(ordering: .relaxed)
            var succeeded = output.withLock { writeBatch(policy: policy) }
            // Replies held for records this thread wrote (their loop's own write failed, or
            // their connection is gone) may go now.
            if succeeded && policy != .always && writtenLSN.load(ordering: .relaxed) != writtenBefore { onDurable() }
            if succeeded { succeeded = syncIfDue(policy: policy, force: rotate || stop) }
            var error: String? = nil
            if rotate && succeeded {
                error = startNextSegment(policy: policy)
                succeeded = error == nil
            }

            state.lock()
            if rotate {
                rotationError = error ?? (succeeded ? nil : "the log could not be written")
                rotationsDone = rotationsRequested
                state.broadcast()
            }
            if stop && pending.isEmpty && succeeded && writtenLSN.load(ordering: .relaxed) == appended { break }
            if stop && !succeeded {
                logger.critical("Could not write the log before exiting; the last writes since the last fsync may be lost")
                break
            }
            if !succeeded { state.wait(milliseconds: 1000) }
        }
        state.unlock()
    }

    /// With `everysec`, whether written records have waited a second for their fsync. Reads
    /// writer-thread state only.
    private func syncDue() -> Bool {
        policy == .everysec && writtenLSN.load(ordering: .relaxed) > durableLSN.load(ordering: .relaxed)
            && monotonicMilliseconds() &- lastSync >= 1000
    }

    /// How long the idle writer sleeps: until the next once-a-second fsync is due when
    /// written records wait for one, else a second.
    private func idleWaitMilliseconds() -> Int {
        guard policy == .everysec, writtenLSN.load(ordering: .relaxed) > durableLSN.load(ordering: .relaxed) else { return 1000 }
        let elapsed = monotonicMilliseconds() &- lastSync
        return elapsed >= 1000 ? 1 : Int(1000 - elapsed)
    }

    /// Takes the appended records (unless an earlier failed batch waits) and writes them; false
    /// after a failure, which is logged and leaves the batch to retry. Holding `output`.
    private func writeBatch(policy: FsyncPolicy) -> Bool {
        if unwritten.isEmpty {
            state.withLock {
                swap(&pending, &unwritten)
                unwrittenEnd = appended
            }
        }
        guard !unwritten.isEmpty else { return true }
        do {
            try file.write(unwritten.bytes)
        } catch {
            return failed("write", error, policy: policy)
        }
        segmentSize += unwritten.count
        logBytes.add(unwritten.count, ordering: .relaxed)
        writtenLSN.store(unwrittenEnd, ordering: .releasing)
        unwritten.reset(retaining: 1 << 20)
        recovered()
        return true
    }

    /// fsyncs what is written when the policy (or `force`) asks. Writer thread.
    private func syncIfDue(policy: FsyncPolicy, force: Bool) -> Bool {
        let written = writtenLSN.load(ordering: .acquiring)
        let now = monotonicMilliseconds()
        let due = policy == .always || (policy == .everysec && now &- lastSync >= 1000)
        if written > durableLSN.load(ordering: .relaxed) && (due || force) {
            do {
                try file.sync()
            } catch {
                return failed("fsync", error, policy: policy)
            }
            lastSync = now
            syncCount.add(1, ordering: .relaxed)
            durableLSN.store(written, ordering: .releasing)
            onDurable()
            recovered()
        } else if policy != .everysec {
            lastSync = now
        }
        return true
    }

    private func recovered() {
        if failing.load(ordering: .relaxed) {
            failing.store(false, ordering: .relaxed)
            logger.notice("Writing the log works again")
        }
    }

    /// A failed write or fsync. With `always` the writes waiting for it can never be
    /// acknowledged truthfully and the file's state after a failed fsync is unknown, so, as
    /// Redis does, the process exits: everything acknowledged is already durable. Otherwise
    /// the server refuses writes (`failing`) and the batch is retried every second after
    /// cutting the segment back to its last complete record.
    private func failed(_ operation: String, _ error: Error, policy: FsyncPolicy) -> Bool {
        if policy == .always {
            logger.critical("Can't recover from a log \(operation) error when the fsync policy is 'always': \(error). Exiting...")
            exit(1)
        }
        if !failing.load(ordering: .relaxed) {
            logger.warning("Error writing to the log (\(operation)): \(error); refusing writes until it succeeds")
        }
        failing.store(true, ordering: .relaxed)
        if operation == "write" { try? file.truncate(to: segmentSize) }
        return false
    }

    /// Switches to segment `segment + 1`, holding `output` so no loop writes meanwhile: what
    /// was appended up to now goes to the old segment, which is fsynced, and everything after
    /// to the new one. Writer thread.
    private func startNextSegment(policy: FsyncPolicy) -> String? {
        output.withLock {
            guard writeBatch(policy: policy) else { return "the log could not be written" }
            do {
                try file.sync()
                durableLSN.store(writtenLSN.load(ordering: .relaxed), ordering: .releasing)
                let next = try Self.createSegment(directory: directory, baseName: baseName, sequence: segment + 1)
                file.close()
                file = next
                segment += 1
                segmentSize = LogFormat.headerSize
                logBytes.add(LogFormat.headerSize, ordering: .relaxed)
                state.withLock { sequence = segment }
                return nil
            } catch {
                logger.warning("Could not start log segment \(segment + 1): \(error)")
                return "\(error)"
            }
        }
    }

    /// A new segment file holding only its header, durable along with its directory entry.
    static func createSegment(directory: String, baseName: String, sequence: UInt64) throws -> DurableFile {
        let path = PersistenceSettings.join(directory, LogSegmentName.fileName(base: baseName, sequence: sequence))
        let file = try DurableFile.create(path)
        do {
            try LogFormat.segmentHeader(sequence: sequence).withUnsafeBytes { try file.write($0) }
            try file.sync()
            try DurableFile.syncDirectory(directory)
        } catch {
            file.close()
            throw error
        }
        return file
    }
}
