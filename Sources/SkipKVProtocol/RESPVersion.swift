/// The reply dialect a connection speaks: RESP2 by default, RESP3 after `HELLO 3`.
public enum RESPVersion: Int, Sendable, Equatable {
    case resp2 = 2
    case resp3 = 3
}
