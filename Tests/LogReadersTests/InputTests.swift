import Foundation
import Testing
@testable import LogReaders
import TestSupport

@Suite struct InputTests {
    func lines(_ bytes: [UInt8], max: Int = 1 << 20) throws -> [(String, Int, Int, Bool)] {
        let input = try ByteInput(bytes: bytes, name: "mem")
        var out = [(String, Int, Int, Bool)]()
        try LineSplitter(maxLineLength: max).forEachLine(in: input) { out.append(($0.string, $0.number, $0.byteOffset, $0.isTruncated)) }
        return out
    }

    @Test func splitsLinesWithNumbersAndOffsets() throws {
        let got = try lines(Array("a\r\nbb\n\nccc".utf8))
        #expect(got.map(\.0) == ["a", "bb", "", "ccc"])
        #expect(got.map(\.1) == [1, 2, 3, 4])
        #expect(got.map(\.2) == [0, 3, 6, 7])
    }

    @Test func overlongLinesAreTruncatedAndTheNextLinesKept() throws {
        let long = String(repeating: "x", count: 5000)
        let got = try lines(Array("first\n\(long)\nafter\n".utf8), max: 100)
        #expect(got.map(\.1) == [1, 2, 3])
        #expect(got[1].0.count == 100 && got[1].3)
        #expect(got[2].0 == "after" && got[2].2 == 6 + 5001)
    }

    @Test func gunzipsTransparentlyIncludingConcatenatedMembers() throws {
        let dir = TestScratch.folder("gz")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        try Data("one\ntwo\n".utf8).write(to: a)
        try Data("three\n".utf8).write(to: b)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -c '\(a.path)' > '\(dir.path)/all.gz' && gzip -c '\(b.path)' >> '\(dir.path)/all.gz'"]
        try p.run(); p.waitUntilExit()
        let input = try ByteInput(path: dir.appendingPathComponent("all.gz").path)
        #expect(input.isGzip)
        #expect(try input.peek(3) == Array("one".utf8))
        var got = [String]()
        try LineSplitter().forEachLine(in: input) { got.append($0.string) }
        #expect(got == ["one", "two", "three"])
    }

    @Test func truncatedGzipIsAnError() throws {
        let dir = TestScratch.folder("gz")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("p")
        try Data((0..<20000).map { "line \($0)\n" }.joined().utf8).write(to: plain)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -c '\(plain.path)' | head -c 3000 > '\(dir.path)/t.gz'"]
        try p.run(); p.waitUntilExit()
        let input = try ByteInput(path: dir.appendingPathComponent("t.gz").path)
        var n = 0
        #expect(throws: ReaderError.self) { try LineSplitter().forEachLine(in: input) { _ in n += 1 } }
        #expect(n > 0)
    }

    @Test func missingFileAndDirectoryAreClearErrors() {
        #expect(throws: ReaderError(file: "/nonexistent/x.log", "cannot open: No such file or directory")) { try ByteInput(path: "/nonexistent/x.log") }
        #expect(throws: ReaderError(file: "/tmp", "is a directory")) { try ByteInput(path: "/tmp") }
    }
}
