#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `open(2)` retried on EINTR, failing with a `DiskError` that says what was being opened.
func openDescriptor(_ path: String, _ flags: Int32, mode: mode_t = 0, operation: String) throws -> Int32 {
    while true {
        let descriptor = open(path, flags, mode)
        if descriptor >= 0 { return descriptor }
        let code = errno
        if code != EINTR { throw DiskError.io(operation: operation, path: path, code: code) }
    }
}

/// `close(2)` without retrying: Linux releases the descriptor even when close reports EINTR,
/// so a retry could close a descriptor another thread has just been given.
func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}

/// `fstat(2)`'s size of an open file.
func descriptorSize(_ descriptor: Int32, path: String) throws -> Int {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
        throw DiskError.io(operation: "stat", path: path, code: errno)
    }
    return Int(status.st_size)
}
