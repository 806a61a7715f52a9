import SkipKVClient
import SkipKVProtocol

/// A server to load: its address, kind and version.
struct NetTarget: Sendable {
    let host: String
    let port: Int
    let kind: TargetKind
    /// "skipkv 0.1.0 (redis_version 7.2.4)", "redis 7.0.15", or "unknown" when INFO failed.
    let version: String

    /// "host:port", with brackets around an IPv6 address.
    var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// "skipkv@127.0.0.1:7379": short enough for table rows, unique within a comparison.
    var label: String { "\(kind.rawValue)@\(address)" }

    /// Splits "host:port" or "[v6 address]:port".
    static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// Asks the server for `INFO server` and classifies it: a `skipkv_version` field means
    /// SkipKV, anything else is treated as redis-server. `choice` overrides the detection
    /// (the version is still reported); failing to connect at all is an error.
    static func connect(host: String, port: Int, choice: TargetKindChoice) throws -> NetTarget {
        let connection: Connection
        do {
            connection = try Connection.open(.tcp(host: host, port: port), timeout: 5)
        } catch let error as ClientError {
            throw NetFailure(error.message)
        }
        var fields: [String: String] = [:]
        var version = "unknown"
        switch try? connection.execute(["INFO", "server"]) {
        case .error(let message):
            version += " (INFO server: \(String(decoding: message, as: UTF8.self)))"
        case let reply?:
            let text = String(decoding: reply.stringBytes ?? [], as: UTF8.self)
            for line in text.split(whereSeparator: \.isNewline) {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
            }
        case nil:
            version += " (no reply to INFO server)"
        }
        let detected: TargetKind = fields["skipkv_version"] != nil ? .skipkv : .redis
        let kind: TargetKind
        switch choice {
        case .auto: kind = detected
        case .skipkv: kind = .skipkv
        case .redis: kind = .redis
        }
        if let skipkv = fields["skipkv_version"] {
            version = "skipkv \(skipkv)" + (fields["redis_version"].map { " (redis_version \($0))" } ?? "")
        } else if let redis = fields["redis_version"] {
            version = "redis \(redis)"
        }
        return NetTarget(host: host, port: port, kind: kind, version: version)
    }
}
