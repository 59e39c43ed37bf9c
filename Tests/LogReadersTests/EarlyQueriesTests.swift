import Testing
@testable import LogReaders

/// `EarlyQueries` keeps a chunk's early queries as a list and finds each wanted key's first call at settling time;
/// it must give what a map of first calls, filled query by query, gives.
@Suite struct EarlyQueriesTests {
    @Test func firstCallsMatchAMapFilledInOrder() {
        var state: UInt64 = 7
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        var list = EarlyQueries()
        var reference = [UInt64: Int]()
        for call in 1...5000 {
            // Few distinct hashes, so that most repeat.
            let h = next() % 700
            list.append(h, call: call)
            if reference[h] == nil { reference[h] = call }
        }
        #expect(list.count == 5000)
        let wanted = Set((0..<1000).map { _ in next() % 1400 })
        let got = list.firstCalls(of: wanted)
        #expect(got == reference.filter { wanted.contains($0.key) })
        #expect(list.firstCalls(of: []).isEmpty)
    }
}
