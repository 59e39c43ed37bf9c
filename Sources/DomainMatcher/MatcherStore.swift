import Synchronization

/// The snapshot a running process matches against, replaceable while lookups run.
///
/// Readers take the current snapshot (``current``) and look up in it; a reload builds or maps a new snapshot and
/// ``replace(with:)`` swaps it in. A reader that still holds the old snapshot finishes with it safely: its memory
/// map is released only when the last reference goes away.
@available(macOS 15.0, *)
public final class MatcherStore: Sendable {
    private let slot: Mutex<MatcherSnapshot>

    /// A store holding `snapshot`.
    public init(_ snapshot: MatcherSnapshot) {
        slot = Mutex(snapshot)
    }

    /// The snapshot to use now.
    public var current: MatcherSnapshot { slot.withLock { $0 } }

    /// Puts `snapshot` in place and returns the one it replaced.
    @discardableResult
    public func replace(with snapshot: MatcherSnapshot) -> MatcherSnapshot {
        slot.withLock { old in
            let previous = old
            old = snapshot
            return previous
        }
    }

    /// Maps the snapshot file at `path` and swaps it in; on failure the current snapshot stays.
    @discardableResult
    public func reload(from path: String) throws(DomainMatcherError) -> MatcherSnapshot {
        let s = try MatcherSnapshot(contentsOf: path)
        replace(with: s)
        return s
    }
}
