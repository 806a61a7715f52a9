import SkipKVKeys

/// WATCH and WATCHRANGE: registering a client's watches where writers look (`WatchRegistry`),
/// dropping them, and EXEC's check that none was touched.
extension JournaledKeyspace {
    /// WATCH key: from now on a write to `key` marks `watcher` dirty. A key watched twice is
    /// watched once. Whether the key has already expired is recorded (Redis's rule: removing
    /// such a key is no change, and an EXEC fails when a key live at WATCH has expired since).
    public func watch(_ key: UnsafeRawBufferPointer, by watcher: Watcher) {
        let bytes = Array(key)
        let hash = keyspace.keyHash(key)
        if watcher.keys.contains(where: { $0.hash == hash && $0.key == bytes }) { return }
        let stripe = stripes.stripe(hash)
        stripes.lock(hash)
        let expired = isExpired(key, at: keyspace.clock.now())
        watches.add(bytes, hash: hash, stripe: stripe, watcher: watcher, expired: expired)
        stripes.unlock(hash)
        watcher.keys.append(Watcher.WatchedKey(key: bytes, hash: hash))
    }

    /// WATCHRANGE: from now on a write, creation or removal of any key in `range` (and the
    /// expiry of one live now) marks `watcher` dirty. Registering takes every stripe, so
    /// every write after it sees the range.
    public func watch(range: KeyRange, by watcher: Watcher) {
        stripes.lock(.all)
        let since = keyspace.clock.now()
        watches.addRange(range, since: since, watcher: watcher)
        stripes.unlock(.all)
        watcher.ranges.append(Watcher.WatchedRange(range: range, since: since))
    }

    /// UNWATCH (and a closing client): drops every watch of `watcher` and its dirty flag.
    public func unwatchAll(_ watcher: Watcher) {
        guard watcher.isWatching else {
            watcher.dirtyFlag.store(false, ordering: .relaxed)
            return
        }
        if !watcher.ranges.isEmpty {
            stripes.lock(.all)
            dropWatches(of: watcher)
            stripes.unlock(.all)
        } else {
            for watched in watcher.keys {
                stripes.lock(watched.hash)
                watches.removeKeys(of: watcher, stripe: stripes.stripe(watched.hash))
                stripes.unlock(watched.hash)
            }
            watcher.keys.removeAll()
        }
        watcher.dirtyFlag.store(false, ordering: .relaxed)
    }

    /// The stripes EXEC must hold to check `watcher`'s watches and drop them: its keys'
    /// stripes, every stripe when it watches a range.
    public func stripes(watchedBy watcher: Watcher) -> StripeSet {
        if !watcher.ranges.isEmpty { return .all }
        var set = StripeSet()
        for watched in watcher.keys { set.insert(stripe: stripes.stripe(watched.hash)) }
        return set
    }

    /// Whether a key `key` has expired: present, with a deadline before `now`.
    func isExpired(_ key: UnsafeRawBufferPointer, at now: Int64) -> Bool {
        guard let deadline = keyspace.storedDeadline(ofKey: key) else { return false }
        return deadline != 0 && deadline < now
    }

    /// Drops every watch of `watcher`, holding the stripes `stripes(watchedBy:)` named.
    func dropWatches(of watcher: Watcher) {
        for watched in watcher.keys { watches.removeKeys(of: watcher, stripe: stripes.stripe(watched.hash)) }
        if !watcher.ranges.isEmpty { watches.removeRanges(of: watcher) }
        watcher.keys.removeAll()
        watcher.ranges.removeAll()
    }
}

extension KeyspaceTransaction {
    /// EXEC's check, holding (at least) `stripes(watchedBy: watcher)`: whether a watched key
    /// or range was changed since it was watched, or a watched key live then has expired
    /// since (Redis's `isWatchedKeyExpired`; a range: a key in it whose deadline fell in
    /// between). Then drops every watch, as EXEC does whatever the outcome.
    public func watchesBroken(_ watcher: Watcher) -> Bool {
        var broken = watcher.isDirty
        if !broken && watcher.isWatching {
            let now = keyspace.clock.now()
            for watched in watcher.keys where !broken {
                let stripe = journaled.stripes.stripe(watched.hash)
                assert(held.contains(stripe: stripe))
                guard let watch = journaled.watches.watch(of: watched.key, stripe: stripe, by: watcher),
                      !watch.expiredAtWatch else { continue }
                broken = watched.key.withUnsafeBytes { journaled.isExpired($0, at: now) }
            }
            for watched in watcher.ranges where !broken {
                broken = keyspace.hasKeyExpired(in: watched.range, since: watched.since, now: now)
            }
        }
        journaled.dropWatches(of: watcher)
        watcher.dirtyFlag.store(false, ordering: .relaxed)
        return broken
    }
}
