import Synchronization
import SkipKVSystem

/// What CLIENT LIST and CLIENT INFO show about one connection, readable from any loop.
///
/// Concurrency contract: the `let` fields never change. The owning loop thread is the only
/// writer of everything else: the atomics with relaxed stores (other threads only display
/// them), the names under their mutex (rare writes, rare reads). The one exception is
/// `killRequested`, which CLIENT KILL on any loop sets and the owning loop reads when woken
/// for it (`EventLoop.requestKills`).
final class ClientInfo: Sendable {
    struct Names: Sendable {
        var name = ""
        var libraryName = ""
        var libraryVersion = ""
    }

    let id: UInt64
    let address: String
    let localAddress: String
    let descriptor: Int32
    /// Monotonic milliseconds at connect.
    let connectedAt: UInt64
    /// Monotonic milliseconds of the last read from the client.
    let lastInteraction: Atomic<UInt64>
    /// `CommandID.rawValue` of the last command (or subcommand) run, or -1.
    let lastCommand: Atomic<Int>
    let protocolVersion: Atomic<Int>
    let names = Locked(Names())
    /// Set by CLIENT KILL; the owning loop closes the connection when it sees it.
    let killRequested = Atomic<Bool>(false)
    /// Bytes of the connection's buffers, as its loop last counted them (`accountMemory`).
    let memory = Atomic<Int>(0)
    /// Commands queued since MULTI; -1 outside a transaction (CLIENT LIST's `multi=`).
    let queuedCommands = Atomic<Int>(-1)

    init(id: UInt64, address: String, localAddress: String, descriptor: Int32, now: UInt64) {
        self.id = id
        self.address = address
        self.localAddress = localAddress
        self.descriptor = descriptor
        self.connectedAt = now
        self.lastInteraction = Atomic(now)
        self.lastCommand = Atomic(-1)
        self.protocolVersion = Atomic(2)
    }

    /// One CLIENT LIST line (without the newline), fields named as in Redis.
    func describe(now: UInt64) -> String {
        let names = self.names.withLock { $0 }
        let row = lastCommand.load(ordering: .relaxed)
        let command = row >= 0 ? CommandID(rawValue: row).name : "NULL"
        let age = (now &- connectedAt) / 1000
        let idle = (now &- lastInteraction.load(ordering: .relaxed)) / 1000
        let queued = queuedCommands.load(ordering: .relaxed)
        return "id=\(id) addr=\(address) laddr=\(localAddress) fd=\(descriptor) name=\(names.name) age=\(age) idle=\(idle) "
            + "flags=\(queued < 0 ? "N" : "x") db=0 sub=0 psub=0 ssub=0 multi=\(queued) tot-mem=\(memory.load(ordering: .relaxed)) cmd=\(command) user=default "
            + "resp=\(protocolVersion.load(ordering: .relaxed)) lib-name=\(names.libraryName) lib-ver=\(names.libraryVersion)"
    }
}

/// Every connected client, for CLIENT LIST, INFO clients and the maxclients limit.
///
/// Concurrency contract: thread-safe. The map is guarded by a mutex, taken once per connect
/// and disconnect and for listing; ids and the connected count are atomics.
final class ClientRegistry: Sendable {
    private let clients = Locked<[UInt64: ClientInfo]>([:])
    private let lastID = Atomic<UInt64>(0)
    /// Connected clients, including ones accepted but not yet registered by their loop.
    let connectedCount = Atomic<Int>(0)

    /// Reserves a place for a new connection unless `limit` clients are connected already.
    func reserve(limit: Int) -> Bool {
        let after = connectedCount.add(1, ordering: .relaxed).newValue
        if after > limit {
            connectedCount.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Gives back a place taken by `reserve` (the connection closed or was never opened).
    func release() {
        connectedCount.subtract(1, ordering: .relaxed)
    }

    func nextID() -> UInt64 {
        lastID.add(1, ordering: .relaxed).newValue
    }

    func register(_ client: ClientInfo) {
        clients.withLock { $0[client.id] = client }
    }

    func unregister(_ id: UInt64) {
        clients.withLock { _ = $0.removeValue(forKey: id) }
    }

    /// Flags every connected client `matches` accepts for closing and returns how many it
    /// flagged; their loops close them once woken (`EventLoop.requestKills`).
    func requestKill(where matches: (ClientInfo) -> Bool) -> Int {
        clients.withLock { clients in
            var flagged = 0
            for client in clients.values where matches(client) {
                client.killRequested.store(true, ordering: .relaxed)
                flagged += 1
            }
            return flagged
        }
    }

    /// Flags the biggest clients (by `memory`) for closing until the others fit in `limit`
    /// bytes, leaving out clients already flagged, whose memory is on its way back; returns
    /// the ones it flagged. Under the registry's lock, so loops deciding at the same time do
    /// not both close a client for the same excess.
    func evictLargest(toFit limit: Int) -> [ClientInfo] {
        clients.withLock { clients in
            var remaining = 0
            var candidates: [(client: ClientInfo, memory: Int)] = []
            for client in clients.values where !client.killRequested.load(ordering: .relaxed) {
                let memory = client.memory.load(ordering: .relaxed)
                remaining += memory
                candidates.append((client, memory))
            }
            var flagged: [ClientInfo] = []
            candidates.sort { $0.memory > $1.memory }
            for candidate in candidates where remaining > limit {
                candidate.client.killRequested.store(true, ordering: .relaxed)
                remaining -= candidate.memory
                flagged.append(candidate.client)
            }
            return flagged
        }
    }

    /// The connected clients by id.
    func snapshot() -> [ClientInfo] {
        clients.withLock { Array($0.values) }.sorted { $0.id < $1.id }
    }
}
