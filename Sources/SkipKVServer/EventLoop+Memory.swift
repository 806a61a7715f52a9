import CLibUV

/// A loop's part in keeping memory under its limits: evicting keys before commands and in
/// the background (`Evictor`), keeping its clients' buffer memory counted (`MemoryGauge`),
/// and closing the biggest clients when all clients together exceed `maxmemory-clients`.
extension EventLoop {
    /// Redis's performEvictions before a command; false when the command must be refused with
    /// -OOM. Costs one load while no `maxmemory` is set.
    @inline(__always)
    func memoryAdmits(_ flags: CommandFlags) -> Bool {
        switch evictor.beforeCommand() {
        case .withinLimit:
            return true
        case .evicting:
            startBackgroundEviction()
            return true
        case .outOfMemory:
            return !flags.contains(.denyoom)
        }
    }

    /// Keeps evicting on every loop iteration (an idle handle, so the loop does not block in
    /// its poll meanwhile) until memory is under the limit or nothing is left to evict. Not
    /// while the data loads (CONFIG SET runs then): recovery writes past the log, and would
    /// bring back what eviction removed.
    func startBackgroundEviction() {
        guard uv_is_active(UnsafeMutablePointer(OpaquePointer(evictionIdle))) == 0, !shuttingDown,
              loaded || checkLoaded() else { return }
        uv_idle_start(evictionIdle) { handle in
            let loop = EventLoop.of(handle!.pointee.loop)
            if loop.evictor.performEvictions() != .evicting { uv_idle_stop(handle) }
        }
    }

    /// Loop 0's tick: re-reads the log buffer, raises the peak, and starts evicting when memory
    /// went over the limit while no command ran to notice (a lowered `maxmemory`, loaded data).
    func memoryTick() {
        let usage = server.memoryGauge.refresh(persistence.takeUnretainedValue())
        let maxMemory = server.memoryLimits.maxMemory.load(ordering: .relaxed)
        if maxMemory > 0 && usage.total > maxMemory { startBackgroundEviction() }
    }

    // MARK: Client memory

    /// Brings the loop's count of its clients' memory, and the client's own figure (CLIENT
    /// LIST, client eviction), up to date with the connection's buffers. Called whenever the
    /// connection has been driven; a closed connection was already taken out of the count.
    func accountMemory(_ connection: UnsafeMutablePointer<Connection>) {
        if connection.pointee.closing { return }
        let memory = connection.pointee.bufferMemory
        let delta = memory - connection.pointee.accountedMemory
        if delta == 0 { return }
        connection.pointee.accountedMemory = memory
        server.memoryGauge.addClientMemory(delta, loop: index)
        connection.pointee.withClient { $0.memory.store(memory, ordering: .relaxed) }
        if delta > 0 { enforceClientMemoryLimit() }
    }

    /// Takes a closing connection's buffers out of the count.
    func forgetMemory(_ connection: UnsafeMutablePointer<Connection>) {
        server.memoryGauge.addClientMemory(-connection.pointee.accountedMemory, loop: index)
        connection.pointee.accountedMemory = 0
    }

    /// With `maxmemory-clients` set and exceeded, closes the biggest clients, on whichever
    /// loops serve them, until the rest fit (Redis 7's client eviction), and counts them in
    /// `evicted_clients`.
    private func enforceClientMemoryLimit() {
        let limit = server.memoryLimits.clientsLimit.load(ordering: .relaxed)
        guard limit > 0, server.memoryGauge.clientMemory > limit else { return }
        let evicted = server.clients.evictLargest(toFit: limit)
        guard !evicted.isEmpty else { return }
        for client in evicted {
            server.logger.info("Evicting client: id=\(client.id) addr=\(client.address) tot-mem=\(client.memory.load(ordering: .relaxed))")
        }
        stats.add(.evictedClients, UInt64(evicted.count))
        for loop in server.loops { loop.requestKills() }
    }
}

extension Connection {
    /// Bytes held by the connection's buffers: what it received and has not run, the
    /// replies it has not sent (both buffers, at their allocated sizes), and the commands it
    /// queued since MULTI.
    var bufferMemory: Int {
        input.pointee.memory + reply.pointee.output.storageCapacity + sending.pointee.storageCapacity
            + (queued.map { $0.pointee.memory } ?? 0)
    }
}
