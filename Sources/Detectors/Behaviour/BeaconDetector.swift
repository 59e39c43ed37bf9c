import DNSightCore

/// Beaconing per (device, name): a device asking for the same name at regular intervals, as an implant checking in
/// with its C2 does, with or without jitter.
///
/// A (device, name) pair is tracked from its second sighting (a ``Doorkeeper`` keeps one-off pairs out of the
/// tables; the first query's time is not kept). Per pair the detector then keeps the last ``historySize`` distinct
/// query times (queries closer together
/// than `dedupeSeconds` — A and AAAA together, retries — count once). Once it holds `minQueries` times, and again
/// after every `evaluateEvery` new ones, it scores the inter-arrival times the way RITA scores a connection pair's
/// timestamps:
///
/// - **skew**: Bowley's quartile skewness `(Q1 + Q3 − 2·Q2) / (Q3 − Q1)` of the intervals; a beacon's intervals are
///   symmetric about their median, so `1 − |skew|` is its score. Skew is taken as 0 when the quartile spread is under
///   2 s or 20% of the median (intervals that tight are regular whatever the side their jitter falls on; RITA uses a
///   fixed 10 s) or the median equals a quartile;
/// - **dispersion**: the median absolute deviation (MAD) of the intervals about their median; `1 − MAD / median`
///   (at least 0) rewards intervals that hug the median — 20% uniform jitter still scores 0.9, human and
///   cache-driven traffic (nearly exponential gaps) about 0.3;
/// - **count**: `min(1, intervals / targetIntervals)`, so that a handful of regular queries does not suffice.
///
/// The score is the mean of the three; the pair fires at `threshold`, provided the dispersion score alone reaches
/// `minDispersionScore` (a good count and symmetric gaps must not carry irregular traffic over) and the median
/// interval lies between
/// `minIntervalSeconds` and `maxIntervalSeconds`; the alert lasts while re-scores stay at or above
/// `threshold − hysteresis`. Vendor telemetry, time and update polling (the benign list),
/// internal names and `.arpa`, and names whose registrable domain many devices query (`common.popularDevices`) are
/// periodic too and never fire. While a pair stays above the threshold its queries carry the verdict. Category: C2.
public struct BeaconDetector: Sendable {
    /// The detector's name (the verdict's `matched`).
    public static let name = "beacon"
    /// Query times kept per pair.
    public static let historySize = 32

    struct State: Sendable {
        var base: Int64 = 0
        var last: Int64 = .min
        var times = InlineArray<32, UInt32>(repeating: 0)
        var stored: UInt8 = 0
        var head: UInt8 = 0
        var sinceEvaluation: UInt16 = 0
        var evaluateAfter: UInt16 = 0
        var queries: UInt32 = 0
        var fired = false
    }

    /// A pair seen fewer than three distinct times: its first two times only (most pairs never come back).
    struct Candidate: Sendable {
        var first: Int64 = .min
        var second: Int64 = .min
        var queries: UInt32 = 0
        /// The pair has a history in the other table (the candidate entry stays as its index).
        var promoted = false
    }

    /// The result of scoring a pair's intervals.
    public struct Score: Sendable, Hashable {
        /// The mean of the three part scores.
        public var total: Double
        /// The part scores.
        public var skewScore: Double, madScore: Double, countScore: Double
        /// Bowley skewness, median interval, MAD and quartiles of the intervals (seconds), and how many intervals.
        public var skew: Double, median: Double, mad: Double, q1: Double, q3: Double
        public var intervals: Int
    }

    /// The settings in force.
    public let settings: DetectorSettings.Beacon
    let popularDevices: Int
    var table: ExpiringTable<State>
    var candidates: ExpiringTable<Candidate>
    var doorkeeper = Doorkeeper()

    /// Creates the detector.
    public init(settings: DetectorSettings.Beacon, popularDevices: Int) {
        self.settings = settings
        self.popularDevices = popularDevices
        table = ExpiringTable(maxEntries: settings.maxHistories, idleSeconds: max(1, settings.idleSeconds), empty: State())
        candidates = ExpiringTable(maxEntries: settings.maxPairs, idleSeconds: max(1, settings.idleSeconds), empty: Candidate())
    }

    /// Pairs held (with a history, and candidates), and the tables' eviction and expiry counts.
    public var tracked: Int { table.count + candidates.count }
    public var evictions: Int { table.evictions + candidates.evictions }
    public var expirations: Int { table.expirations + candidates.expirations }

    /// Starts loading the doorkeeper word and candidate slot that observing the pair `key` reads first. Mutating
    /// only so that the chain calls it in place: through `beacon!` a non-mutating call copied the detector first.
    mutating func prefetch(_ key: UInt64) {
        doorkeeper.prefetch(key)
        candidates.prefetch(key)
    }

