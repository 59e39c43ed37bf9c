import EventStore
import Foundation

/// A file of observations as JSON lines (one ``TrafficObservation`` per line) and a resumable ingest of it — the
/// same checkpoint protocol `dnsight analyze --store` follows: identify the input, ask the store where to resume,
/// add records to a batch, attach the checkpoint reached, write the batch (one transaction), repeat; mark the input
/// complete at the end.
public enum ObservationFile {
    /// Writes observations as JSON lines.
    public static func write(_ observations: [TrafficObservation], to path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        var data = Data()
        for o in observations {
            data.append(try enc.encode(o))
            data.append(0x0A)
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// What an ingest did.
    public struct Outcome: Sendable, Hashable {
        /// Where it started.
        public var resume: IngestLedger.Resume
        /// Records read by this run.
        public var recordsRead: Int64
        /// Batches committed by this run.
        public var batches: Int
    }

    /// Ingests a JSON-lines file into `store`, resuming from its checkpoint; `afterCommit` is called after each
    /// committed batch with the records stored so far.
    public static func ingest(_ path: String, into store: some EventStoreWriter, batchSize: Int,
                              afterCommit: (Int64) -> Void = { _ in }) throws -> Outcome {
        let identity = try StreamIdentity.of(file: path)
        let resume = try IngestLedger.resume(identity, in: store)
        var records: Int64 = 0, offset: Int64 = 0
        switch resume {
        case .done: return Outcome(resume: resume, recordsRead: 0, batches: 0)
        case .fromStart: break
        case .after(let r, let o): records = r; offset = o
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EventStoreError(.unreadableInput("cannot read"), path: path)
        }
        let bytes = [UInt8](data)
        let dec = JSONDecoder()
        var batch = IngestBatch(), inBatch = 0, read: Int64 = 0, batches = 0
        var pos = Int(offset)
        while pos < bytes.count {
            guard let nl = bytes[pos...].firstIndex(of: 0x0A) else { break }  // a partial last line waits for more
            let o = try dec.decode(TrafficObservation.self, from: Data(bytes[pos..<nl]))
            batch.add(o)
            pos = nl + 1
            records += 1
            read += 1
            inBatch += 1
            if inBatch == batchSize {
                batch.setCheckpoint(IngestCheckpoint(stream: identity, byteOffset: Int64(pos), records: records, complete: false))
                try store.write(batch)
                batches += 1
                afterCommit(records)
                batch = IngestBatch()
                inBatch = 0
            }
        }
        batch.setCheckpoint(IngestCheckpoint(stream: identity, byteOffset: Int64(pos), records: records, complete: pos == bytes.count))
        try store.write(batch)
        batches += 1
        afterCommit(records)
        return Outcome(resume: resume, recordsRead: read, batches: batches)
    }
}
