import Foundation
import XCTest
import SkipKVTestSupport

/// Redis's own configuration files: Debian's /etc/redis/redis.conf starts the server; every
/// directive of Redis 7 is implemented, accepted with one logged warning, or refused with a
/// message naming it (as `skipkv-server --redis-directives` states); `include`; the config
/// file as the first argument; CONFIG GET/SET of Redis's directives; `shutdown-on-sigterm`;
/// optional bind addresses.
final class RedisConfigFileTests: XCTestCase {
    private static let debianConfig = "/etc/redis/redis.conf"

    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "skipkv-test-redisconf-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func debianConfigText() throws -> String {
        guard let text = try? String(contentsOfFile: Self.debianConfig, encoding: .utf8) else {
            throw XCTSkip("\(Self.debianConfig) not found (Debian's redis-server package provides it)")
        }
        return text
    }

    /// The flags that keep Debian's file from daemonizing and writing to /run and /var/log (the
    /// test defaults override port, bind, dir and save).
    private static let debianOverrides = ["--daemonize", "no", "--pidfile", "", "--logfile", ""]

    func testDebianRedisConfStartsServesAndWarnsOncePerIgnoredDirective() throws {
        let text = try debianConfigText()
        let list = try RedisDirectiveList.load()
        let server = try ServerProcess(Self.debianOverrides, configFile: Self.debianConfig)
        let client = try server.client()
        XCTAssertEqual(try client.call("SET", "migrated", "yes"), .simple("OK"))
        XCTAssertEqual(try client.call("GET", "migrated"), .bulk("yes"))
        // An ignored directive shows the file's value; an implemented one works.
        XCTAssertEqual(try client.call("CONFIG", "GET", "databases"), .bulks(["databases", "16"]))
        XCTAssertEqual(try client.call("CONFIG", "GET", "protected-mode"), .bulks(["protected-mode", "yes"]))
        XCTAssertEqual(try client.call("CONFIG", "GET", "appendfilename"), .bulks(["appendfilename", "appendonly.aof"]))
        XCTAssertEqual(try client.call("CONFIG", "GET", "client-output-buffer-limit"), .bulks(["client-output-buffer-limit", "0"]))
        XCTAssertEqual(server.stop(), 0, server.log)

        let log = server.log
        var expected = 0
        for directive in configDirectives(in: text) {
            let mention = "Redis directive '\(directive.name)'"
            if let entry = list.entries[directive.name], entry.isIgnored {
                expected += 1
                let warning = "\(mention) (config file '\(Self.debianConfig)', line \(directive.line)) has no effect in SkipKV: "
                XCTAssertEqual(log.components(separatedBy: mention).count - 1, 1, "one warning for \(directive.name)\n\(log)")
                XCTAssertTrue(log.contains(warning), "\(warning)\n\(log)")
            } else {
                XCTAssertFalse(log.contains(mention), "\(directive.name) is not ignored, yet warned about")
            }
        }
        XCTAssertGreaterThan(expected, 30, "Debian's file sets many directives SkipKV ignores")
        XCTAssertEqual(log.components(separatedBy: "has no effect in SkipKV").count - 1, expected, log)
    }

    /// A directive whose absence would weaken the data's safety stops start-up, naming it and
    /// the line, whether given after Debian's whole file, alone, or as a flag.
    func testSafetyRelevantDirectivesAreRefusedByName() throws {
        let directory = try temporaryDirectory()
        let includeDebian = FileManager.default.fileExists(atPath: Self.debianConfig) ? "include \(Self.debianConfig)\n" : "\n"
        let refused = [
            ("replicaof 192.0.2.1 6379", "replicaof"), ("slaveof 192.0.2.1 6379", "slaveof"),
            ("min-replicas-to-write 1", "min-replicas-to-write"), ("min-slaves-to-write 2", "min-slaves-to-write"),
            ("user alice on >secret ~* +@all", "user"), ("aclfile /etc/redis/users.acl", "aclfile"),
            ("rename-command FLUSHALL \"\"", "rename-command"), ("tls-port 6380", "tls-port"),
            ("cluster-enabled yes", "cluster-enabled"), ("aof-timestamp-enabled yes", "aof-timestamp-enabled"),
            ("aof-disable-auto-gc yes", "aof-disable-auto-gc"),
        ]
        for (line, name) in refused {
            let file = directory + "/refused.conf"
            try (includeDebian + line + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let result = try runServerToExit(Self.debianOverrides + ["--port", "0", "--dir", directory], configFile: file)
            XCTAssertEqual(result.status, 1, result.output)
            XCTAssertTrue(result.output.contains("config file '\(file)', line 2: '\(name)' is not supported by SkipKV: "), result.output)
        }
        let flag = try runServerToExit(["--port", "0", "--dir", directory, "--min-replicas-to-write", "1"])
        XCTAssertEqual(flag.status, 1, flag.output)
        XCTAssertTrue(flag.output.contains("--min-replicas-to-write: 'min-replicas-to-write' is not supported by SkipKV"), flag.output)
        // Their harmless (Redis default) values are accepted, silently.
        let server = try ServerProcess(["--min-replicas-to-write", "0", "--tls-port", "0", "--replicaof", ""])
        XCTAssertFalse(server.log.contains("Redis directive"), server.log)
        XCTAssertEqual(server.stop(), 0)
    }

    /// `include` as in Redis: at the point it stands, a wildcard includes every match in
    /// alphabetical order (none is fine), included files include others, `save` lines add up
    /// across them; quoted arguments work as in redis.conf.
    func testIncludeAndQuotedArguments() throws {
        let directory = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory + "/conf.d", withIntermediateDirectories: true)
        try "maxclients 50\ntimeout 7\nsave 200 2\n".write(toFile: directory + "/conf.d/a.conf", atomically: true, encoding: .utf8)
        try "MAXCLIENTS 60\ninclude \(directory)/nested.conf\n".write(toFile: directory + "/conf.d/b.conf", atomically: true, encoding: .utf8)
        try "maxclients 70\n".write(toFile: directory + "/conf.d/c.txt", atomically: true, encoding: .utf8)
        try "requirepass 'se\"cret'\nloglevel \"verbose\"\nhz 20\n".write(toFile: directory + "/nested.conf", atomically: true, encoding: .utf8)
        let main = directory + "/main.conf"
        try """
            save 100 1
            maxclients 10
            include \(directory)/conf.d/*.conf
            include \(directory)/empty.d/*.conf
            tcp-keepalive 99
            unixsocket "\(directory)/s\\x6bv.sock"

            """.write(toFile: main, atomically: true, encoding: .utf8)
        let server = try ServerProcess([], configFile: main)
        let client = try server.client()
        XCTAssertEqual(try client.call("AUTH", "se\"cret"), .simple("OK"))
        let expected = [
            "maxclients": "60", "timeout": "7", "loglevel": "verbose", "hz": "20", "tcp-keepalive": "99",
            "unixsocket": "\(directory)/skv.sock",
        ]
        for (name, value) in expected {
            XCTAssertEqual(try client.call("CONFIG", "GET", name), .bulks([name, value]), name)
        }
        XCTAssertEqual(server.stop(), 0)
        // `save` lines add up across included files (without the flag overriding them).
        let saves = try ServerProcess(["--dir", directory, "--port", "0", "--bind", "127.0.0.1", "--requirepass", ""],
                                      configFile: main, testDefaults: false)
        XCTAssertEqual(try saves.client().call("CONFIG", "GET", "save"), .bulks(["save", "100 1 200 2"]))
        XCTAssertEqual(saves.stop(), 0)

        // A missing file (not a wildcard) stops start-up at the include line; an error inside an
        // included file names that file and line.
        try "port 0\ninclude \(directory)/missing.conf\n".write(toFile: main, atomically: true, encoding: .utf8)
        let missing = try runServerToExit([], configFile: main)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.output.contains("config file '\(main)', line 2: cannot read config file '\(directory)/missing.conf'"), missing.output)
        try "port 0\nmaxclients lots\n".write(toFile: directory + "/bad.conf", atomically: true, encoding: .utf8)
        try "include \(directory)/bad.conf\n".write(toFile: main, atomically: true, encoding: .utf8)
        let bad = try runServerToExit([], configFile: main)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.output.contains("config file '\(directory)/bad.conf', line 2: bad value for 'maxclients'"), bad.output)
        // A file including itself stops instead of recursing forever.
        try "include \(main)\n".write(toFile: main, atomically: true, encoding: .utf8)
        let loop = try runServerToExit([], configFile: main)
        XCTAssertEqual(loop.status, 1)
        XCTAssertTrue(loop.output.contains("include nesting deeper than 16 files"), loop.output)
    }

    /// redis-server's invocation: the config file first, flags after it override it; with
    /// `--config` as well it refuses.
    func testConfigFileAsFirstArgument() throws {
        let directory = try temporaryDirectory()
        let file = directory + "/redis.conf"
        try "maxclients 33\ntimeout 9\n".write(toFile: file, atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--timeout", "5"], configFile: file)
        let client = try server.client()
        XCTAssertEqual(try client.call("CONFIG", "GET", "maxclients"), .bulks(["maxclients", "33"]))
        XCTAssertEqual(try client.call("CONFIG", "GET", "timeout"), .bulks(["timeout", "5"]))
        XCTAssertEqual(server.stop(), 0)
        let both = try runServerToExit(["--config", file], configFile: file)
        XCTAssertEqual(both.status, 1)
        XCTAssertTrue(both.output.contains("two config files given"), both.output)
    }

    /// Every directive redis-server 7 knows (its CONFIG GET *, plus the file-only directives of
    /// redis.conf) is classified or implemented, and every classified name is Redis's. Then a
    /// file setting all of them to redis-server's own values starts SkipKV, which warns once per
    /// ignored directive and shows redis-server's values for them in CONFIG GET.
    func testEveryRedisDirectiveIsImplementedIgnoredOrRefused() throws {
        let redis = try RedisServerProcess()
        defer { redis.stop() }
        let redisValues = try configMap(RESPClient(port: redis.port))
        // Handled by redis.conf's loader outside Redis's table of settings, so CONFIG GET does
        // not list them; each appears in Debian's redis.conf (commented out).
        let fileOnly = ["include", "loadmodule", "rename-command", "user"]
        if let text = try? debianConfigText() {
            for name in fileOnly {
                XCTAssertTrue(text.range(of: "\n#\\s*\(name) ", options: .regularExpression) != nil, name)
            }
        }
        let list = try RedisDirectiveList.load()
        let skipkv = try ServerProcess()
        let skipkvValues = try configMap(skipkv.client())
        for name in redisValues.keys.sorted() {
            XCTAssertTrue(skipkvValues[name] != nil, "CONFIG GET does not know Redis's '\(name)'")
        }
        for name in fileOnly where name != "include" {
            XCTAssertNotNil(list.entries[name], "\(name) is not classified")
        }
        for name in list.entries.keys {
            XCTAssertTrue(redisValues[name] != nil || fileOnly.contains(name), "'\(name)' is not a Redis 7 directive")
        }
        XCTAssertEqual(skipkv.stop(), 0)

        let directory = try temporaryDirectory()
        let file = directory + "/all.conf"
        try redisValues.sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value.isEmpty ? "\"\"" : $0.value)" }
            .joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let server = try ServerProcess([], configFile: file)
        let values = try configMap(server.client())
        XCTAssertEqual(server.stop(), 0, server.log)
        let canonical = Set(redisValues.keys.compactMap { list.entries[$0] }.filter(\.isIgnored).map(\.name))
        XCTAssertGreaterThan(canonical.count, 100)
        // One warning per setting: a name and its alias (`slave-priority`, `replica-priority`) share one.
        XCTAssertEqual(server.log.components(separatedBy: "has no effect in SkipKV").count - 1, canonical.count, server.log)
        for name in redisValues.keys where list.entries[name] != nil {
            XCTAssertEqual(values[name], redisValues[name], name)
        }
    }

    /// CONFIG GET and SET of Redis's directives answer as redis-server does (compared when it
    /// is installed): ignored ones store and show their value, immutable ones and unknown
    /// names are errors, and so are the values SkipKV refuses.
    func testConfigGetAndSetOfRedisDirectives() throws {
        let server = try ServerProcess()
        let client = try server.client()
        let sameAsRedis: [[String]] = [
            ["CONFIG", "GET", "hz"], ["CONFIG", "SET", "hz", "20"], ["CONFIG", "GET", "hz"],
            ["CONFIG", "SET", "slave-priority", "5"], ["CONFIG", "GET", "replica-priority"],
            ["CONFIG", "SET", "databases", "4"], ["CONFIG", "SET", "include", "x.conf"],
            ["CONFIG", "SET", "protected-mode", "maybe"], ["CONFIG", "GET", "protected-mode"],
            ["CONFIG", "SET", "shutdown-on-sigterm", "force nosave"], ["CONFIG", "GET", "shutdown-on-sigterm"],
            ["CONFIG", "SET", "shutdown-on-sigint", "save nosave"], ["CONFIG", "SET", "shutdown-on-sigint", "bogus"],
            ["CONFIG", "SET", "client-output-buffer-limit", "bogus 1 2 3"],
            ["CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"],
            ["CONFIG", "SET", "client-output-buffer-limit", "normal x 2 3"],
            ["CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0 pubsub 32mb 8mb 60"],
            ["CONFIG", "SET", "min-replicas-to-write", "0"],
        ]
        let redis: RESPClient?
        let redisProcess = try? RedisServerProcess()
        defer { redisProcess?.stop() }
        redis = try redisProcess.map { try RESPClient(port: $0.port) }
        for command in sameAsRedis {
            let reply = try client.call(command)
            if let redis { XCTAssertEqual(reply, try redis.call(command), "\(command)") }
            if case .error(let text) = reply { XCTAssertFalse(text.isEmpty) }
        }
        XCTAssertEqual(try client.call("CONFIG", "GET", "hz"), .bulks(["hz", "20"]))
        XCTAssertEqual(try client.call("CONFIG", "GET", "client-output-buffer-limit"), .bulks(["client-output-buffer-limit", "1048576"]))
        XCTAssertEqual(try client.call("CONFIG", "SET", "min-replicas-to-write", "1"), .error(
            "ERR CONFIG SET failed (possibly related to argument 'min-replicas-to-write') - 'min-replicas-to-write' is not supported by SkipKV: "
                + "SkipKV has no replicas, so writes would be acknowledged without the copies this asks for (only '0' is accepted)"))
        XCTAssertEqual(server.stop(), 0)
        XCTAssertTrue(server.log.contains("Redis directive 'hz' (CONFIG SET) has no effect in SkipKV: "), server.log)
    }

    /// `shutdown-on-sigterm save` takes a final snapshot without `save` rules; `nosave` skips
    /// the one the rules would take.
    func testShutdownOnSigtermChoosesTheFinalSnapshot() throws {
        for (flags, snapshot) in [(["--save", "", "--shutdown-on-sigterm", "save now"], true),
                                  (["--save", "3600 1", "--shutdown-on-sigterm", "nosave"], false),
                                  (["--save", "3600 1"], true)] {
            let server = try ServerProcess(flags)
            XCTAssertEqual(try server.client().call("SET", "k", "v"), .simple("OK"))
            XCTAssertEqual(server.stop(), 0, server.log)
            XCTAssertEqual(FileManager.default.fileExists(atPath: server.dataDirectory + "/skipkv.snap"), snapshot, "\(flags)")
        }
    }

    /// `bind` as in Redis's config: `-address` is skipped when the machine lacks it, a missing
    /// address without `-` stops start-up.
    func testOptionalBindAddresses() throws {
        let server = try ServerProcess(["--bind", "127.0.0.1", "-::1", "-192.0.2.1"])
        XCTAssertEqual(try server.client().call("CONFIG", "GET", "bind"), .bulks(["bind", "127.0.0.1 -::1 -192.0.2.1"]))
        XCTAssertEqual(server.stop(), 0)
        XCTAssertTrue(server.log.contains("could not listen on 192.0.2.1:"), server.log)
        let required = try runServerToExit(["--bind", "127.0.0.1", "192.0.2.1", "--port", "0"])
        XCTAssertEqual(required.status, 1, required.output)
        XCTAssertTrue(required.output.contains("192.0.2.1"), required.output)
    }
}

/// CONFIG GET * as a dictionary.
func configMap(_ client: RESPClient) throws -> [String: String] {
    guard let items = try client.call("CONFIG", "GET", "*").elements else { throw RESPClient.Failure.malformed("CONFIG GET *") }
    var result: [String: String] = [:]
    for index in stride(from: 0, to: items.count - 1, by: 2) {
        result[items[index].text ?? ""] = items[index + 1].text ?? ""
    }
    return result
}
