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
    /// The last key's access when it differs from the others' (RENAME's and COPY's
    /// destination): Redis 7 then states one key spec per key.
    var lastKeyAccess: KeyAccess? = nil

    static let none = KeyPositions(first: 0, last: 0, step: 0, access: [])

    /// The key is argument 1.
    static func one(_ access: KeyAccess) -> KeyPositions { KeyPositions(first: 1, last: 1, step: 1, access: access) }

    /// Every argument from 1 on is a key.
    static func all(_ access: KeyAccess) -> KeyPositions { KeyPositions(first: 1, last: -1, step: 1, access: access) }

    /// A source key at argument 1 and a destination key at argument 2, each with its own spec.
    static func sourceAndDestination(_ source: KeyAccess, _ destination: KeyAccess) -> KeyPositions {
        KeyPositions(first: 1, last: 2, step: 1, access: source, lastKeyAccess: destination)
    }

    /// Redis 7's key specs for these positions: the first key found by index and the rest
    /// by range (`lastKey` relative to it unless counted from the end); with a
    /// `lastKeyAccess`, one spec per key.
    var specs: [(index: Int, lastKey: Int, step: Int, access: KeyAccess)] {
        guard first > 0 else { return [] }
        guard let lastKeyAccess else { return [(first, relativeLastKey, step, access)] }
        return [(first, 0, 1, access), (last, 0, 1, lastKeyAccess)]
    }

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
