/// Reads that see every transaction and multi-key write entirely or not at all, without
/// taking a stripe: a seqlock per stripe (`KeyStripeLocks`, "Versions"). The read runs, then
/// its stripes' versions are compared with those before it; when a multi-key write touched
/// one of them meanwhile, the caller's `retry` undoes what the read produced (its reply) and
/// the read runs again. After `optimisticAttempts` failures the read takes its stripes'
/// mutexes instead (a long RANGE cannot be starved by a stream of transactions).
///
/// What this does not give: atomicity against independent single-key writes. A RANGE or
/// MGET outside a transaction sees each key at some instant during the command; inside
/// MULTI/EXEC it sees one state, with every write to its keys excluded.
extension JournaledKeyspace {
    public static let optimisticAttempts = 3

    /// Runs `read` so that it sees no multi-key write to `set`'s stripes half done. `retry` is
    /// called before each repetition.
    @inlinable
    public func consistentRead(_ set: StripeSet, retry: () -> Void, _ read: () -> Void) {
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

    /// `consistentRead` of one key's stripe: the common case, one version word.
    @inlinable
    public func consistentRead(stripe: Int, retry: () -> Void, _ read: () -> Void) {
        for _ in 0..<Self.optimisticAttempts {
            let version = stripes.readVersion(stripe)
            read()
            if stripes.unchanged(stripe, since: version) { return }
            retry()
        }
        stripes.lockStripe(stripe)
        read()
        stripes.unlockStripe(stripe)
    }
}
