import DNSWire

/// The version of dnsight, printed by `dnsight --version`.
public enum DNSightVersion {
    /// The semantic version of this build.
    public static let current = "0.1.0"
}
