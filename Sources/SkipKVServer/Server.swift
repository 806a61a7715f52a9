#if canImport(Glibc)
import Glibc
#endif
import CLibUV
import Logging

/// The SkipKV server: binds the listening sockets, starts one event loop per I/O thread, and
/// runs until SIGTERM, SIGINT or SHUTDOWN has stopped every loop.
///
/// Accepting: loop 0 accepts on every listening socket and hands each new connection to the
/// loops in turn (see docs/ARCHITECTURE.md for the SO_REUSEPORT comparison).
///
/// Concurrency contract: `run` is called once, from the main thread; everything it starts
/// lives on the loop threads until they are joined.
public final class Server {
    private let config: ServerConfig
    private let log: LogOutput
    private let logger: Logger

    public init(config: ServerConfig, log: LogOutput, logger: Logger) {
        self.config = config
        self.log = log
        self.logger = logger
    }

    /// Runs the server. Throws if it cannot start listening; otherwise returns after a clean
    /// shutdown. `ready` runs once every socket is listening.
    public func run(ready: () -> Void = {}) throws {
        // A peer that vanished must not kill the process (SIGPIPE), and, as with Redis, neither
        // does a closed controlling terminal (SIGHUP).
        signal(SIGPIPE, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        raiseDescriptorLimit()
        let state = ServerState(config: config, log: log, logger: logger)
        let loops = (0..<config.effectiveIOThreads).map { EventLoop(index: $0, server: state) }
        state.setLoops(loops)

        var listeners: [Listener] = []
        do {
            var port = config.port
            for entry in config.bind {
                // `-address`: optional, as in Redis.
                let optional = entry.hasPrefix("-")
                let address = optional ? String(entry.dropFirst()) : entry
                let listener: Listener
                do {
                    listener = try Listener.tcp(address: address, port: port, backlog: config.tcpBacklog)
                } catch let failure as Listener.Failure where failure.skippable(optional: optional) {
                    logger.warning("\(failure); skipped")
                    continue
                }
                // With port 0, every address shares the port the first one got.
                port = listener.port
                listeners.append(listener)
            }
            state.tcpPort = port
            // CONFIG GET port shows the port actually in use.
            var effective = state.settings.config
            effective.port = port
            state.settings.update(effective)
            if !config.unixSocket.isEmpty {
                listeners.append(try Listener.unix(path: config.unixSocket, permissions: config.unixSocketPerm, backlog: config.tcpBacklog))
                state.unixSocketPath = config.unixSocket
            }
            guard !listeners.isEmpty else { throw Listener.Failure(description: "Configured to not listen anywhere, exiting.") }
        } catch {
            for listener in listeners { close(listener.descriptor) }
            throw error
        }
        for listener in listeners { loops[0].listen(on: listener) }
        installSignalHandlers(on: loops[0], state: state)

        for loop in loops { loop.start() }
        logger.notice("SkipKV \(ServerVersion.skipkv) started: I/O threads \(loops.count), shards \(config.shards), pid \(getpid())")
        // As Redis: clients that connect while the data loads get -LOADING; "Ready to accept
        // connections" follows the load.
        do {
            try state.persistence.recover()
        } catch {
            // The caller reports the error.
            state.requestShutdown()
            for loop in loops { loop.join() }
            if !config.unixSocket.isEmpty { unlink(config.unixSocket) }
            throw error
        }
        for listener in listeners {
            logger.notice("Ready to accept connections \(listener.kind == .tcp ? "tcp" : "unix") on \(listener.name)")
        }
        ready()
        for loop in loops { loop.join() }
        if !config.unixSocket.isEmpty { unlink(config.unixSocket) }
        try finishPersistence(state)
        // The process exits next: the OS takes the keyspace back at once, while freeing node by
        // node took seconds for 10M keys (docs/BENCHMARKS.md, durability), so it is never torn down.
        _ = Unmanaged.passRetained(state)
        logger.notice("SkipKV is now ready to exit, bye bye...")
    }

    /// After every loop stopped (so no write is in flight): the final snapshot SHUTDOWN or
    /// the `save` rules ask for, and the rest of the log written and fsynced.
    private func finishPersistence(_ state: ServerState) throws {
        let persistence = state.persistence
        let choice = ShutdownSnapshot(rawValue: state.shutdownSnapshot.load(ordering: .relaxed)) ?? .asConfigured
        let snapshot: Bool
        switch choice {
        case .save: snapshot = true
        case .noSave: snapshot = false
        case .asConfigured: snapshot = !persistence.settings.saveRules.isEmpty
        }
        do {
            try persistence.shutdown(snapshot: snapshot)
        } catch {
            let safe = persistence.log != nil
            logger.warning("Error trying to save the DB: \(error)\(safe ? "; every write is in the log, nothing is lost" : "")")
            if !safe { throw error }
        }
    }

    /// SIGTERM and SIGINT start a clean shutdown, handled on loop 0, with the final snapshot
    /// `shutdown-on-sigterm` / `shutdown-on-sigint` ask for.
    private func installSignalHandlers(on loop: EventLoop, state: ServerState) {
        for signalNumber in [SIGTERM, SIGINT] {
            let handle = UnsafeMutablePointer<uv_signal_t>.allocate(capacity: 1)
            uv_signal_init(loop.uvLoop, handle)
            uv_signal_start(handle, { handle, signalNumber in
                let loop = EventLoop.of(handle!.pointee.loop)
                let name = signalNumber == SIGINT ? "SIGINT" : "SIGTERM"
                let config = loop.server.settings.config
                let choice = ShutdownSnapshot(signalFlags: signalNumber == SIGINT ? config.shutdownOnSigint : config.shutdownOnSigterm)
                // A shutdown already under way (SHUTDOWN NOSAVE, say) keeps its choice.
                if !loop.server.shutdownRequested.load(ordering: .acquiring) {
                    loop.server.shutdownSnapshot.store(choice.rawValue, ordering: .relaxed)
                }
                loop.server.logger.notice("Received \(name), scheduling shutdown...")
                loop.server.requestShutdown()
            }, signalNumber)
            loop.extraHandles.append(UnsafeMutablePointer(OpaquePointer(handle)))
        }
    }

    /// Makes room for `maxclients` sockets plus the server's own descriptors, as far as the
    /// hard limit allows.
    private func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let wanted = rlim_t(config.maxClients + 64)
        guard limit.rlim_cur < wanted else { return }
        limit.rlim_cur = min(wanted, limit.rlim_max)
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 || limit.rlim_cur < wanted {
            logger.warning("maxclients \(config.maxClients) needs \(wanted) file descriptors, the limit allows \(limit.rlim_cur)")
        }
    }
}
