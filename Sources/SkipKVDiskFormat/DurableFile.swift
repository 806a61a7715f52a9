#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file open for writing whose every call either completes or throws: writes loop over
/// partial writes and EINTR, `sync` makes written data durable. Logs and snapshots are written
/// only through it, so a short write can never pass silently.
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
        try retryingInterrupts(operation: "fdatasync") { fdatasync($0) }
    }

    /// Cuts the file to `size` bytes: dropping a torn tail before appending after it.
    public func truncate(to size: Int) throws {
        try retryingInterrupts(operation: "truncate") { ftruncate($0, off_t(size)) }
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
        let descriptor = try openDescriptor(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, operation: "open directory")
        defer { closeDescriptor(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw DiskError.io(operation: "fsync directory", path: path, code: errno)
        }
    }

    /// Atomically replaces `to` with `from` (same file system); durable after `syncDirectory`.
    public static func rename(_ from: String, to: String) throws {
        guard systemRename(from, to) == 0 else {
            throw DiskError.io(operation: "rename", path: "\(from) -> \(to)", code: errno)
        }
    }

    /// Deletes `path`; a file that is already gone is not an error, so clean-up can be repeated.
    public static func remove(_ path: String) throws {
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

// Free functions, because inside DurableFile these names mean its own methods.
private func systemWrite(_ descriptor: Int32, _ start: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, start, count)
}

private func systemRename(_ from: String, _ to: String) -> Int32 {
    rename(from, to)
}
