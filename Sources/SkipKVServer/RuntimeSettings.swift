import Synchronization
import SkipKVProtocol
import SkipKVSystem

/// The current configuration, as CONFIG GET shows it and CONFIG SET changes it, plus the
/// values the loops consult on hot paths, mirrored into atomics so reading them takes no
/// lock.
///
/// Concurrency contract: any thread may read or update. `config` is guarded by a mutex;
/// `update` validates a whole new configuration, stores it, then publishes the mirrored
/// values one by one (relaxed: each is an independent knob, and a loop that sees a new
/// limit one event later is fine). `parserLimitsGeneration` changes after the parser limits
/// do, so connections can refresh their copy cheaply.
final class RuntimeSettings: Sendable {
    private let current: Locked<ServerConfig>
    let maxClients: Atomic<Int>
    let outputBufferLimit: Atomic<Int>
    let timeoutSeconds: Atomic<Int>
    let tcpKeepalive: Atomic<Int>
    let shutdownTimeout: Atomic<Int>
    let passwordRequired: Atomic<Bool>
    let protectedMode: Atomic<Bool>
    let activeExpireEffort: Atomic<Int>
    let parserLimitsGeneration: Atomic<Int>
    private let limits: Locked<ParserLimits>

    init(_ config: ServerConfig) {
        current = Locked(config)
        maxClients = Atomic(config.maxClients)
        outputBufferLimit = Atomic(config.clientOutputBufferLimit)
        timeoutSeconds = Atomic(config.timeout)
        tcpKeepalive = Atomic(config.tcpKeepalive)
        shutdownTimeout = Atomic(config.shutdownTimeout)
        passwordRequired = Atomic(!config.requirePass.isEmpty)
        protectedMode = Atomic(config.protectedMode)
        activeExpireEffort = Atomic(config.activeExpireEffort)
        parserLimitsGeneration = Atomic(0)
        limits = Locked(Self.parserLimits(config))
    }

    var config: ServerConfig {
        current.withLock { $0 }
    }

    var parserLimits: ParserLimits {
        limits.withLock { $0 }
    }

    /// Whether `password` is the configured one. Compares every byte whatever the first
    /// mismatch, so timing reveals nothing about the password.
    func checkPassword(_ password: UnsafeRawBufferPointer) -> Bool {
        current.withLock { config in
            var expected = config.requirePass
            return expected.withUTF8 { expected in
                guard expected.count == password.count else { return false }
                var difference: UInt8 = 0
                for i in 0..<expected.count { difference |= expected[i] ^ password[i] }
                return difference == 0
            }
        }
    }

    /// Replaces the configuration (CONFIG SET, after validation) and publishes the values
    /// the loops read directly.
    func update(_ config: ServerConfig) {
        current.withLock { $0 = config }
        maxClients.store(config.maxClients, ordering: .relaxed)
        outputBufferLimit.store(config.clientOutputBufferLimit, ordering: .relaxed)
        timeoutSeconds.store(config.timeout, ordering: .relaxed)
        tcpKeepalive.store(config.tcpKeepalive, ordering: .relaxed)
        shutdownTimeout.store(config.shutdownTimeout, ordering: .relaxed)
        passwordRequired.store(!config.requirePass.isEmpty, ordering: .relaxed)
        protectedMode.store(config.protectedMode, ordering: .relaxed)
        activeExpireEffort.store(config.activeExpireEffort, ordering: .relaxed)
        let newLimits = Self.parserLimits(config)
        let changed = limits.withLock { limits -> Bool in
            defer { limits = newLimits }
            return limits != newLimits
        }
        if changed { parserLimitsGeneration.add(1, ordering: .releasing) }
    }

    private static func parserLimits(_ config: ServerConfig) -> ParserLimits {
        ParserLimits(
            maxBulkLength: config.protoMaxBulkLength,
            maxArguments: config.maxMultibulkLength,
            maxInlineLength: config.maxInlineLength
        )
    }
}
