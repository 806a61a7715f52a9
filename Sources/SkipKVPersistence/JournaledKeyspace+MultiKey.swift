import SkipKVStore

/// Writes that must hold several keys' stripes at once (MSETNX).
///
/// Concurrency contract: as `JournaledKeyspace`. A multi-key write takes the stripes of all
/// its keys, each once, in ascending stripe order, and releases them in descending order;
/// `lockAll` takes them in the same ascending order and single-key writes take one, so no
/// two threads can each hold a stripe the other waits for.
extension JournaledKeyspace {
    /// MSETNX: stores every pair only if none of the keys exists, atomically with respect
    /// to every other write (all the keys' stripes are held from the check to the last log
    /// append). A later pair for the same key wins, as in Redis. Readers take no stripe, so
    /// one on another thread can see some of the keys stored before the rest.
    /// Returns whether the pairs were stored.
    public func putAllIfAbsent(
        keys: [UnsafeRawBufferPointer], values: [UnsafeRawBufferPointer], lsn: inout UInt64
    ) -> Bool {
        var hashes = [UInt64](repeating: 0, count: keys.count)
        var held = [Int](repeating: 0, count: keys.count)
        for index in keys.indices {
            hashes[index] = keyspace.keyHash(keys[index])
            held[index] = stripes.stripe(hashes[index])
        }
        held.sort()
        var distinct = 0
        for stripe in held where distinct == 0 || held[distinct - 1] != stripe {
            held[distinct] = stripe
            distinct += 1
        }
        for stripe in held[0..<distinct] { stripes.lockStripe(stripe) }
        var absent = true
        for key in keys where keyspace.contains(key) {
            absent = false
            break
        }
        if absent {
            for index in keys.indices {
                _ = keyspace.put(keys[index], values[index])
                journalSet(keys[index], values[index], lsn: &lsn)
            }
        }
        for stripe in held[0..<distinct].reversed() { stripes.unlockStripe(stripe) }
        if absent {
            for hash in hashes { changeCounter.add(1, stripe: hash) }
        }
        return absent
    }
}
