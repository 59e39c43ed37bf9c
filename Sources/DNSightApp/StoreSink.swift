import EventStore
import Foundation
import SQLiteStore

/// The analyze job's connection to the embedded store, shared by every worker: batches and their checkpoints are
/// written one transaction at a time under a lock, so detections, roll-ups and "how far this file got" always
/// commit together.
public final class StoreSink: @unchecked Sendable {
    /// The store.
    public let store: SQLiteStore
    private let lock = NSLock()
    /// Batches written.
    public private(set) var batches = 0
    /// The record of this run (``begin(run:)``), which every batch adds its queries and detections to.
    public private(set) var runID: Int64?

    /// Opens (creating if needed) the store at `path`.
    public init(path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        store = try SQLiteStore.open(path: path)
    }

    /// Writes one batch (with the checkpoints it carries) in one transaction.
    public func write(_ batch: IngestBatch) throws {
        try lock.withLock {
            try store.write(batch, run: runID)
            batches += 1
        }
    }

    /// Where to resume reading an input, from the checkpoints already in the store.
    public func resume(_ stream: StreamIdentity) throws -> IngestLedger.Resume {
        try lock.withLock { try IngestLedger.resume(stream, in: store) }
    }

    /// Records the start of this run (feeds, detectors) before any batch, so that a run killed part-way still has
    /// a record counting what it stored.
    public func begin(run: IngestRun) throws {
        try lock.withLock { runID = try store.beginRun(run) }
    }

    /// Records what this run used (sources, feeds, detectors, totals) for the report's methodology: completes the
    /// record of ``begin(run:)``, or adds one.
    public func record(_ run: IngestRun) throws {
        try lock.withLock {
            if let runID { try store.finishRun(runID, run) } else { try store.record(run: run) }
        }
    }
}
