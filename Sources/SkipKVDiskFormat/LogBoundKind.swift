/// How a range-delete record stores one `RangeBound`: this byte, then a u32 length and the key.
enum LogBoundKind: UInt8 {
    case unbounded = 0
    case inclusive = 1
    case exclusive = 2
}
