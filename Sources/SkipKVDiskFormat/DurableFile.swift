#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file open for writing whose every call either completes or throws: writes loop over
/// partial writes and EINTR, `sync` makes written data durable. Logs and snapshots are written
/// only through it, so a short write can never pass silently, and every call first asks
/// `FaultInjector.shared`, so tests can make any of them fail.
///
/// One owner at a time (the log writer thread, a snapshot writer); `@unchecked Sendable` so the
/// owner can be handed to another thread, not so that two threads can share it.
public final class DurableFile: @unchecked Sendable {
    /// The path the file was opened with, for error messages.
    public let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close()
    }

    /// Creates `path` (mode 0644) or truncates what is there: a new segment or snapshot file.
    public static func create(_ path: String) throws -> DurableFile {
        try injectFault(.create, path: path, operation: "create")
        let flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
        return DurableFile(path: path, descriptor: try openDescriptor(path, flags, mode: 0o644, operation: "create"))
    }

    /// Opens an existing file so that writes go to its end: resuming the last log segment.
    /// Linux ignores the offset of `write(_:at:)` on such a file and appends.
    public static func openForAppend(_ path: String) throws -> DurableFile {
        DurableFile(path: path, descriptor: try openDescriptor(path, O_WRONLY | O_APPEND | O_CLOEXEC, operation: "open"))
    }

    /// Writes all of `bytes` at the current position.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try writeFully(bytes, operation: "write") { descriptor, start, count, _ in
            systemWrite(descriptor, start, count)
        }
    }

    /// Writes all of `bytes` at `offset` without moving the file position: patching a header
    /// once its final values are known.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        try writeFully(bytes, operation: "pwrite") { descriptor, start, count, done in
            pwrite(descriptor, start, count, off_t(offset + done))
        }
    }

    /// Makes the written data durable (fdatasync). After a failure the kernel may already have
    /// dropped the dirty pages, so a later successful sync proves nothing: treat it as fatal
    /// for everything written since the last successful sync.
    public func sync() throws {
        try Self.injectFault(.sync, path: path, operation: "fdatasync")
        try retryingInterrupts(operation: "fdatasync") { fdatasync($0) }
    }

    /// Cuts the file to `size` bytes: dropping a torn tail before appending after it.
    public func truncate(to size: Int) throws {
        try Self.injectFault(.truncate, path: path, operation: "truncate")
        try retryingInterrupts(operation: "truncate") { ftruncate($0, off_t(size)) }
    }

    /// Reserves disk blocks for `length` bytes from `offset` without changing the file's size
    /// (fallocate with FALLOC_FL_KEEP_SIZE), so that writes into that range cannot fail for
    /// want of space. Returns false when the file system cannot preallocate at all (the
    /// caller then goes without a reserve); throws when it could but failed (ENOSPC: full).
    public func preallocate(offset: Int, length: Int) throws -> Bool {
        try Self.injectFault(.allocate, path: path, operation: "fallocate")
        while fallocate(descriptor, Self.keepSize, off_t(offset), off_t(length)) != 0 {
            let code = errno
            if code == EOPNOTSUPP || code == ENOSYS { return false }
            if code != EINTR { throw DiskError.io(operation: "fallocate", path: path, code: code) }
        }
        return true
    }

    /// Gives back the blocks `preallocate` reserved past `size`, the file's end (punching a
    /// hole keeps the size). Best effort: a reserve left behind only costs space until the
    /// file is removed.
    public func releasePreallocation(beyond size: Int, length: Int) {
        _ = fallocate(descriptor, Self.keepSize | Self.punchHole, off_t(size), off_t(length))
    }

    // linux/falloc.h's flags. Glibc declares fallocate only under _GNU_SOURCE, which the
    // Swift module does not see, so it is looked up once by name.
    private static let keepSize: Int32 = 0x01
    private static let punchHole: Int32 = 0x02
    private typealias Fallocate = @convention(c) (Int32, Int32, off_t, off_t) -> Int32
    private static let fallocateFunction: Fallocate? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "fallocate")
        .map { unsafeBitCast($0, to: Fallocate.self) }

    private func fallocate(_ descriptor: Int32, _ mode: Int32, _ offset: off_t, _ length: off_t) -> Int32 {
        guard let call = Self.fallocateFunction else {
            errno = ENOSYS
            return -1
        }
        return call(descriptor, mode, offset, length)
    }

    /// The file's current size in bytes.
    public func size() throws -> Int {
        try descriptorSize(descriptor, path: path)
    }

    /// Closes the descriptor; later calls fail with EBADF. Idempotent, and done by deinit too.
    /// Close errors are not reported: durability comes from `sync`, not from close.
    public func close() {
        guard descriptor >= 0 else { return }
        closeDescriptor(descriptor)
        descriptor = -1
    }

    private func writeFully(
        _ bytes: UnsafeRawBufferPointer, operation: String,
        _ call: (Int32, UnsafeRawPointer, Int, Int) -> Int
    ) throws {
        switch FaultInjector.shared.check(.write, path: path) {
        case .fail(let code)?:
            throw DiskError.io(operation: operation, path: path, code: code)
        case .shortWrite(let code)?:
            try writeLoop(UnsafeRawBufferPointer(rebasing: bytes.prefix(bytes.count / 2)), operation: operation, call)
            throw DiskError.io(operation: operation, path: path, code: code)
        case nil:
            try writeLoop(bytes, operation: operation, call)
        }
    }

    private func writeLoop(
        _ bytes: UnsafeRawBufferPointer, operation: String,
        _ call: (Int32, UnsafeRawPointer, Int, Int) -> Int
    ) throws {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let written = call(descriptor, base + done, bytes.count - done, done)
            if written > 0 {
                done += written
            } else if written == 0 {
                // A regular file never takes nothing without an error; failing beats spinning.
                throw DiskError.io(operation: operation, path: path, code: EIO)
            } else if errno != EINTR {
                throw DiskError.io(operation: operation, path: path, code: errno)
            }
        }
    }

    private func retryingInterrupts(operation: String, _ call: (Int32) -> Int32) throws {
        while call(descriptor) != 0 {
            let code = errno
            if code != EINTR { throw DiskError.io(operation: operation, path: path, code: code) }
        }
    }

    /// Makes the directory entries of `path` durable (fsync of the directory): required after
    /// creating, renaming or removing a file for that change to survive a crash.
    public static func syncDirectory(_ path: String) throws {
        try injectFault(.syncDirectory, path: path, operation: "fsync directory")
        let descriptor = try openDescriptor(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, operation: "open directory")
        defer { closeDescriptor(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw DiskError.io(operation: "fsync directory", path: path, code: errno)
        }
    }

    /// Atomically replaces `to` with `from` (same file system); durable after `syncDirectory`.
    public static func rename(_ from: String, to: String) throws {
        try injectFault(.rename, path: to, operation: "rename")
        guard systemRename(from, to) == 0 else {
            throw DiskError.io(operation: "rename", path: "\(from) -> \(to)", code: errno)
        }
    }

    /// Deletes `path`; a file that is already gone is not an error, so clean-up can be repeated.
    public static func remove(_ path: String) throws {
        try injectFault(.remove, path: path, operation: "remove")
        guard unlink(path) == 0 || errno == ENOENT else {
            throw DiskError.io(operation: "remove", path: path, code: errno)
        }
    }

    /// Whether `path` exists and is a directory (following symbolic links).
    public static func directoryExists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    /// Creates, writes, fsyncs and removes a probe file in `directory`, so that a missing,
    /// read-only or full directory is reported at start-up rather than at the first write.
    public static func checkWritable(directory: String) throws {
        var status = stat()
        guard stat(directory, &status) == 0 else {
            throw DiskError.io(operation: "stat", path: directory, code: errno)
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw DiskError.io(operation: "open directory", path: directory, code: ENOTDIR)
        }
        let probe = "\(directory)/.skipkv-write-probe-\(getpid())"
        let file = try create(probe)
        do {
            try withUnsafeBytes(of: UInt8(ascii: "\n")) { try file.write($0) }
            try file.sync()
        } catch {
            file.close()
            try? remove(probe)
            throw error
        }
        file.close()
        try remove(probe)
    }
}

extension DurableFile {
    /// Throws what `FaultInjector.shared` says `operation` on `path` should fail with.
    @inline(__always)
    static func injectFault(_ kind: FaultInjector.Operation, path: String, operation: String) throws {
        if case .fail(let code)? = FaultInjector.shared.check(kind, path: path) {
            throw DiskError.io(operation: operation, path: path, code: code)
        }
    }
}

// Free functions, because inside DurableFile these names mean its own methods.
private func systemWrite(_ descriptor: Int32, _ start: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, start, count)
}

private func systemRename(_ from: String, _ to: String) -> Int32 {
    rename(from, to)
}
