import Foundation
import Glibc
import SkipKVProtocol

/// A server that answers `REPLY <hex>` with exactly the bytes the hex spells, so redis-cli
/// and skipkv-cli can be shown any reply, including RESP3 types no real command returns.
/// `HELLO` gets a small RESP3 map and `COMMAND` an empty array (what the two clients send on
/// their own); anything else `+OK`.
final class FakeReplyServer {
    let port: Int
    private let listener: Int32

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var on: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress -> Bool in
                bind(listener, socketAddress, length) == 0 && getsockname(listener, socketAddress, &length) == 0
                    && listen(listener, 16) == 0
            }
        }
        guard listening else { throw TestServerError.noFreePort }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { Self.acceptLoop(listener) }
    }

    deinit {
        // Unblocks accept; the loop then ends.
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// The `REPLY` command that makes the server send `wire`.
    static func command(for wire: [UInt8]) -> [String] {
        ["REPLY", wire.map { String(format: "%02x", $0) }.joined()]
    }

    private static func acceptLoop(_ listener: Int32) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            Thread.detachNewThread { Self.serve(client) }
        }
    }

    private static func serve(_ client: Int32) {
        defer { close(client) }
        var parser = RequestParser()
        var arguments = CommandArguments()
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(client, &chunk, chunk.count, 0)
            guard count > 0 else { return }
            pending += chunk[0..<count]
            while true {
                var reply: [UInt8]? = nil
                var consumed = 0
                var stop = false
                pending.withUnsafeBytes { buffer in
                    switch parser.parse(buffer, into: &arguments) {
                    case .command(let used):
                        consumed = used
                        reply = answer((0..<arguments.count).map { [UInt8](arguments.argument($0, in: buffer)) })
                    case .incomplete(let used, _):
                        consumed = used
                        stop = true
                    case .error:
                        stop = true
                    }
                }
                pending.removeFirst(consumed)
                if let reply { _ = reply.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
                if stop { break }
            }
        }
    }

    private static func answer(_ command: [[UInt8]]) -> [UInt8] {
        let name = String(decoding: command[0], as: UTF8.self).uppercased()
        switch name {
        case "REPLY" where command.count == 2:
            let hex = Array(command[1])
            return stride(from: 0, to: hex.count - 1, by: 2).map { UInt8(String(decoding: hex[$0...$0 + 1], as: UTF8.self), radix: 16)! }
        case "HELLO": return Array("%1\r\n+server\r\n+fake\r\n".utf8)
        case "COMMAND": return Array("*0\r\n".utf8)
        default: return Array("+OK\r\n".utf8)
        }
    }
}
