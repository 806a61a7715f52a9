/// `RedisDirective.all` as the Markdown table of docs/OPERATIONS.md ("Redis configuration
/// files"): `skipkv-server --redis-directives` prints it, scripts/gen-redis-directives.sh
/// writes it into the document, and a test checks that the two agree.
public enum RedisDirectiveTable {
    public static var markdown: String {
        var lines = [
            "| Redis directive | In SkipKV | CONFIG GET until set | CONFIG SET | Why |",
            "|---|---|---|---|---|",
        ]
        for directive in RedisDirective.all {
            var names = code(directive.name)
            if !directive.aliases.isEmpty { names += " (\(directive.aliases.map(code).joined(separator: ", ")))" }
            let treatment: String
            let reason: String
            switch directive.treatment {
            case .ignored(let why):
                (treatment, reason) = ("ignored", why)
            case .refused(let harmless, let why):
                treatment = harmless.isEmpty ? "refused" : "refused unless \(harmless.map(code).joined(separator: " or "))"
                reason = why
            }
            let value = directive.value.map(code) ?? "(config file only)"
            let settable = directive.value == nil ? "no" : directive.mutable ? "yes" : "no (immutable)"
            lines.append("| \(names) | \(treatment) | \(value) | \(settable) | \(reason) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func code(_ text: String) -> String {
        text.isEmpty ? "`\"\"`" : "`\(text)`"
    }
}
