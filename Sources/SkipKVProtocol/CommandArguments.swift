/// The argument list of the last command `RequestParser` produced, as byte slices. Reused
/// across commands so that steady-state parsing allocates nothing.
///
/// Most arguments are (offset, count) slices of the receive buffer the parser was given, so
/// resolving one needs that buffer again: `argument(i, in: buffer)`. Inline arguments that
/// contained quotes or escapes had to be rewritten; their bytes live in a scratch area owned
/// by this value. Resolved slices stay valid until the next `parse` call with this value or
/// until the receive buffer is moved or freed.
///
/// Noncopyable because it owns manually managed memory; that also keeps the hot path free
/// of reference counting.
public struct CommandArguments: ~Copyable {
    /// One argument. Buffer slices have `offset >= 0`; scratch slices store the bitwise
    /// complement of their scratch offset (always negative), which keeps a slice two words and
    /// lets one sign test pick the base pointer.
    @usableFromInline
    struct Slice {
        @usableFromInline var offset: Int
        @usableFromInline var count: Int

        @inlinable
        init(offset: Int, count: Int) {
            self.offset = offset
            self.count = count
        }
    }

    @usableFromInline var slices: UnsafeMutablePointer<Slice>
    @usableFromInline var sliceCapacity: Int
    @usableFromInline var sliceCount: Int
    @usableFromInline var scratch: UnsafeMutableRawPointer
    @usableFromInline var scratchCapacity: Int
    @usableFromInline var scratchCount: Int

    public init() {
        // Small starting sizes: typical commands have a handful of arguments, and both
        // tables grow only as arguments actually arrive, never to a count a client announces.
        sliceCapacity = 8
        slices = .allocate(capacity: sliceCapacity)
        scratchCapacity = 64
        scratch = .allocate(byteCount: scratchCapacity, alignment: 1)
        sliceCount = 0
        scratchCount = 0
    }

    deinit {
        slices.deallocate()
        scratch.deallocate()
    }

    /// Number of arguments, including the command name.
    @inlinable
    public var count: Int { sliceCount }

    @inlinable
    public var isEmpty: Bool { sliceCount == 0 }

    /// The bytes of argument `index`. `buffer` must be the buffer passed to the `parse` call
    /// that returned `.command`.
    @inlinable
    public func argument(_ index: Int, in buffer: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < sliceCount, "argument index out of range")
        let slice = slices[index]
        if slice.offset >= 0 {
            precondition(slice.offset + slice.count <= buffer.count, "buffer is not the one parsed")
            return UnsafeRawBufferPointer(start: buffer.baseAddress.map { $0 + slice.offset }, count: slice.count)
        }
        return UnsafeRawBufferPointer(start: scratch + ~slice.offset, count: slice.count)
    }

    // MARK: Building (parser only)

    mutating func removeAll() {
        sliceCount = 0
        scratchCount = 0
    }

    mutating func appendBufferSlice(offset: Int, count: Int) {
        appendSlice(Slice(offset: offset, count: count))
    }

    /// Replaces the arguments with slices of a buffer the caller keeps (a transaction's queued
    /// command, run by EXEC): `argument(i, in:)` then takes that buffer.
    public mutating func replace(withSlicesOf ranges: ArraySlice<Range<Int>>) {
        removeAll()
        for range in ranges { appendBufferSlice(offset: range.lowerBound, count: range.count) }
    }

    /// Starts a scratch argument; returns its scratch offset for `finishScratchArgument`.
    mutating func beginScratchArgument() -> Int {
        scratchCount
    }

    mutating func appendScratchByte(_ byte: UInt8) {
        if scratchCount == scratchCapacity { growScratch(minimum: scratchCount + 1) }
        scratch.storeBytes(of: byte, toByteOffset: scratchCount, as: UInt8.self)
        scratchCount += 1
    }

    mutating func appendScratchBytes(_ source: UnsafeRawPointer, count: Int) {
        if scratchCount + count > scratchCapacity { growScratch(minimum: scratchCount + count) }
        (scratch + scratchCount).copyMemory(from: source, byteCount: count)
        scratchCount += count
    }

    mutating func finishScratchArgument(start: Int) {
        appendSlice(Slice(offset: ~start, count: scratchCount - start))
    }

    /// Shifts buffer slices left by `distance` after the parser tells the caller to discard
    /// that many leading bytes while a request is still incomplete.
    mutating func rebaseBufferSlices(by distance: Int) {
        for i in 0..<sliceCount where slices[i].offset >= 0 {
            slices[i].offset -= distance
        }
    }

    private mutating func appendSlice(_ slice: Slice) {
        if sliceCount == sliceCapacity { growSlices() }
        (slices + sliceCount).initialize(to: slice)
        sliceCount += 1
    }

    // The growth paths are kept out of line so the appends around them inline into the parser.
    @inline(never)
    private mutating func growSlices() {
        let newCapacity = sliceCapacity * 2
        let newSlices = UnsafeMutablePointer<Slice>.allocate(capacity: newCapacity)
        newSlices.moveInitialize(from: slices, count: sliceCount)
        slices.deallocate()
        slices = newSlices
        sliceCapacity = newCapacity
    }

    @inline(never)
    private mutating func growScratch(minimum: Int) {
        let newCapacity = max(scratchCapacity * 2, minimum)
        let newScratch = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 1)
        newScratch.copyMemory(from: scratch, byteCount: scratchCount)
        scratch.deallocate()
        scratch = newScratch
        scratchCapacity = newCapacity
    }
}
