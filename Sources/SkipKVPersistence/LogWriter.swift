#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import SkipKVDiskFormat
import SkipKVSystem

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
/// A full disk must refuse writes before they run, not fail them after they were applied: the
/// writer thread keeps `reserveBytes` of disk space preallocated past the segment's end
/// (fallocate, keeping the file size), and when it can no longer top the reserve up, sets
/// `spaceLow`, which makes the server refuse writes (-MISCONF) while the half of the reserve
/// still left takes the records already in flight. Records are written at an explicit offset
/// (the segment's size), so a failed write that is retried never leaves a hole behind it.
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
/// - `reserveEnd` (how far the disk space is preallocated) is guarded by `output`, like
///   `segmentSize`; `reserveWanted` is an atomic hint from writers to the writer thread.
/// - The atomics are written by the writer thread and read anywhere: a reader may see a
///   slightly old value, never one ahead of the file.
public final class LogWriter: @unchecked Sendable {
    let directory: String
    let baseName: String
    private let logger: Logger
    /// Called on the writer thread after `durableLSN` advanced (and after a policy change),
    /// so whoever holds replies back can release them.
    private let onDurable: @Sendable () -> Void
    /// Called (any thread) when `failing` or `spaceLow` changed, so the server's write refusal
    /// follows at once rather than at its next periodic check.
    private let onHealthChange: @Sendable () -> Void
    /// What a write or fsync error under `always` does: exit the process (tests replace it).
    /// When it returns, the writer writes nothing more, as if the process had exited.
    private let onFatal: @Sendable () -> Void
    /// Disk space kept preallocated past the end of the segment; 0: none.
    private let reserveBytes: Int

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
    private var reserveEnd = 0
    private var lastSync: UInt64 = 0
    /// Set after a fatal error (`onFatal` returned) or by `crash`: nothing more is written.
    private let halted = Atomic<Bool>(false)

    /// LSN up to which records are fsynced.
    public let durableLSN = Atomic<UInt64>(0)
    /// LSN up to which records were handed to the OS.
    public let writtenLSN = Atomic<UInt64>(0)
    /// Whether `always` is in force, mirrored for the per-reply check.
    private let syncsEveryWrite: Atomic<Bool>
    /// The last write or fsync failed and has not been retried successfully yet.
    public let failing = Atomic<Bool>(false)
    /// The disk reserve could not be topped up: the disk is (nearly) full.
    public let spaceLow = Atomic<Bool>(false)
    /// The errno of the last failed write, fsync or preallocation, for the -MISCONF text.
    public let lastErrorCode = Atomic<Int32>(0)
    /// A write consumed half the reserve; the writer thread should top it up.
    private let reserveWanted = Atomic<Bool>(false)
    /// fsyncs done, to show how many records each one carried.
    public let syncCount = Atomic<Int>(0)
    /// Bytes in the segments written since the last snapshot (the log's size).
    public let logBytes = Atomic<Int>(0)
    private var thread: JoinableThread?

    /// Creates segment `sequence` (header, fsync, directory fsync) and starts the writer thread.
    /// `existingBytes` is the size of older segments still to be replayed (for the log size).
    public init(
        directory: String, baseName: String, sequence: UInt64, existingBytes: Int, policy: FsyncPolicy,
        reserveBytes: Int = 0, logger: Logger, onDurable: @escaping @Sendable () -> Void,
        onHealthChange: @escaping @Sendable () -> Void = {}, onFatal: @escaping @Sendable () -> Void = { exit(1) }
    ) throws {
        self.directory = directory
        self.baseName = baseName
        self.logger = logger
        self.onDurable = onDurable
        self.onHealthChange = onHealthChange
        self.onFatal = onFatal
        self.reserveBytes = reserveBytes
        self.policy = policy
        self.sequence = sequence
        segment = sequence
        syncsEveryWrite = Atomic(policy == .always)
        file = try Self.createSegment(directory: directory, baseName: baseName, sequence: sequence)
        segmentSize = LogFormat.headerSize
        reserveEnd = segmentSize
        logBytes.store(existingBytes + LogFormat.headerSize, ordering: .relaxed)
        lastSync = monotonicMilliseconds()
        output.withLock { topUpReserve() }
        thread = JoinableThread { [unowned self] in self.run() }
    }

