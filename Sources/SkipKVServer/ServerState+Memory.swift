/// Memory settings applied at run time.
extension ServerState {
    /// Applies CONFIG SET's memory settings. A limit that is now exceeded starts evicting at
    /// once on `loop` (Redis evicts within CONFIG SET), in the background so that the reply
    /// does not wait for it.
    func applyMemorySettings(_ config: ServerConfig, on loop: EventLoop) {
        memoryLimits.update(config, keyspace: keyspace)
        if config.maxMemory > 0 { loop.startBackgroundEviction() }
    }
}
