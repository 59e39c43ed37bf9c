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

    /// One unit of work: a whole input, or one chunk of a large one.
    struct Item {
        var inputIndex: Int
        var input: Input
        /// The chunk, when the input is read in parts (its line base and header are filled in by `take`).
        var chunk: FileChunk?
        /// Why the chunks before this one could not be scanned (the chunk is then reported failed, not read).
        var scanError: String?
        /// Read by one thread that hands its events, sharded by device, to every worker (a large input that cannot
        /// be cut into chunks: dnstap, pcap, gzip, standard input…).
        var sharded = false
        /// The checkpoint part: 0 for a whole input, chunk index + 1 for a chunk.
        var part: Int { chunk.map { $0.index + 1 } ?? 0 }
    }

    private let lock = NSLock()
    private var queue: [Input]
    private var items: [Item] = []
    private var scanners: [Int: ChunkScanner] = [:]
    /// The items each thread reads, in order: a fixed round-robin deal, so that which worker (and so which
    /// detector state) sees which chunk or file does not depend on thread timing — the suspected-tier verdicts of
    /// two runs with the same inputs and `--threads` are the same.
    private var deal: [[Int]] = []
    private var dealt: [Int] = []
    /// Chunk scans done ahead of their item's turn (a thread may reach a later chunk of a file first), by item.
    private var scanned: [Int: Result<(lines: Int, header: [[UInt8]]), Error>] = [:]
    private var scannedUpTo: [Int: Int] = [:]
    private var itemResults = [(item: Int, result: InputResult)]()
    private var inputs: [Int: ByteInput] = [:]
    /// What each chunk of a binary input left to pair with its neighbours, by item.
    private var leftovers: [Int: PairingLeftovers] = [:]
    /// Inputs cut by `BinaryChunker`.
    private var pairedInputs = Set<Int>()
    /// Pair settling per cut input: its settler, and the last chunk settled (chunks are settled in file order).
    private let settleOrder = NSCondition()
    private var settlers: [Int: PairSettler] = [:]
    private var settledThrough: [Int: Int] = [:]
    /// Total bytes of the inputs whose size is known.
    public let totalBytes: Int
    /// Inputs larger than this (plain files of a format that can be split) are read in chunks of about this size by
    /// all workers; 0 reads every input whole.
    public var chunkBytes = FileChunker.defaultChunkBytes
    /// Large inputs that cannot be chunked are read by one thread that shards their events by device over all
    /// workers (each device's events stay in order on one worker, so per-device detectors see all of them). Off when
    /// a store is written: a store checkpoint counts the first N events of a stream as stored, which needs them
    /// processed in order by one worker.
    public var shardLargeInputs = false
    /// Large dnstap and classic pcap files are cut at record starts and their chunks read by all workers like a
    /// Zeek file's (see `BinaryChunker`); queries and responses paired across a cut are settled after the chunks
    /// (`TransactionPairer.settle`), on the first worker. Off when a store is written: those settled transactions
    /// belong to no chunk's checkpointed stream, so such files are read whole, in order, and stay resumable.
    public var splitBinaryInputs = false
    /// Inputs read by one thread and processed by all (for the summary).
    public private(set) var shardedInputs = 0
    /// Inputs read in chunks (for the summary).
    public private(set) var chunkedInputs = 0
    /// Chunks read in all.
    public private(set) var chunkCount = 0

    /// Prepares to read `inputs`.
    public init(inputs: [Input]) {
        queue = inputs
        totalBytes = inputs.reduce(0) { sum, i in
            guard i.path != "-", let a = try? FileManager.default.attributesOfItem(atPath: i.path), let s = a[.size] as? Int else { return sum }
            return sum + s
        }
    }

    /// Bytes read so far (compressed bytes for gzip inputs), for progress.
    public var bytesRead: Int {
        lock.withLock { inputs.values.reduce(0) { $0 + $1.rawBytesRead } + finishedBytes }
    }
    private var finishedBytes = 0

    /// Cuts the inputs into work items: a large plain file of a format that can be split becomes chunks (unless
    /// `split` says no for it — a store that holds a whole-file checkpoint for it), anything else one item.
    private func plan(split: (Input) -> Bool, threads: Int, options: ReaderOptions) {
        items = []
        for (index, input) in queue.enumerated() {
            let size = input.path == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: input.path))?[.size] as? Int
            // Standard input, or a file at least one chunk long: worth a reader thread feeding every worker.
            let large = chunkBytes > 0 && (input.path == "-" || (size ?? 0) >= chunkBytes)
            if splitBinaryInputs, let size, size > chunkBytes, chunkBytes > 0, split(input),
               let byteInput = try? ByteInput(path: input.path), !byteInput.isGzip,
               let format = input.format ?? (try? LogFormat.detect(byteInput)), BinaryChunker.canSplit(format),
               let b = try? BinaryChunker.boundaries(path: input.path, size: size, chunkBytes: chunkBytes, format: format, dnsPorts: options.dnsPorts) {
                var resolved = input
                resolved.format = format
                chunkedInputs += 1
                pairedInputs.insert(index)
                let last = b.cuts.count - 2
                for k in 0...last {
                    var chunk = FileChunk(index: k, range: b.cuts[k]..<b.cuts[k + 1], header: k > 0 && !b.header.isEmpty ? [b.header] : [], isLast: k == last)
                    chunk.queriesBefore = b.queriesBefore[k]
                    items.append(Item(inputIndex: index, input: resolved, chunk: chunk))
                    chunkCount += 1
                }
                continue
            }
            guard chunkBytes > 0, input.path != "-",
                  let a = try? FileManager.default.attributesOfItem(atPath: input.path), let size = a[.size] as? Int, size > chunkBytes,
                  let byteInput = try? ByteInput(path: input.path), !byteInput.isGzip,
                  let format = input.format ?? (try? LogFormat.detect(byteInput)), FileChunker.canSplit(format), split(input),
                  let cuts = try? FileChunker.boundaries(path: input.path, size: size, chunkBytes: chunkBytes), cuts.count > 2 else {
                var item = Item(inputIndex: index, input: input, chunk: nil)
                if shardLargeInputs && threads > 1 && large {
                    item.sharded = true
                    shardedInputs += 1
                }
                items.append(item)
                continue
            }
            var resolved = input
            resolved.format = format
            chunkedInputs += 1
            for k in 0..<(cuts.count - 1) {
                items.append(Item(inputIndex: index, input: resolved, chunk: FileChunk(index: k, range: cuts[k]..<cuts[k + 1])))
                chunkCount += 1
            }
            scanners[index] = ChunkScanner(path: input.path)
        }
    }

    /// Runs `threads` workers to completion. `makeWorker` is called once per thread; `process` is called for every
    /// event on that thread's worker; `begin` (which may decline an item already stored) and `end` around each
    /// input or chunk, with its checkpoint part (0 for a whole input). Returns the workers and the per-input
    /// results (in input order; a chunked input's chunks merged).
    public func run(threads: Int, options: ReaderOptions, makeWorker: @escaping @Sendable () -> Worker,
                    process: @escaping @Sendable (inout Worker, DNSEvent) throws -> Void,
                    begin: @escaping @Sendable (inout Worker, Input, Int) throws -> Bool = { _, _, _ in true },
                    end: @escaping @Sendable (inout Worker, Input, InputResult, Int) throws -> Void = { _, _, _, _ in },
                    split: (Input) -> Bool = { _ in true },
                    planned: ([(input: Input, part: Int)]) -> Void = { _ in }) -> (workers: [Worker], results: [InputResult]) {
        plan(split: split, threads: threads, options: options)
        // Every stream the run will read (a whole input is part 0, a chunk its index + 1), before any worker exists.
        planned(items.map { ($0.input, $0.part) })
        let n = max(1, shardedInputs > 0 ? threads : min(threads, items.count))
        let box = WorkerBox<Worker>((0..<n).map { _ in makeWorker() })
        itemResults = []
        // Sharded inputs first, one at a time, each by a reader thread feeding all workers.
        for (index, item) in items.enumerated() where item.sharded {
            let result = readSharded(index: index, item: item, options: options, box: box, process: process, begin: begin, end: end)
            lock.withLock { itemResults.append((index, result)) }
        }
        deal = Array(repeating: [], count: n)
        dealt = Array(repeating: 0, count: n)
        var position = 0
        for (index, item) in items.enumerated() where !item.sharded {
            deal[position % n].append(index)
            position += 1
        }
        DispatchQueue.concurrentPerform(iterations: n) { t in
            var worker = box.take(t)!
            while let (index, item) = take(thread: t) {
                var result: InputResult
                defer { settle(index: index, item: item, worker: &worker, process: process) }
                if let e = item.scanError {
                    lock.withLock { itemResults.append((index, InputResult(path: item.input.path, format: item.input.format, diagnostics: ReaderDiagnostics(), error: e, skipped: nil))) }
                    continue
                }
                do {
                    guard try begin(&worker, item.input, item.part) else {
                        lock.withLock { itemResults.append((index, InputResult(path: item.input.path, format: item.input.format, diagnostics: ReaderDiagnostics(), error: nil, skipped: "already ingested into the store"))) }
                        continue
                    }
                    result = readOne(index: index, item: item, options: options, worker: &worker, process: process)
                    try end(&worker, item.input, result, result.decompressedBytes)
                } catch {
                    result = InputResult(path: item.input.path, format: item.input.format, diagnostics: ReaderDiagnostics(), error: "\(error)", skipped: nil)
                }
                lock.withLock { itemResults.append((index, result)) }
            }
            box.set(t, worker)
        }
        let workers = box.values
        // Merge the chunks of each input, in chunk order.
        var merged = [Int: InputResult]()
        for (i, r) in itemResults.sorted(by: { $0.item < $1.item }) {
            let key = items[i].inputIndex
            guard var m = merged[key] else { merged[key] = r; continue }
            m.diagnostics.merge(r.diagnostics)
            if m.error == nil, let e = r.error { m.error = e }
            if m.skipped != nil && r.skipped == nil { m.skipped = nil; m.format = r.format }
            m.decompressedBytes = max(m.decompressedBytes, r.decompressedBytes)
            merged[key] = m
        }
        return (workers.compactMap { $0 }, merged.keys.sorted().map { merged[$0]! })
    }

    /// After a chunk of a cut binary input: pairs what it could not pair alone with the chunks before it, as reading
    /// the file whole would have, once the chunk before it is settled, and processes those transactions on this
    /// thread's worker (each chunk's part on the worker that read the chunk, so runs stay deterministic, and the
    /// work stays spread over the workers). Called for every chunk whatever became of it, so no thread waits forever.
    private func settle(index: Int, item: Item, worker: inout Worker, process: (inout Worker, DNSEvent) throws -> Void) {
        guard let chunk = item.chunk, pairedInputs.contains(item.inputIndex) else { return }
        let input = item.inputIndex
        settleOrder.lock()
        // The chunk before this one is dealt earlier in some thread's deal, and threads take their items in order,
        // so the wait always ends.
        while (settledThrough[input] ?? -1) < chunk.index - 1 { settleOrder.wait() }
        var settler = settlers.removeValue(forKey: input) ?? PairSettler()
        settleOrder.unlock()
        let left = lock.withLock { leftovers.removeValue(forKey: index) } ?? PairingLeftovers()
        let before = settler.counts
        var failure: String?
        settler.add(left, last: chunk.isLast) { e in
            do { try process(&worker, e) } catch { if failure == nil { failure = "\(error)" } }
        }
        var delta = settler.counts
        delta.paired -= before.paired
        delta.unanswered -= before.unanswered
        delta.orphanResponses -= before.orphanResponses
        delta.emitted -= before.emitted
        settleOrder.lock()
        settlers[input] = settler
        settledThrough[input] = chunk.index
        settleOrder.broadcast()
        settleOrder.unlock()
        var d = ReaderDiagnostics()
        delta.record(into: &d)
        lock.withLock { itemResults.append((index, InputResult(path: item.input.path, format: item.input.format, diagnostics: d, error: failure, skipped: nil))) }
    }

    /// The next item of thread `t`'s deal; for a chunk, first scans the file up to it (newline count and header
    /// lines), recording every chunk start it passes, so each byte is scanned once whatever order the threads ask in.
    private func take(thread t: Int) -> (Int, Item)? {
        lock.withLock {
            guard dealt[t] < deal[t].count else { return nil }
            let index = deal[t][dealt[t]]
            dealt[t] += 1
            var item = items[index]
            if var chunk = item.chunk, scanners[item.inputIndex] != nil {
                var j = (scannedUpTo[item.inputIndex] ?? index - 1) + 1
                // Items of one input are contiguous: walk back to its first chunk when this input was not scanned yet.
                if scannedUpTo[item.inputIndex] == nil {
                    j = index
                    while j > 0, items[j - 1].inputIndex == item.inputIndex { j -= 1 }
                }
                while j <= index {
                    var scanner = scanners[item.inputIndex]!
                    do {
                        try scanner.advance(to: items[j].chunk!.range.lowerBound)
                        scanned[j] = .success((scanner.lines, scanner.header))
                    } catch {
                        scanned[j] = .failure(error)
                    }
                    scanners[item.inputIndex] = scanner
                    scannedUpTo[item.inputIndex] = j
                    j += 1
                }
                switch scanned.removeValue(forKey: index)! {
                case .success(let s):
                    chunk.lineNumberBase = s.lines
                    chunk.header = s.header
                    item.chunk = chunk
                case .failure(let e):
                    item.scanError = "\(e)"
                }
            }
            return (index, item)
        }
    }

    private func readOne(index: Int, item: Item, options: ReaderOptions, worker: inout Worker,
                         process: (inout Worker, DNSEvent) throws -> Void) -> InputResult {
        readItem(index: index, item: item, options: options) { event in try process(&worker, event) }
    }

    /// Reads a sharded input: this thread reads and decodes, and hands batches of events to one thread per worker,
    /// each device (device id, else client address) always to the same worker, through bounded queues.
    private func readSharded(index: Int, item: Item, options: ReaderOptions, box: WorkerBox<Worker>,
                             process: @escaping @Sendable (inout Worker, DNSEvent) throws -> Void,
                             begin: (inout Worker, Input, Int) throws -> Bool,
                             end: (inout Worker, Input, InputResult, Int) throws -> Void) -> InputResult {
        let n = box.count
        var first = box.take(0)!
        do {
            guard try begin(&first, item.input, item.part) else {
                box.set(0, first)
                return InputResult(path: item.input.path, format: item.input.format, diagnostics: ReaderDiagnostics(), error: nil, skipped: "already ingested into the store")
            }
        } catch {
            box.set(0, first)
            return InputResult(path: item.input.path, format: item.input.format, diagnostics: ReaderDiagnostics(), error: "\(error)", skipped: nil)
        }
        box.set(0, first)
        let queues = (0..<n).map { _ in BatchQueue(capacity: 8) }
        let failure = FailureBox()
        let done = DispatchGroup()
        for t in 0..<n {
            done.enter()
            let thread = Thread {
                var w = box.take(t)!
                while let batch = queues[t].pop() {
                    for e in batch {
                        do { try process(&w, e) } catch { failure.set("\(error)") }
                    }
                }
                box.set(t, w)
                done.leave()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        let batchSize = 512
        var batches = (0..<n).map { _ -> [DNSEvent] in var b = [DNSEvent](); b.reserveCapacity(batchSize); return b }
        var result = readItem(index: index, item: item, options: options) { event in
            let s = Self.shard(event, n)
            batches[s].append(event)
            if batches[s].count >= batchSize {
                queues[s].push(batches[s])
                batches[s].removeAll(keepingCapacity: true)
            }
        }
        for t in 0..<n {
            if !batches[t].isEmpty { queues[t].push(batches[t]) }
            queues[t].close()
        }
        done.wait()
        if result.error == nil, let e = failure.value { result.error = e }
        var w = box.take(0)!
        do { try end(&w, item.input, result, result.decompressedBytes) } catch { if result.error == nil { result.error = "\(error)" } }
        box.set(0, w)
        return result
    }

    /// The worker a device's events go to.
    @inline(__always) static func shard(_ e: DNSEvent, _ n: Int) -> Int {
        let h: UInt64
        if let id = e.deviceID {
            h = UInt64(bitPattern: Int64(id.hashValue))
        } else {
            switch e.clientAddress {
            case .v4(let a)?: h = UInt64(a.rawValue) &* 0x9E37_79B9_7F4A_7C15
            case .v6(let a)?: h = (a.high ^ a.low.byteSwapped) &* 0x9E37_79B9_7F4A_7C15
            case nil: return 0
            }
        }
        return Int((h >> 32) % UInt64(n))
    }

    private func readItem(index: Int, item: Item, options: ReaderOptions, emit: (DNSEvent) throws -> Void) -> InputResult {
        var d = ReaderDiagnostics()
        let input = item.input
        var format = input.format
        do {
            let byteInput = try item.chunk.map { try ByteInput(path: input.path, range: $0.range) } ?? ByteInput(path: input.path)
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
            var reader = try item.chunk.map { try format!.makeChunkReader(options: options, chunk: $0) } ?? format!.makeReader(options: options)
            try reader.read(byteInput, diagnostics: &d, emit: emit)
            if item.chunk != nil, let paired = reader as? any PairingChunkReader {
                let l = paired.leftovers
                lock.withLock { leftovers[index] = l }
            }
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
    /// Takes worker `i` out (the thread that takes it owns it until it sets it back).
    func take(_ i: Int) -> W? { lock.withLock { defer { storage[i] = nil }; return storage[i] } }
    var count: Int { lock.withLock { storage.count } }
    var values: [W?] { lock.withLock { storage } }
}

/// A bounded queue of event batches from a reader thread to one worker thread.
final class BatchQueue: @unchecked Sendable {
    private let cond = NSCondition()
    private var batches: [[DNSEvent]] = []
    private var head = 0
    private var closed = false
    private let capacity: Int
    init(capacity: Int) { self.capacity = capacity }

    /// Adds a batch, waiting while the queue is full.
    func push(_ b: [DNSEvent]) {
        cond.lock()
        while batches.count - head >= capacity { cond.wait() }
        batches.append(b)
        cond.broadcast()
        cond.unlock()
    }

    /// No more batches.
    func close() {
        cond.lock()
        closed = true
        cond.broadcast()
        cond.unlock()
    }

    /// The next batch, waiting for one; nil once closed and drained.
    func pop() -> [DNSEvent]? {
        cond.lock()
        defer { cond.unlock() }
        while head == batches.count && !closed { cond.wait() }
        guard head < batches.count else { return nil }
        let b = batches[head]
        batches[head] = []
        head += 1
        if head > 64 && head * 2 > batches.count {
            batches.removeFirst(head)
            head = 0
        }
        cond.broadcast()
        return b
    }
}

/// The first failure on a worker thread of a sharded input.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var first: String?
    func set(_ s: String) { lock.withLock { if first == nil { first = s } } }
    var value: String? { lock.withLock { first } }
}
