/// What a command does when it arrives between MULTI and EXEC, as Redis's processCommand
/// decides: most are queued (`+QUEUED`), run later by EXEC; MULTI, EXEC, DISCARD, WATCH,
/// WATCHRANGE and QUIT run at once; EXEC is also checked (-OOM, -MISCONF) with the flags of
/// the commands it would run, and a refusal aborts the transaction (`-EXECABORT`).
enum TransactionRole: Sendable {
    case queued
    case immediate
    case exec
}
