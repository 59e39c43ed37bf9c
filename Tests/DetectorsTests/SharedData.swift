import Foundation

/// Paths into the shared, read-only data that sits beside the repository (`../shared`), as in CI.
enum SharedData {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let dga = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/data/dga")

    /// The rows of a TSV file under `shared/data/dga/`, header dropped.
    static func tsv(_ relativePath: String) throws -> [[Substring]] {
        let url = dga.appendingPathComponent(relativePath)
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
    }
}
