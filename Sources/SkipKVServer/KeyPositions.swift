/// Which arguments are keys, as COMMAND INFO's legacy fields state it (what cluster clients
/// and proxies route by): the first key's position, the last one's (negative: counted from
/// the end, -1 the last argument), and the step between keys. All zero: no keys. Positions
/// count the command name (and a container's name) as argument 0. `access` and `notes` are
/// what Redis 7's key specs add: how the command uses the keys.
struct KeyPositions: Equatable, Sendable {
    let first: Int
    let last: Int
    let step: Int
    let access: KeyAccess
    var notes: String? = nil

    static let none = KeyPositions(first: 0, last: 0, step: 0, access: [])

    /// The key is argument 1.
    static func one(_ access: KeyAccess) -> KeyPositions { KeyPositions(first: 1, last: 1, step: 1, access: access) }

    /// Every argument from 1 on is a key.
    static func all(_ access: KeyAccess) -> KeyPositions { KeyPositions(first: 1, last: -1, step: 1, access: access) }

    /// The positions of the keys in an invocation of `count` arguments (arity already checked).
    func positions(argumentCount count: Int) -> [Int] {
        guard first > 0 else { return [] }
        let end = last < 0 ? count + last : last
        return end < first ? [] : Array(stride(from: first, through: min(end, count - 1), by: step))
    }

    /// Redis 7's key spec's `find_keys` `lastkey`: relative to the first key when not
    /// counted from the end.
    var relativeLastKey: Int { last < 0 ? last : last - first }
}
