import DNSWire
import DNSightCore
import DomainMatcher

/// The classify stage: matches a transaction against the intel snapshot — the query name, then CNAME targets in
/// the answer, then answer addresses — and returns the verdict of the first that is listed.
///
/// Synchronous and bounded; the lookups themselves allocate nothing, only a hit builds its verdict (hits are few).
/// An allowlisted query name is clean whatever its answers hold.
public struct Classifier: Sendable {
    /// The snapshot in use.
    public let snapshot: MatcherSnapshot

    /// Creates a classifier over a snapshot.
    public init(snapshot: MatcherSnapshot) { self.snapshot = snapshot }

    /// The outcome for one transaction.
    public enum Outcome: Sendable, Hashable {
        /// Nothing matched.
        case clean
        /// An allowlist entry covered the query name.
        case allowed
        /// Listed.
        case detected(Verdict)
    }

    /// Classifies one transaction.
    public func classify(_ e: DNSEvent) -> Outcome {
        let r = e.queryName.wire.withUnsafeBytes { snapshot.lookup(wire: $0) }
        switch r {
        case .allowed: return .allowed
        case .listed(let m): if let v = verdict(m, subject: .queryName) { return .detected(v) }
        case .noMatch: break
        }
        for a in e.answers {
            if let t = a.target, a.type == .cname || a.type == .dname {
                if case .listed(let m) = t.wire.withUnsafeBytes({ snapshot.lookup(wire: $0) }), let v = verdict(m, subject: .cnameTarget(t)) {
                    return .detected(v)
                }
            }
            if let addr = a.address {
                let hit: AddressMatch?
                switch addr {
                case .v4(let x): hit = snapshot.lookup(x, kind: .answer)
                case .v6(let x): hit = snapshot.lookup(x, kind: .answer)
                }
                if let hit, let rec = snapshot.record(hit.record), !rec.isAllow {
                    return .detected(verdict(rec, subject: .answerAddress(addr), matched: "\(addr)/\(hit.prefixLength)"))
                }
            }
        }
        return .clean
    }

    func verdict(_ m: NameMatch, subject: MatchSubject) -> Verdict? {
        guard let rec = snapshot.record(m.record), !rec.isAllow else { return nil }
        let name = snapshot.entry(m.entry).map { $0.name.isRoot ? "." : String($0.name.presentation.dropLast()) } ?? "?"
        return verdict(rec, subject: subject, matched: "\(name) (\(m.scope))")
    }

    func verdict(_ rec: MatchRecord, subject: MatchSubject, matched: String) -> Verdict {
        Verdict(category: rec.category, tier: rec.tier, family: snapshot.string(rec.family), traits: rec.traits, tags: rec.tags(in: snapshot),
                subject: subject, matched: matched, source: snapshot.string(rec.source) ?? "intel", reference: snapshot.string(rec.reference))
    }
}
