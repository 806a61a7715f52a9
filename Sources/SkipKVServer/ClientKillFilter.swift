import SkipKVProtocol

/// Which clients CLIENT KILL closes: the old form's one address, or the new form's filters
/// (ID, ADDR, LADDR, TYPE, USER, SKIPME), every one given having to match, as in Redis.
struct ClientKillFilter {
    var id: UInt64?
    var address: String?
    var localAddress: String?
    /// TYPE master, replica or pubsub: SkipKV has only normal clients, so nothing matches.
    var matchesNothing = false
    /// Whether the calling connection is exempt (SKIPME; yes by default in the new form, no
    /// in the old, where a client may kill itself).
    var skipsCaller: Bool

    /// Parses the arguments after `CLIENT KILL`; on failure the error reply's text.
    static func parse(_ c: CommandContext) -> Result<ClientKillFilter, KillSyntaxError> {
        if c.count == 3 {
            return .success(ClientKillFilter(address: c.string(2), skipsCaller: false))
        }
        // Every option takes a value: CLIENT KILL and pairs make an even count.
        guard c.count % 2 == 0 else { return .failure(KillSyntaxError(ErrorText.syntax)) }
        var filter = ClientKillFilter(skipsCaller: true)
        for option in stride(from: 2, to: c.count, by: 2) {
            let value = option + 1
            if c.argument(option, is: "ID") {
                guard let id = StrictInteger.parse(c.argument(value)), id > 0 else {
                    return .failure(KillSyntaxError("ERR client-id should be greater than 0"))
                }
                filter.id = UInt64(id)
            } else if c.argument(option, is: "ADDR") {
                filter.address = c.string(value)
            } else if c.argument(option, is: "LADDR") {
                filter.localAddress = c.string(value)
            } else if c.argument(option, is: "TYPE") {
                if c.argument(value, is: "MASTER") || c.argument(value, is: "REPLICA") || c.argument(value, is: "SLAVE")
                    || c.argument(value, is: "PUBSUB") {
                    filter.matchesNothing = true
                } else if !c.argument(value, is: "NORMAL") {
                    return .failure(KillSyntaxError("ERR Unknown client type '\(c.string(value))'"))
                }
            } else if c.argument(option, is: "USER") {
                guard c.string(value) == "default" else {
                    return .failure(KillSyntaxError("ERR No such user '\(c.string(value))'"))
                }
            } else if c.argument(option, is: "SKIPME") {
                if c.argument(value, is: "YES") {
                    filter.skipsCaller = true
                } else if c.argument(value, is: "NO") {
                    filter.skipsCaller = false
                } else {
                    return .failure(KillSyntaxError(ErrorText.syntax))
                }
            } else {
                return .failure(KillSyntaxError(ErrorText.syntax))
            }
        }
        return .success(filter)
    }

    func matches(_ client: ClientInfo) -> Bool {
        if matchesNothing { return false }
        if let id, client.id != id { return false }
        if let address, client.address != address { return false }
        if let localAddress, client.localAddress != localAddress { return false }
        return true
    }
}

/// The error reply for CLIENT KILL arguments that do not parse.
struct KillSyntaxError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
