/// Version strings the server reports.
public enum ServerVersion {
    /// SkipKV's own version.
    public static let skipkv = "0.1.0"
    /// The Redis version SkipKV claims compatibility with (INFO `redis_version`, HELLO
    /// `version`): clients gate features on it, and SkipKV's replies follow Redis 7.
    public static let redisCompatible = "7.2.0"
}