    /// Looks at one query.
    public mutating func observe(_ f: QueryFacts) -> DetectorOutcome {
        guard f.scope == .watched else { return .none }
        // Popular domains never fire: they are not tracked (most traffic goes to them).
        if popularDevices > 0 && f.prevalence >= popularDevices { return .none }
        let key = StableHash.pair(f.deviceHash, f.nameHash)
        let t = f.seconds
        let slot: Int
        // A pair becomes a candidate on its second sighting: most (device, name) pairs are never seen again.
        if !doorkeeper.seenBefore(key) { return .none }
        // One probe for most queries: the candidate entry says whether the pair has a history.
        let (c, _) = candidates.upsert(key, now: t)
        if candidates[c].promoted, table.find(key, now: t) != nil {
            slot = table.upsert(key, now: t).slot
        } else {
            // A candidate until its third distinct query time; then it gets a history seeded with all three.
            if candidates[c].promoted {
                // Its history was evicted or expired: start again as a candidate.
                candidates[c] = Candidate()
            }
            candidates[c].queries &+= 1
            let first = candidates[c].first, second = candidates[c].second
            if first == .min || abs(t - first) < settings.dedupeSeconds {
                if first == .min { candidates[c].first = t }
                return .none
            }
            if second == .min || abs(t - second) < settings.dedupeSeconds {
                if second == .min { candidates[c].second = t }
                return .none
            }
            let queries = candidates[c].queries
            candidates[c].promoted = true
            slot = table.upsert(key, now: t).slot
            table[slot] = State()
            let times = [first, second].sorted()
            table[slot].base = times[0]
            table[slot].times[0] = UInt32(clamping: times[0] - times[0])
            table[slot].times[1] = UInt32(clamping: times[1] - times[0])
            table[slot].stored = 2
            table[slot].head = 2
            table[slot].last = times[1]
            table[slot].queries = queries - 1
            table[slot].evaluateAfter = UInt16(settings.evaluateEvery)
        }
        table[slot].queries &+= 1
        let last = table[slot].last
        if last != .min && abs(t - last) < settings.dedupeSeconds {
            return table[slot].fired ? .flag(verdict(slot, f), newAlert: false) : .none
        }
        if table[slot].stored == 0 || t < table[slot].base || t - table[slot].base > Int64(UInt32.max) {
            // First time, or a time the offsets cannot hold: start the history here.
            table[slot].base = t
            table[slot].stored = 0
            table[slot].head = 0
        }
        if t < table[slot].last - settings.dedupeSeconds && Int(table[slot].stored) == Self.historySize {
            // Older than the whole history: nothing to add.
            return table[slot].fired ? .flag(verdict(slot, f), newAlert: false) : .none
        }
        let h = Int(table[slot].head)
        table[slot].times[h] = UInt32(t - table[slot].base)
        table[slot].head = UInt8((h + 1) % Self.historySize)
        if Int(table[slot].stored) < Self.historySize { table[slot].stored += 1 }
        if t > last { table[slot].last = t }
        table[slot].sinceEvaluation &+= 1

        let stored = Int(table[slot].stored)
        guard stored >= settings.minQueries else { return .none }
        guard table[slot].sinceEvaluation >= table[slot].evaluateAfter || stored == settings.minQueries else {
            return table[slot].fired ? .flag(verdict(slot, f), newAlert: false) : .none
        }
        table[slot].sinceEvaluation = 0
        let s = Self.score(table[slot], targetIntervals: settings.targetIntervals)
        let bar = table[slot].fired ? settings.threshold - settings.hysteresis : settings.threshold
        let periodic = s.total >= bar && s.madScore >= settings.minDispersionScore && s.median >= Double(settings.minIntervalSeconds)
            && s.median <= Double(settings.maxIntervalSeconds)
        let popular = popularDevices > 0 && f.prevalence >= popularDevices
        guard periodic && !popular else {
            table[slot].fired = false
            // Back off on a pair that is not periodic: wait twice as many new times (up to a whole new history).
            table[slot].evaluateAfter = UInt16(min(Self.historySize, max(settings.evaluateEvery, Int(table[slot].evaluateAfter) * 2)))
            return .none
        }
        table[slot].evaluateAfter = UInt16(settings.evaluateEvery)
        let isNew = !table[slot].fired
        table[slot].fired = true
        return .flag(verdict(slot, f, score: s), newAlert: isNew)
    }

