import Foundation

/// Scratch folders for tests, all under one folder per test process that is removed when the process exits.
///
/// Tests used to make their own folders in the system's temporary directory and remove them in a `defer`, which a
/// failing `#require` or a forgotten `defer` skipped: a developer's `/tmp` held thousands of them. Here cleanup does not
/// depend on each test: the process's folder goes at exit, and folders left by test processes that died (a crash, a
/// SIGKILL) are removed by the next run.
public enum TestScratch {
    private static let prefix = "dnsight-tests-"

    /// The folder that holds every scratch folder of this process.
    public static let root: URL = {
        let fm = FileManager.default
        let tmp = fm.temporaryDirectory
        // Folders of earlier test processes that are no longer running.
        if let names = try? fm.contentsOfDirectory(atPath: tmp.path) {
            for name in names where name.hasPrefix(prefix) {
                if let pid = Int32(name.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                    try? fm.removeItem(at: tmp.appendingPathComponent(name))
                }
            }
        }
        let dir = tmp.appendingPathComponent(prefix + String(getpid()))
        try? fm.createDirectory(at: dir, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestScratch.root) }
        return dir
    }()

    /// A new, empty folder whose name starts with `name` (unique within the process).
    public static func folder(_ name: String = "t") -> URL {
        let dir = root.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The path of a new, empty folder whose name starts with `name`.
    public static func path(_ name: String = "t") -> String { folder(name).path }

    /// A path for a file that does not exist yet, in a new folder of its own.
    public static func file(_ name: String) -> String { folder("f").appendingPathComponent(name).path }
}

/// A seeded pseudo-random generator (SplitMix64), so that synthetic test data are the same on every run.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    /// The generator state.
    public var state: UInt64
    /// A generator whose first state is `seed`.
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
