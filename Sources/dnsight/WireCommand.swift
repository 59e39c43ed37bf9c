import ArgumentParser
import DNSWire
import Foundation

/// `dnsight wire …`: look at raw DNS messages.
struct WireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "Decode raw DNS messages and print them as dig does.",
        subcommands: [Decode.self]
    )

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode DNS wire-format messages given as hex or read from files.",
            discussion: """
            Exit codes: 0 every message decoded; 1 at least one message was malformed (each is reported with its \
            byte offset on standard error); 2 bad usage or an unreadable file.
            """
        )

        @Option(name: .long, help: "A message as hex (spaces allowed). May be repeated.")
        var hex: [String] = []

        @Flag(name: .long, help: "Files hold a TCP stream: messages each preceded by a 2-byte length.")
        var tcp = false

        @Argument(help: "Files holding one raw message each (or a TCP stream with --tcp).")
        var files: [String] = []

        func validate() throws {
            if hex.isEmpty && files.isEmpty { throw ValidationError("give --hex or at least one file") }
        }

        func run() throws {
            var inputs: [(source: String, bytes: [UInt8])] = []
            for (i, h) in hex.enumerated() {
                guard let b = TextEncodings.fromHex(h.filter { !$0.isWhitespace }) else {
                    throw ValidationError("--hex #\(i + 1) is not hex")
                }
                inputs.append(("--hex #\(i + 1)", b))
            }
            for f in files {
                guard let data = FileManager.default.contents(atPath: f) else {
                    FileHandle.standardError.write(Data("dnsight: cannot read \(f)\n".utf8))
                    throw ExitCode(2)
                }
                let bytes = [UInt8](data)
                if tcp {
                    var d = TCPFraming.Deframer()
                    d.append(bytes)
                    var n = 0
                    while let m = d.next() { n += 1; inputs.append(("\(f) message \(n)", m)) }
                    if d.pendingByteCount > 0 {
                        FileHandle.standardError.write(Data("\(f): \(d.pendingByteCount) byte(s) at the end do not form a whole framed message\n".utf8))
                    }
                } else {
                    inputs.append((f, bytes))
                }
            }
            var failed = false
            for input in inputs {
                do {
                    let m = try DNSMessage(decoding: input.bytes)
                    print(";; \(input.source), \(input.bytes.count) bytes")
                    print(m.digText)
                } catch {
                    failed = true
                    FileHandle.standardError.write(Data("\(input.source): \(error)\n".utf8))
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