    /// Scores a pair's stored query times.
    static func score(_ st: State, targetIntervals: Int) -> Score {
        let n = Int(st.stored)
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: historySize * 2) { buf -> Score in
            // Oldest first: the ring starts at `head` once full, so the copy is (nearly) sorted already.
            let start = n == historySize ? Int(st.head) : 0
            for i in 0..<n { buf[i] = Double(st.times[(start + i) % historySize]) }
            let times = UnsafeMutableBufferPointer(rebasing: buf[0..<n])
            insertionSort(times)
            let deltas = UnsafeMutableBufferPointer(rebasing: buf[historySize..<(historySize + n - 1)])
            var k = 0
            for i in 1..<n where times[i] > times[i - 1] {
                deltas[k] = times[i] - times[i - 1]
                k += 1
            }
            return score(intervals: UnsafeMutableBufferPointer(rebasing: deltas[0..<k]), targetIntervals: targetIntervals)
        }
    }

    /// Scores inter-arrival times (seconds); sorts them in place.
    public static func score(intervals: UnsafeMutableBufferPointer<Double>, targetIntervals: Int) -> Score {
        let d = intervals
        let k = d.count
        guard k >= 3 else { return Score(total: 0, skewScore: 0, madScore: 0, countScore: 0, skew: 0, median: 0, mad: 0, q1: 0, q3: 0, intervals: k) }
        insertionSort(d)
        let (q1, q2, q3) = quartiles(UnsafeBufferPointer(d))
        let spread = q3 - q1
        var skew = 0.0
        if spread >= max(2, 0.2 * q2) && q2 != q1 && q2 != q3 { skew = (q1 + q3 - 2 * q2) / spread }
        let skewScore = max(0, 1 - abs(skew))
        let mad = withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { dev -> Double in
            for i in 0..<k { dev[i] = abs(d[i] - q2) }
            insertionSort(dev)
            return median(UnsafeBufferPointer(dev))
        }
        let madScore = q2 >= 1 ? max(0, (q2 - mad) / q2) : 0
        let countScore = min(1, Double(k) / Double(max(1, targetIntervals)))
        let total = (skewScore + madScore + countScore) / 3
        return Score(total: total, skewScore: skewScore, madScore: madScore, countScore: countScore, skew: skew, median: q2, mad: mad,
                     q1: q1, q3: q3, intervals: k)
    }

    /// Sorts a short buffer (at most ``historySize`` values) without allocating.
    @inline(__always)
    static func insertionSort(_ a: UnsafeMutableBufferPointer<Double>) {
        guard a.count > 1 else { return }
        for i in 1..<a.count {
            let x = a[i]
            var j = i - 1
            while j >= 0 && a[j] > x {
                a[j + 1] = a[j]
                j -= 1
            }
            a[j + 1] = x
        }
    }

    static func median(_ s: UnsafeBufferPointer<Double>) -> Double {
        let n = s.count
        if n == 0 { return 0 }
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    /// Quartiles of sorted values by the median-of-halves method (the median is left out of both halves when the
    /// count is odd).
    static func quartiles(_ s: UnsafeBufferPointer<Double>) -> (Double, Double, Double) {
        let n = s.count
        let q2 = median(s)
        let lower = UnsafeBufferPointer(rebasing: s[0..<(n / 2)])
        let upper = UnsafeBufferPointer(rebasing: s[((n + 1) / 2)..<n])
        return (median(lower), q2, median(upper))
    }

    func verdict(_ slot: Int, _ f: QueryFacts, score: Score? = nil) -> Verdict {
        let st = table[slot]
        let s = score ?? Self.score(st, targetIntervals: settings.targetIntervals)
        let name = f.nameString
        var first = Int64.max
        for i in 0..<Int(st.stored) { first = min(first, st.base + Int64(st.times[i])) }
        let rule = "\(s.intervals + 1) query times for \(name) at a median interval of \(BehaviourVerdict.fixed(s.median, 1)) s "
            + "(MAD \(BehaviourVerdict.fixed(s.mad, 1)) s, Bowley skew \(BehaviourVerdict.fixed(s.skew, 2))); score = mean of skew "
            + "\(BehaviourVerdict.fixed(s.skewScore, 2)), dispersion \(BehaviourVerdict.fixed(s.madScore, 2)) and count "
            + "\(BehaviourVerdict.fixed(s.countScore, 2)) scores"
        let evidence = DetectorEvidence(
            rule: rule, windowStartNanos: BehaviourVerdict.seconds(first == .max ? f.seconds : first), windowEndNanos: f.timeNanos, key: name,
            measures: [("intervals", Double(s.intervals)), ("median_interval_s", s.median), ("mad_s", s.mad), ("q1_s", s.q1), ("q3_s", s.q3),
                       ("bowley_skew", s.skew), ("skew_score", s.skewScore), ("dispersion_score", s.madScore), ("count_score", s.countScore),
                       ("queries", Double(st.queries))],
            names: [.init(name: name, count: Int(st.queries))])
        return BehaviourVerdict.make(Self.name, category: .commandAndControl, score: (s.total * 1000).rounded() / 1000,
                                     threshold: settings.threshold, evidence: evidence)
    }
}
