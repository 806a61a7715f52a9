/// Reads that see every transaction and multi-key write entirely or not at all, without
/// taking a stripe (`KeyStripeLocks`, "Versions"). The read runs, then what could have
/// changed under it is compared with before; when a multi-key write may have touched what
/// it read, the caller's `retry` undoes what the read produced (its reply) and the read runs
/// again. Three checks, cheapest first:
/// 1. No multi-key write was running anywhere when the read began, and none began before it
///    ended (`quietToken`): nothing to check. What a server without transactions pays.
/// 2. Otherwise, for reads of named keys, the versions of their stripes (a seqlock each):
///    only writes to those stripes force a repetition, so transactions elsewhere do not.
/// 3. Reads of a range or the whole keyspace (`StripeSet.all`) use the first check alone;
///    when a multi-key write is running as they begin, they take every stripe instead.
/// After `optimisticAttempts` failures the read takes its stripes' mutexes instead (a long
/// RANGE cannot be starved by a stream of transactions).
///
/// What this does not give: atomicity against independent single-key writes. A RANGE or
/// MGET outside a transaction sees each key at some instant during the command; inside
/// MULTI/EXEC it sees one state, with every write to its keys excluded.
extension JournaledKeyspace {
    public static let optimisticAttempts = 3

    /// Check 1's token: nil while a multi-key write runs. A caller that got one, read, and
    /// finds `stillQuiet(since:)` true is done; otherwise it goes on with `consistentRead`.
    /// (The executor inlines these two for its common case; `consistentRead` does it all.)
    @inlinable
    public func quietToken() -> UInt64? { stripes.quietToken() }

    @inlinable
    public func stillQuiet(since token: UInt64) -> Bool { stripes.stillQuiet(since: token) }

    /// Runs `read` so that it sees no multi-key write to the stripes `stripes()` names half
    /// done; `stripes` is evaluated only when a multi-key write is running. `retry` is called
    /// before each repetition.
    @inlinable
    public func consistentRead(_ stripes: () -> StripeSet, retry: () -> Void, _ read: () -> Void) {
        if let token = self.stripes.quietToken() {
            read()
            if self.stripes.stillQuiet(since: token) { return }
            retry()
        }
        readWhileBusy(stripes(), retry: retry, read)
    }

    /// Checks 2 and 3, for a read that met a running multi-key write.
    public func readWhileBusy(_ set: StripeSet, retry: () -> Void, _ read: () -> Void) {
        if set == .all {
            readWhole(retry: retry, read)
        } else {
            readStripes(set, retry: retry, read)
        }
    }

    /// A range or whole-keyspace read: optimistic only from a quiet moment; while multi-key
    /// writes keep coming (no quiet moment), every stripe at once, rather than waiting for a
    /// pause that may not come.
    @usableFromInline
    func readWhole(retry: () -> Void, _ read: () -> Void) {
        for _ in 0..<Self.optimisticAttempts {
            guard let token = stripes.quietToken() else { break }
            read()
            if stripes.stillQuiet(since: token) { return }
            retry()
        }
        stripes.lock(.all)
        read()
        stripes.unlock(.all)
    }

    @usableFromInline
    func readStripes(_ set: StripeSet, retry: () -> Void, _ read: () -> Void) {
        for _ in 0..<Self.optimisticAttempts {
            let token = stripes.readVersions(set)
            read()
            if stripes.unchanged(set, since: token) { return }
            retry()
        }
        stripes.lock(set)
        read()
        stripes.unlock(set)
    }
}
