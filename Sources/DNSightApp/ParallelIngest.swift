import DNSightCore
import Foundation
import LogReaders

/// Reads many inputs on several threads and hands each event to a per-thread worker.
///
/// Inputs are taken from a shared queue by `threads` workers (both cores by default); each worker owns its state, so
/// the hot path takes no lock; the caller merges the workers' results at the end. Progress (bytes read of the known
/// total) is published for a progress display.
public final class ParallelIngest<Worker>: @unchecked Sendable {
    /// One input to read, with its format resolved.
    public struct Input: Sendable {
        /// The path, or `-` for standard input.
        public var path: String
        /// The format, or nil to detect it from the first bytes.
        public var format: LogFormat?
        /// Found inside a folder given as input: a file whose format is not recognised is skipped (a README
        /// beside the logs), where a file named on its own would be an error.
        public var fromFolder: Bool
        /// Creates an input.
        public init(path: String, format: LogFormat?, fromFolder: Bool = false) {
            self.path = path
            self.format = format
            self.fromFolder = fromFolder
        }
    }

    /// What happened to one input.
    public struct InputResult: Sendable {
        /// The input's path.
        public var path: String
        /// The format it was read as (nil if it could not even be opened or detected).
        public var format: LogFormat?
        /// Its reader's counters.
        public var diagnostics: ReaderDiagnostics
        /// Why it failed as a whole, if it did (the events read before the failure are kept).
        public var error: String?
        /// Why it was skipped without reading (a file in a folder that is no DNS log format).
        public var skipped: String?
        /// Decompressed bytes read.
        public var decompressedBytes = 0
    }

    private let lock = NSLock()
    private var queue: [Input]
    private var next = 0
    private var results: [(index: Int, result: InputResult)] = []
    private var inputs: [ByteInput?]
    /// Total bytes of the inputs whose size is known.
    public let totalBytes: Int

    /// Prepares to read `inputs`.
    public init(inputs: [Input]) {
        queue = inputs
        self.inputs = Array(repeating: nil, count: inputs.count)
        totalBytes = inputs.reduce(0) { sum, i in
            guard i.path != "-", let a = try? FileManager.default.attributesOfItem(atPath: i.path), let s = a[.size] as? Int else { return sum }
            return sum + s
        }
    }

    /// Bytes read so far (compressed bytes for gzip inputs), for progress.
    public var bytesRead: Int {
        lock.withLock { inputs.reduce(0) { $0 + ($1?.rawBytesRead ?? 0) } + finishedBytes }
    }
    private var finishedBytes = 0

    /// Runs `threads` workers to completion. `makeWorker` is called once per thread; `process` is called for every
    /// event on that thread's worker. Returns the workers and the per-input results (in input order).
    public func run(threads: Int, options: ReaderOptions, makeWorker: @escaping @Sendable () -> Worker,
                    process: @escaping @Sendable (inout Worker, DNSEvent) throws -> Void,
                    begin: @escaping @Sendable (inout Worker, Input) throws -> Bool = { _, _ in true },
                    end: @escaping @Sendable (inout Worker, Input, InputResult, Int) throws -> Void = { _, _, _, _ in }) -> (workers: [Worker], results: [InputResult]) {
        let n = max(1, min(threads, queue.count))
        var workers = [Worker?](repeating: nil, count: n)
        let box = WorkerBox(workers)
        DispatchQueue.concurrentPerform(iterations: n) { t in
            var worker = makeWorker()
            while let (index, input) = take() {
                var result: InputResult
                do {
                    guard try begin(&worker, input) else {
                        lock.withLock { results.append((index, InputResult(path: input.path, format: input.format, diagnostics: ReaderDiagnostics(), error: nil, skipped: "already ingested into the store"))) }
                        continue
                    }
                    result = readOne(index: index, input: input, options: options, worker: &worker, process: process)
                    try end(&worker, input, result, result.decompressedBytes)
                } catch {
                    result = InputResult(path: input.path, format: input.format, diagnostics: ReaderDiagnostics(), error: "\(error)", skipped: nil)
                }
                lock.withLock { results.append((index, result)) }
            }
            box.set(t, worker)
        }
        workers = box.values
        return (workers.compactMap { $0 }, results.sorted { $0.index < $1.index }.map(\.result))
    }

    private func take() -> (Int, Input)? {
        lock.withLock {
            guard next < queue.count else { return nil }
            defer { next += 1 }
            return (next, queue[next])
        }
    }

    private func readOne(index: Int, input: Input, options: ReaderOptions, worker: inout Worker,
                         process: (inout Worker, DNSEvent) throws -> Void) -> InputResult {
        var d = ReaderDiagnostics()
        var format = input.format
        do {
            let byteInput = try ByteInput(path: input.path)
            lock.withLock { inputs[index] = byteInput }
            defer {
                lock.withLock {
                    finishedBytes += byteInput.rawBytesRead
                    inputs[index] = nil
                }
            }
            if format == nil {
                do { format = try LogFormat.detect(byteInput) } catch where input.fromFolder {
                    return InputResult(path: input.path, format: nil, diagnostics: d, error: nil, skipped: "not a DNS log format dnsight recognises")
                }
            }
            var reader = try format!.makeReader(options: options)
            try reader.read(byteInput, diagnostics: &d) { event in try process(&worker, event) }
            var r = InputResult(path: input.path, format: format, diagnostics: d, error: nil, skipped: nil)
            r.decompressedBytes = byteInput.decompressedOffset
            return r
        } catch {
            return InputResult(path: input.path, format: format, diagnostics: d, error: "\(error)", skipped: nil)
        }
    }
}

/// Collects per-thread workers after `concurrentPerform`.
final class WorkerBox<W>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [W?]
    init(_ initial: [W?]) { storage = initial }
    func set(_ i: Int, _ w: W) { lock.withLock { storage[i] = w } }
    var values: [W?] { lock.withLock { storage } }
}
