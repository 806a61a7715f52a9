#if canImport(Glibc)
import Glibc
#endif
import Logging
import SkipKVDiskFormat
import SkipKVServer

/// skipkv-server [FILE | --config FILE] [--<directive> value...]
///
/// Order matters here: the configuration is read and checked first (so a bad value fails in
/// the foreground), then the process daemonizes (fork before any thread exists), then the
/// log and pid files are opened, then the server starts its threads.

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print("""
        Usage: skipkv-server [FILE | --config FILE] [--<directive> <value>...]
        Every directive of the config file (see config/skipkv.conf) is also a flag, e.g.
          skipkv-server --port 7380 --bind 127.0.0.1 --io-threads 2 --loglevel verbose
          skipkv-server /etc/redis/redis.conf --port 7380
        Flags override the config file, which overrides the defaults. A Redis config file
        works too: directives SkipKV does not implement are logged and ignored, or refused
        when ignoring them would put data at risk; --redis-directives lists which.
        """)
    exit(0)
}
if arguments == ["--redis-directives"] {
    print(RedisDirectiveTable.markdown, terminator: "")
    exit(0)
}
if arguments.contains("--version") || arguments.contains("-v") {
    print("skipkv-server \(ServerVersion.skipkv) (Redis protocol compatible with \(ServerVersion.redisCompatible))")
    exit(0)
}

let loaded: ConfigLoader.Loaded
do {
    loaded = try ConfigLoader.load(arguments: arguments)
} catch {
    fail("\(error)")
}
let config = loaded.config

let daemon = config.daemonize ? Daemon.detach() : nil
let log: LogOutput
do {
    log = try LogOutput.open(path: config.logFile.isEmpty && daemon != nil ? "/dev/null" : config.logFile, level: config.logLevel)
} catch {
    daemon?.reportStartup(succeeded: false)
    fail("\(error)")
}
LoggingSystem.bootstrap { log.handler(label: $0) }
let logger = Logger(label: "skipkv")
for warning in loaded.warnings { logger.warning("\(warning)") }

// Tests make file operations fail on purpose (docs/OPERATIONS.md, "Fault injection").
if let faults = getenv("SKIPKV_FAULTS").map({ String(cString: $0) }), !faults.isEmpty {
    do {
        FaultInjector.shared.install(try FaultInjector.parse(faults))
        logger.warning("Fault injection is on (SKIPKV_FAULTS=\(faults)): file operations will fail on purpose")
    } catch {
        fail("\(error)")
    }
}

let pidFile = config.pidFile.isEmpty ? nil : PidFile(path: config.pidFile)
if let pidFile, !pidFile.write() {
    logger.warning("Failed to write PID file \(config.pidFile): \(String(cString: strerror(errno)))")
}

do {
    try Server(config: config, log: log, logger: logger).run(ready: { daemon?.reportStartup(succeeded: true) })
} catch {
    logger.critical("\(error)")
    pidFile?.remove()
    daemon?.reportStartup(succeeded: false)
    fail("\(error)")
}
pidFile?.remove()
exit(0)
