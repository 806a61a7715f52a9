import SkipKVProtocol

/// CONFIG GET pattern... | SET name value [name value ...] | RESETSTAT | HELP. Besides its
/// own directives, CONFIG knows Redis's (`RedisDirective`): GET shows their values, SET
/// stores the ones SkipKV ignores (logging that they have no effect) and refuses what it
/// cannot honour.
enum ConfigCommand {
    static func resetStat(_ c: CommandContext) {
        for loop in c.server.loops { loop.requestStatsReset() }
        c.reply.pointee.writeOK()
    }

    static func help(_ c: CommandContext) {
        ClientCommands.writeHelp(c, [
            "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
            "RESETSTAT", "    Reset statistics reported by the INFO command.",
            "HELP", "    Print this help.",
        ])
    }

    /// Every directive (and Redis directive, under each of its names) matching any of the
    /// patterns, once each.
    static func get(_ c: CommandContext) {
        let config = c.server.settings.config
        var entries = ConfigDirective.all.map { ($0.name, $0.render(config)) }
        for redis in RedisDirective.all {
            guard let initial = redis.value else { continue }
            let value = config.redisDirectiveValues[redis.name] ?? initial
            entries += ([redis.name] + redis.aliases).map { ($0, value) }
        }
        entries = entries.filter { entry in
            (2..<c.count).contains { index in
                var name = entry.0
                return name.withUTF8 { GlobPattern.matches(c.argument(index), UnsafeRawBufferPointer($0), caseInsensitive: true) }
            }
        }
        c.reply.pointee.writeMapHeader(count: entries.count)
        for (name, value) in entries {
            c.reply.pointee.writeBulkString(name)
            c.reply.pointee.writeBulkString(value)
        }
    }

    /// Applies all pairs or none, with Redis's error texts.
    static func set(_ c: CommandContext) {
        // A name without its value is a syntax error, as in Redis (the arity check passed).
        guard c.count % 2 == 0 else { return c.error(ErrorText.syntax) }
        let settings = c.server.settings
        var config = settings.config
        var seen = Set<String>()
        var warnings: [String] = []
        for index in stride(from: 2, to: c.count, by: 2) {
            let name = c.string(index).lowercased()
            let value = c.string(index + 1)
            guard seen.insert(name).inserted else {
                c.error("ERR CONFIG SET failed (possibly related to argument '\(name)') - duplicate parameter")
                return
            }
            let directive = ConfigDirective.named(name)
            // Redis's directives of the config file only are unknown here, as in Redis.
            let redis = directive == nil ? RedisDirective.named(name).flatMap { $0.value == nil ? nil : $0 } : nil
            guard directive != nil || redis != nil else {
                c.error("ERR Unknown option or number of arguments for CONFIG SET - '\(c.string(index))'")
                return
            }
            guard directive?.mutable ?? redis!.mutable else {
                c.error("ERR CONFIG SET failed (possibly related to argument '\(name)') - can't set immutable config")
                return
            }
            do {
                if let directive {
                    try directive.apply(directive.takesList ? value.split(separator: " ").map(String.init) : [value], &config)
                } else if let warning = try redis!.accept([value], as: name, source: "CONFIG SET", into: &config) {
                    warnings.append(warning)
                }
            } catch {
                c.error("ERR CONFIG SET failed (possibly related to argument '\(name)') - \(error)")
                return
            }
        }
        settings.update(config)
        for warning in warnings { c.server.logger.warning("\(warning)") }
        c.server.applyMemorySettings(config, on: c.loop)
        c.server.slowLog.update(config)
        c.server.log.setLevel(config.logLevel)
        c.server.persistence.update(config.persistence)
        c.reply.pointee.writeOK()
    }
}