    deinit {
        file.close()
    }

    // MARK: Appending (any thread)

    /// Appends `SET key value`; returns its LSN.
    public func appendSet(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> UInt64 {
        append { $0.appendSet(key: key, value: value) }
    }

    /// Appends `SET key value` for a key that expires at `deadline` (Unix milliseconds, > 0);
    /// returns its LSN.
    public func appendSetExpiring(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, deadline: Int64) -> UInt64 {
        append { $0.appendSetExpiring(key: key, value: value, deadline: deadline) }
    }

    /// Appends `DEL key`; returns its LSN.
    public func appendDelete(key: UnsafeRawBufferPointer) -> UInt64 {
        append { $0.appendDelete(key: key) }
    }

    /// Appends an EXPIRE record: the key's deadline becomes `deadline` (Unix milliseconds), or
    /// with 0 it no longer expires (PERSIST); returns its LSN.
    public func appendExpire(key: UnsafeRawBufferPointer, deadline: Int64) -> UInt64 {
        append { $0.appendExpire(key: key, deadline: deadline) }
    }

    /// Appends an already encoded record (RANGEDEL, FLUSHALL); returns its LSN.
    public func append(record: [UInt8]) -> UInt64 {
        record.withUnsafeBytes { bytes in append { $0.append(record: bytes) } }
    }

    @inline(__always)
    private func append(_ encode: (inout LogBuffer) -> Int) -> UInt64 {
        state.lock()
        let written = encode(&pending)
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
        while rotationsDone < ticket && !halted.load(ordering: .relaxed) { state.wait() }
        if rotationsDone < ticket { throw PersistenceError.io("the log writer stopped") }
        if let rotationError { throw PersistenceError.io(rotationError) }
        return sequence
    }

    /// Writes and fsyncs everything appended, then stops the writer thread and gives back
    /// the disk reserve. Call once.
    public func stop() {
        state.withLock {
            stopRequested = true
            state.broadcast()
        }
        thread?.join()
        thread = nil
        output.withLock { releaseReserve() }
    }

    /// Stops the writer thread at once, writing nothing more: what the files hold now is what
    /// a process killed at this moment leaves. For crash tests in-process.
    public func crash() {
        state.withLock {
            halted.store(true, ordering: .relaxed)
            stopRequested = true
            state.broadcast()
        }
        thread?.join()
        thread = nil
    }

    // MARK: Writer thread

    private func run() {
        state.lock()
        while !halted.load(ordering: .relaxed) {
            let unsynced = writtenLSN.load(ordering: .relaxed) > durableLSN.load(ordering: .relaxed)
            let work = rotationsRequested > rotationsDone || stopRequested
                || (policy == .always && (!pending.isEmpty || unsynced)) || syncDue()
                || reserveWanted.load(ordering: .relaxed) || spaceLow.load(ordering: .relaxed)
            if !work {
                writerIdle = true
                state.wait(milliseconds: idleWaitMilliseconds())
                writerIdle = false
            }
            if halted.load(ordering: .relaxed) { break }
            let rotate = rotationsRequested > rotationsDone
            let stop = stopRequested
            let policy = self.policy
            state.unlock()

            let writtenBefore = writtenLSN.load(ordering: .relaxed)
            var succeeded = output.withLock { () -> Bool in
                let written = writeBatch(policy: policy)
                if reserveWanted.load(ordering: .relaxed) || spaceLow.load(ordering: .relaxed) { topUpReserve() }
                return written
            }
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
            // A failed write is retried every second; a full disk is looked at again sooner,
            // so writes resume soon after space is freed.
            if !succeeded {
                state.wait(milliseconds: 1000)
            } else if spaceLow.load(ordering: .relaxed) && !stopRequested {
                state.wait(milliseconds: Self.fullDiskRetryMilliseconds)
            }
        }
        // Nobody will serve a rotation asked for after a halt.
        if rotationsDone < rotationsRequested {
            rotationError = "the log writer stopped"
            rotationsDone = rotationsRequested
            state.broadcast()
        }
        state.unlock()
    }

    static let fullDiskRetryMilliseconds = 250

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
        let halted = self.halted.load(ordering: .relaxed)
        guard !unwritten.isEmpty, !halted else { return !halted }
        do {
            // At the segment's size, not the file position: after a failed write was cut
            // back, the retry must start where the last complete record ends.
            try file.write(unwritten.bytes, at: segmentSize)
        } catch {
            return failed("write", error, policy: policy)
        }
        segmentSize += unwritten.count
        logBytes.add(unwritten.count, ordering: .relaxed)
        writtenLSN.store(unwrittenEnd, ordering: .releasing)
        unwritten.reset(retaining: 1 << 20)
        if reserveBytes > 0 && reserveEnd - segmentSize < reserveBytes / 2 && !reserveWanted.exchange(true, ordering: .relaxed) {
            state.withLock { if writerIdle { state.broadcast() } }
        }
        recovered()
        return true
    }

