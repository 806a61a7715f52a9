#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only, for the log and snapshot readers: they parse in place
/// instead of copying through a read buffer, and MADV_SEQUENTIAL lets the kernel read ahead
/// and drop pages behind them. Noncopyable because it owns the mapping; the mapping goes away
/// with the value, which for a noncopyable value may be right after its last use rather than
/// at the end of the scope: read through `withBytes`, or call `close()` after the last read.
/// The file must not be truncated while mapped (a read past the new end raises SIGBUS).
public struct MappedFile: ~Copyable {
    /// The path the file was opened with, for error messages.
    public let path: String
    /// The file's contents; empty, with no mapping behind it, for a zero-length file. Valid only
    /// while the value lives (see above).
    public let bytes: UnsafeRawBufferPointer

    private init(path: String, bytes: UnsafeRawBufferPointer) {
        self.path = path
        self.bytes = bytes
    }

    /// Maps the file at `path`; throws `DiskError.io` when it cannot be opened or mapped.
    public static func open(_ path: String) throws -> MappedFile {
        let descriptor = try openDescriptor(path, O_RDONLY | O_CLOEXEC, operation: "open")
        // The mapping keeps its own reference to the file.
        defer { closeDescriptor(descriptor) }
        let size = try descriptorSize(descriptor, path: path)
        guard size > 0 else { return MappedFile(path: path, bytes: UnsafeRawBufferPointer(start: nil, count: 0)) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else {
            throw DiskError.io(operation: "mmap", path: path, code: errno)
        }
        _ = madvise(base, size, MADV_SEQUENTIAL)
        return MappedFile(path: path, bytes: UnsafeRawBufferPointer(start: base, count: size))
    }

    /// Calls `body` with the contents, keeping the mapping alive until it returns.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(bytes)
    }

    /// Unmaps now rather than at the end of the value's scope.
    public consuming func close() {}

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }
}
