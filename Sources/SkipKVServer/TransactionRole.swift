/// What a command does when it arrives between MULTI and EXEC, as Redis's processCommand
/// decides: most are queued (`+QUEUED`), run later by EXEC; MULTI, WATCH and WATCHRANGE run
/// at once (to reply with their errors); DISCARD and QUIT run at once and end the
/// transaction; EXEC is checked (-OOM, -MISCONF) with the flags of the commands it would
/// run, and a refusal aborts the transaction (`-EXECABORT`). While memory is over
/// `maxmemory`, every command of a client in MULTI is refused except those that end the
/// transaction (EXEC only when it would run a command that needs memory): queuing takes
/// memory.
enum TransactionRole: Sendable {
    case queued
    case immediate
    case leaves
    case exec
}
