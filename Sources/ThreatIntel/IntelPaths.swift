import Foundation

/// Where dnsight keeps its intel by default, following the XDG base-directory convention.
///
/// | what | environment override | default |
/// |---|---|---|
/// | snapshot | `DNSIGHT_INTEL_SNAPSHOT` | `$XDG_DATA_HOME/dnsight/intel.snapshot` (`~/.local/share/dnsight/intel.snapshot`) |
/// | feed list | `DNSIGHT_FEEDS_CONFIG` | `$XDG_CONFIG_HOME/dnsight/feeds.conf` (`~/.config/dnsight/feeds.conf`) |
/// | fetched feeds | `DNSIGHT_FEED_CACHE` | `$XDG_CACHE_HOME/dnsight/feeds` (`~/.cache/dnsight/feeds`) |
public enum IntelPaths {
    /// The default snapshot path for this environment.
    public static func defaultSnapshot(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let p = env["DNSIGHT_INTEL_SNAPSHOT"], !p.isEmpty { return p }
        return base(env, "XDG_DATA_HOME", ".local/share") + "/dnsight/intel.snapshot"
    }

    /// The default feed-list config path.
    public static func defaultFeedConfig(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let p = env["DNSIGHT_FEEDS_CONFIG"], !p.isEmpty { return p }
        return base(env, "XDG_CONFIG_HOME", ".config") + "/dnsight/feeds.conf"
    }

    /// The default folder for fetched feed bodies and their validators.
    public static func defaultFeedCache(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let p = env["DNSIGHT_FEED_CACHE"], !p.isEmpty { return p }
        return base(env, "XDG_CACHE_HOME", ".cache") + "/dnsight/feeds"
    }

    private static func base(_ env: [String: String], _ variable: String, _ fallback: String) -> String {
        // The XDG spec says relative values are invalid and must be ignored.
        if let v = env[variable], v.hasPrefix("/") { return v }
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/" + fallback
    }

    /// Creates the folder that will hold `file`.
    public static func ensureParent(of file: String) throws {
        let dir = (file as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    }
}
