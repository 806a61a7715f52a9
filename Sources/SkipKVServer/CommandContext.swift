import SkipKVProtocol
import SkipKVStore

/// What a command handler works with: the parsed arguments (slices of the connection's
/// receive buffer), the connection's reply writer and session, and the loop (for the
/// keyspace and shared server state). Passed by value; it is a handful of pointers.
///
/// Concurrency contract: valid only during one `CommandExecutor.execute` call, on the
/// connection's loop thread.
struct CommandContext {
    let connection: UnsafeMutablePointer<Connection>
    unowned(unsafe) let loop: EventLoop
    let arguments: UnsafeMutablePointer<CommandArguments>
    let buffer: UnsafeRawBufferPointer

    @inline(__always)
    var reply: UnsafeMutablePointer<ReplyWriter> { connection.pointee.reply }

    @inline(__always)
    var keyspace: KeyspaceHandle { loop.keyspace }

    @inline(__always)
    var server: ServerState { loop.server }

    /// Number of arguments, the command name included.
    @inline(__always)
    var count: Int { arguments.pointee.count }

    /// Argument `index` (0 is the command name).
    @inline(__always)
    func argument(_ index: Int) -> UnsafeRawBufferPointer {
        arguments.pointee.argument(index, in: buffer)
    }

    /// Argument `index` as a String, for cold paths (names, patterns in messages).
    func string(_ index: Int) -> String {
        String(decoding: argument(index), as: UTF8.self)
    }

    /// Whether argument `index` is `keyword`, ignoring case.
    @inline(__always)
    func argument(_ index: Int, is keyword: StaticString) -> Bool {
        Keyword.matches(argument(index), keyword)
    }

    /// Argument `index` as a strict 64-bit integer, or nil after replying with Redis's error.
    func integer(_ index: Int) -> Int64? {
        guard let value = StrictInteger.parse(argument(index)) else {
            reply.pointee.writeError(ErrorText.notInteger)
            return nil
        }
        return value
    }

    func error(_ message: String) {
        reply.pointee.writeError(message)
    }
}

/// Error texts shared by several commands, exactly as Redis words them.
enum ErrorText {
    static let syntax = "ERR syntax error"
    static let notInteger = "ERR value is not an integer or out of range"
    static let overflow = "ERR increment or decrement would overflow"
    static let noAuth = "NOAUTH Authentication required."
    static let wrongPass = "WRONGPASS invalid username-password pair or user is disabled."
    static let loading = "LOADING SkipKV is loading the dataset in memory"
    static let outOfMemory = "OOM command not allowed when used memory > 'maxmemory'."

    static func arity(_ name: String) -> String {
        "ERR wrong number of arguments for '\(name)' command"
    }

    static func unknownSubcommand(_ subcommand: String, of command: String) -> String {
        "ERR unknown subcommand '\(subcommand)'. Try \(command.uppercased()) HELP."
    }
}
