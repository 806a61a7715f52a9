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
    /// Set when Redis 7 states two key specs: the first key alone with `access`, the keys
    /// after it with `laterAccess` (BITOP's destination, then its sources; RENAME's and COPY's source, then destination).
    var laterAccess: KeyAccess? = nil

    static let none = KeyPositions(first: 0, last: 0, step: 0, access: [])

    /// The key is argument 1.
    static func one(_ access: KeyAccess) -> KeyPositions { KeyPositions(first: 1, last: 1, step: 1, access: access) }

    /// Every argument from 1 on is a key.
    static func all(_ access: KeyAccess) -> KeyPositions { KeyPositions(first: 1, last: -1, step: 1, access: access) }

    /// A source key at argument 1 and a destination key at argument 2, each with its own spec.
    static func sourceAndDestination(_ source: KeyAccess, _ destination: KeyAccess) -> KeyPositions {
        KeyPositions(first: 1, last: 2, step: 1, access: source, laterAccess: destination)
    }

    /// The positions of the keys in an invocation of `count` arguments (arity already checked).
    func positions(argumentCount count: Int) -> [Int] {
        Array(Self.positions(first: first, last: last, step: step, argumentCount: count))
    }

    /// The key positions `first`, `last`, `step` name in an invocation of `count` arguments
    /// (none when `first` is 0): what COMMAND GETKEYS lists and a transaction locks.
    static func positions(first: Int, last: Int, step: Int, argumentCount count: Int) -> StrideThrough<Int> {
        let end = first > 0 ? min(last < 0 ? count + last : last, count - 1) : -1
        return stride(from: max(first, 1), through: end, by: max(step, 1))
    }

    /// One of Redis 7's key specs: the first key's position (`begin_search` `index`), and
    /// `find_keys`' `lastkey`, relative to it unless counted from the end.
    struct Spec {
        let index: Int
        let lastKey: Int
        let access: KeyAccess
        let notes: String?
    }

    /// The key specs COMMAND INFO sends for these positions.
    var specs: [Spec] {
        guard first > 0 else { return [] }
        guard let laterAccess else {
            return [Spec(index: first, lastKey: last < 0 ? last : last - first, access: access, notes: notes)]
        }
        let second = first + step
        return [Spec(index: first, lastKey: 0, access: access, notes: notes),
                Spec(index: second, lastKey: last < 0 ? last : last - second, access: laterAccess, notes: nil)]
    }
}
