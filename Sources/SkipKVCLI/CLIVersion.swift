/// skipkv-cli's version, kept in step with the server's (`ServerVersion.skipkv`), which the
/// CLI does not link against: it needs none of the server's dependencies.
enum CLIVersion {
    static let current = "0.1.0"
}