    /// Preallocates `reserveBytes` past the segment's end when less than half is left, and
    /// sets or clears `spaceLow` by the outcome. Holding `output`.
    private func topUpReserve() {
        guard reserveBytes > 0 else { return }
        reserveWanted.store(false, ordering: .relaxed)
        guard reserveEnd - segmentSize < reserveBytes / 2 || spaceLow.load(ordering: .relaxed) else { return }
        do {
            if try file.preallocate(offset: segmentSize, length: reserveBytes) {
                reserveEnd = segmentSize + reserveBytes
            } else {
                reserveEnd = Int.max / 2  // the file system cannot preallocate: go without
            }
            if spaceLow.exchange(false, ordering: .relaxed) {
                logger.notice("The disk has room for the log again: accepting writes")
                onHealthChange()
            }
        } catch {
            noteError(error)
            if !spaceLow.exchange(true, ordering: .relaxed) {
                logger.warning("Can't reserve \(reserveBytes) bytes of disk for the log (\(error)); refusing writes until there is room")
                onHealthChange()
            }
        }
    }

    /// Gives back the reserve past the segment's end. Holding `output`.
    private func releaseReserve() {
        guard reserveBytes > 0, reserveEnd > segmentSize else { return }
        file.releasePreallocation(beyond: segmentSize, length: min(reserveEnd - segmentSize, reserveBytes))
        reserveEnd = segmentSize
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
        if failing.exchange(false, ordering: .relaxed) {
            logger.notice("Writing the log works again")
            onHealthChange()
        }
    }

    /// A failed write or fsync. With `always` the writes waiting for it can never be
    /// acknowledged truthfully and the file's state after a failed fsync is unknown, so, as
    /// Redis does, the process exits: everything acknowledged is already durable. Otherwise
    /// the server refuses writes (`failing`) and the batch is retried every second after
    /// cutting the segment back to its last complete record.
    private func failed(_ operation: String, _ error: Error, policy: FsyncPolicy) -> Bool {
        noteError(error)
        if policy == .always {
            logger.critical("Can't recover from a log \(operation) error when the fsync policy is 'always': \(error). Exiting...")
            onFatal()
            halted.store(true, ordering: .relaxed)
            return false
        }
        if !failing.exchange(true, ordering: .relaxed) {
            logger.warning("Error writing to the log (\(operation)): \(error); refusing writes until it succeeds")
            onHealthChange()
        }
        // Cut off whatever part of the batch reached the file; the retry writes all of it
        // again at `segmentSize` anyway, so a failed cut leaves no hole either.
        if operation == "write" { try? file.truncate(to: segmentSize) }
        return false
    }

    private func noteError(_ error: Error) {
        if case .io(_, _, let code)? = error as? DiskError { lastErrorCode.store(code, ordering: .relaxed) }
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
                releaseReserve()
                file.close()
                file = next
                segment += 1
                segmentSize = LogFormat.headerSize
                reserveEnd = segmentSize
                topUpReserve()
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
            try LogFormat.segmentHeader(sequence: sequence).withUnsafeBytes { try file.write($0, at: 0) }
            try file.sync()
            try DurableFile.syncDirectory(directory)
        } catch {
            // No half-made segment may outlive the failure: recovery would find a last
            // segment with a torn header after the records that went on in the previous one.
            file.close()
            try? DurableFile.remove(path)
            throw error
        }
        return file
    }
}
