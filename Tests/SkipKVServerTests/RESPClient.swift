import Foundation

/// A reply as the tests compare them.
indirect enum RESP: Equatable, CustomStringConvertible {
    case simple(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case null
    case array([RESP])
    case map([(RESP, RESP)])
    case set([RESP])
    case double(String)
    case boolean(Bool)
    case verbatim(String, [UInt8])

    static func == (a: RESP, b: RESP) -> Bool {
        switch (a, b) {
        case let (.simple(x), .simple(y)), let (.error(x), .error(y)), let (.double(x), .double(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.bulk(x), .bulk(y)): return x == y
        case (.null, .null): return true
        case let (.array(x), .array(y)), let (.set(x), .set(y)): return x == y
        case let (.map(x), .map(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.boolean(x), .boolean(y)): return x == y
        case let (.verbatim(f, x), .verbatim(g, y)): return f == g && x == y
        default: return false
        }
    }

    static func bulk(_ text: String) -> RESP { .bulk(Array(text.utf8)) }

    /// An array of bulk strings.
    static func bulks(_ items: [String]) -> RESP { .array(items.map { .bulk($0) }) }

    var description: String {
        switch self {
        case .simple(let s): return "+\(s)"
        case .error(let s): return "-\(s)"
        case .integer(let i): return ":\(i)"
        case .bulk(let b): return b.count > 200 ? "$<\(b.count) bytes>" : "\"\(String(decoding: b, as: UTF8.self))\""
        case .null: return "(nil)"
        case .array(let items): return "[\(items.map(\.description).joined(separator: ", "))]"
        case .map(let pairs): return "{\(pairs.map { "\($0.0): \($0.1)" }.joined(separator: ", "))}"
        case .set(let items): return "~[\(items.map(\.description).joined(separator: ", "))]"
        case .double(let d): return ",\(d)"
        case .boolean(let b): return "#\(b)"
        case .verbatim(let f, let b): return "=\(f):\(String(decoding: b, as: UTF8.self))"
        }
    }

    var text: String? {
        switch self {
        case .bulk(let b), .verbatim(_, let b): return String(decoding: b, as: UTF8.self)
        case .simple(let s): return s
        default: return nil
        }
    }

    var elements: [RESP]? {
        switch self {
        case .array(let items), .set(let items): return items
        default: return nil
        }
    }
}

/// A blocking RESP client over a raw TCP socket: encodes commands as multibulk arrays (or
/// sends raw bytes) and decodes RESP2/RESP3 replies. Every read has a timeout so a broken
/// server fails the test instead of hanging it.
final class RESPClient {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var position = 0

    enum Failure: Error {
        case connect(Int32)
        case closed
        case timeout
        case malformed(String)
    }

    init(port: Int, timeoutSeconds: Int = 30) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw Failure.connect(code)
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
    }

    static func encode(_ arguments: [[UInt8]]) -> [UInt8] {
        var out = Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments {
            out += Array("$\(argument.count)\r\n".utf8)
            out += argument
            out += [13, 10]
        }
        return out
    }

    static func encode(_ arguments: [String]) -> [UInt8] {
        encode(arguments.map { Array($0.utf8) })
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                throw Failure.closed
            }
            offset += n
        }
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    /// Sends a command and returns its reply.
    func call(_ arguments: String...) throws -> RESP {
        try send(Self.encode(arguments))
        return try read()
    }

    func call(_ arguments: [String]) throws -> RESP {
        try send(Self.encode(arguments))
        return try read()
    }

    func callBytes(_ arguments: [[UInt8]]) throws -> RESP {
        try send(Self.encode(arguments))
        return try read()
    }

    /// Reads one reply.
    func read() throws -> RESP {
        let line = try readLine()
        guard let marker = line.first else { throw Failure.malformed("empty line") }
        let rest = String(decoding: line.dropFirst(), as: UTF8.self)
        switch marker {
        case UInt8(ascii: "+"): return .simple(rest)
        case UInt8(ascii: "-"): return .error(rest)
        case UInt8(ascii: ":"): return .integer(Int64(rest)!)
        case UInt8(ascii: ","): return .double(rest)
        case UInt8(ascii: "#"): return .boolean(rest == "t")
        case UInt8(ascii: "_"): return .null
        case UInt8(ascii: "$"):
            let length = Int(rest)!
            if length < 0 { return .null }
            let bytes = try readExactly(length + 2)
            return .bulk(Array(bytes.prefix(length)))
        case UInt8(ascii: "="):
            let length = Int(rest)!
            let bytes = Array(try readExactly(length + 2))
            return .verbatim(String(decoding: bytes.prefix(3), as: UTF8.self), Array(bytes[4..<length]))
        case UInt8(ascii: "*"), UInt8(ascii: "~"):
            let count = Int(rest)!
            if count < 0 { return .null }
            var items: [RESP] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try read()) }
            return marker == UInt8(ascii: "*") ? .array(items) : .set(items)
        case UInt8(ascii: "%"):
            let count = Int(rest)!
            var pairs: [(RESP, RESP)] = []
            for _ in 0..<count { pairs.append((try read(), try read())) }
            return .map(pairs)
        default:
            throw Failure.malformed("unexpected reply line \(String(decoding: line, as: UTF8.self))")
        }
    }

    /// True once the server has closed the connection (reads EOF, or a reset).
    func isClosedByServer() -> Bool {
        while true {
            if position < buffer.count { return false }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
            buffer += chunk[0..<n]
        }
    }

    /// Everything the server sends until it closes the connection.
    func readUntilClosed() throws -> [UInt8] {
        var all = Array(buffer[position...])
        buffer.removeAll()
        position = 0
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 { return all }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET { return all }
                throw Failure.timeout
            }
            all += chunk[0..<n]
        }
    }

    private func fill() throws {
        if position > 0 && position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
        }
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        let n = recv(fd, &chunk, chunk.count, 0)
        if n == 0 { throw Failure.closed }
        if n < 0 {
            if errno == EINTR { return }
            throw errno == EAGAIN ? Failure.timeout : Failure.closed
        }
        buffer += chunk[0..<n]
    }

    private func readLine() throws -> ArraySlice<UInt8> {
        var scanned = position
        while true {
            while scanned + 1 < buffer.count {
                if buffer[scanned] == 13 && buffer[scanned + 1] == 10 {
                    let line = buffer[position..<scanned]
                    position = scanned + 2
                    return line
                }
                scanned += 1
            }
            let offset = scanned - position
            try fill()
            scanned = position + offset
        }
    }

    private func readExactly(_ count: Int) throws -> ArraySlice<UInt8> {
        while buffer.count - position < count {
            if position > 0 {
                buffer.removeFirst(position)
                position = 0
            }
            buffer.reserveCapacity(count)
            try fill()
        }
        let bytes = buffer[position..<(position + count)]
        position += count
        return bytes
    }
}
