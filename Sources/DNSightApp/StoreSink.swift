import EventStore
import Foundation
import SQLiteStore

/// The analyze job's connection to the embedded store, shared by every worker: batches and their checkpoints are
/// written one transaction at a time, so detections, roll-ups and "how far this file got" always commit together.
///
/// Batches commit on a thread of their own (``BatchCommitter``), so that SQLite's work runs beside the parsing
/// instead of stopping the worker that handed the batch over. A batch that is handed over but not yet committed when
/// the process dies is simply not in the store: its checkpoint is not either, so a rerun reads that part again.
public final class StoreSink: @unchecked Sendable {
    /// The store.
    public let store: SQLiteStore
    private let lock = NSLock()
    private let committer: BatchCommitter
    /// Batches committed.
    public var batches: Int { committer.committed }
    /// The record of this run (``begin(run:)``), which every batch adds its queries and detections to.
    public private(set) var runID: Int64?

    /// Opens (creating if needed) the store at `path`.
    public init(path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let store = try SQLiteStore.open(path: path)
        self.store = store
        committer = BatchCommitter { batch, run, last in try store.write(batch, run: run, remember: !last) }
    }

    deinit { committer.close() }

    /// Hands one batch (with the checkpoints it carries) to the writer thread, to be stored in one transaction.
    /// Waits while another batch is queued (so that at most two are held beyond the workers' own); throws the
    /// failure of an earlier batch, if any. `last`: no batch of this run follows (the store's caches need not learn
    /// from it).
    public func write(_ batch: IngestBatch, last: Bool = false) throws {
        try committer.submit(batch, run: lock.withLock { runID }, last: last)
    }

    /// Waits until every batch handed over has committed; throws the first failure.
    public func drain() throws { try committer.drain() }

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
    /// record of ``begin(run:)``, or adds one. Every batch handed over commits first.
    public func record(_ run: IngestRun) throws {
        try drain()
        try lock.withLock {
            if let runID { try store.finishRun(runID, run) } else { try store.record(run: run) }
        }
    }
}

/// A thread that commits batches in the order they are handed over, one transaction each, holding at most one
/// waiting batch (a producer that is faster than SQLite waits instead of piling batches up in memory).
final class BatchCommitter: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [(batch: IngestBatch, run: Int64?, last: Bool)] = []
    private var busy = false
    private var failure: Error?
    private var done = 0
    private var closed = false
    private let commit: (IngestBatch, Int64?, Bool) throws -> Void

    init(commit: @escaping (IngestBatch, Int64?, Bool) throws -> Void) {
        self.commit = commit
        // The thread keeps the committer alive until ``close()``.
        let thread = Thread { self.loop() }
        thread.name = "dnsight store writer"
        thread.start()
    }

    /// Batches committed so far.
    var committed: Int { condition.withLock { done } }

    func submit(_ batch: IngestBatch, run: Int64?, last: Bool) throws {
        condition.lock()
        defer { condition.unlock() }
        while !queue.isEmpty && failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append((batch, run, last))
        condition.broadcast()
    }

    func drain() throws {
        condition.lock()
        defer { condition.unlock() }
        while (!queue.isEmpty || busy) && failure == nil { condition.wait() }
        if let failure { throw failure }
    }

    /// Ends the thread once the batches handed over are committed.
    func close() {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                return
            }
            let next = queue.removeFirst()
            // After a failure nothing more commits: a later batch's checkpoint would cover the lost one's data.
            let skip = failure != nil
            busy = true
            condition.unlock()
            var error: Error?
            if !skip {
                do { try commit(next.batch, next.run, next.last) } catch let e { error = e }
            }
            condition.lock()
            busy = false
            if let error, failure == nil { failure = error }
            if error == nil && !skip { done += 1 }
            condition.broadcast()
            condition.unlock()
        }
    }
}
