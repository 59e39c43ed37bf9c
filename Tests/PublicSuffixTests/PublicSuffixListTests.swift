import Testing
@testable import PublicSuffix

@Suite struct PublicSuffixListTests {
    let psl = PublicSuffixList.bundled

    @Test(arguments: [
        // (name, registrable domain or nil)
        ("COM", nil),
        ("example.COM", "example.com"),
        ("WwW.example.COM", "example.com"),
        ("www.example.com.", "example.com"),
        // unlisted TLD: the default rule "*"
        ("example", nil),
        ("example.example", "example.example"),
        ("b.example.example", "example.example"),
        // ICANN multi-label suffixes
        ("test.ac", "test.ac"),
        ("www.bbc.co.uk", "bbc.co.uk"),
        ("test.k12.ak.us", "test.k12.ak.us"),
        ("www.test.k12.ak.us", "test.k12.ak.us"),
        ("ac.jp", nil),
        ("test.ac.jp", "test.ac.jp"),
        ("kyoto.jp", nil),
        ("test.kyoto.jp", "test.kyoto.jp"),
        ("ide.kyoto.jp", nil),
        ("b.ide.kyoto.jp", "b.ide.kyoto.jp"),
        ("a.b.ide.kyoto.jp", "b.ide.kyoto.jp"),
        // wildcard without a rule for the parent
        ("mm", nil),
        ("c.mm", nil),
        ("b.c.mm", "b.c.mm"),
        ("a.b.c.mm", "b.c.mm"),
        // wildcard with exceptions
        ("c.kobe.jp", nil),
        ("b.c.kobe.jp", "b.c.kobe.jp"),
        ("city.kobe.jp", "city.kobe.jp"),
        ("www.city.kobe.jp", "city.kobe.jp"),
        ("test.ck", nil),
        ("b.test.ck", "b.test.ck"),
        ("www.ck", "www.ck"),
        ("www.www.ck", "www.ck"),
        // private section
        ("example.uk.com", "example.uk.com"),
        ("b.example.uk.com", "example.uk.com"),
        ("foo.blogspot.com", "foo.blogspot.com"),
        ("a.foo.github.io", "foo.github.io"),
        ("x.ec2-1-2-3-4.compute.amazonaws.com", "x.ec2-1-2-3-4.compute.amazonaws.com"),
        // IDN, in Unicode and in A-label form
        ("食狮.com.cn", "食狮.com.cn"),
        ("食狮.公司.cn", "食狮.公司.cn"),
        ("www.食狮.公司.cn", "食狮.公司.cn"),
        ("xn--85x722f.com.cn", "xn--85x722f.com.cn"),
        ("www.xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
        ("xn--55qx5d.cn", nil),
        ("shishi.xn--fiqs8s", "shishi.xn--fiqs8s"),
        ("shishi.中国", "shishi.中国"),
        // malformed
        ("", nil),
        (".", nil),
        ("a..com", nil),
        (".example.com", nil),
    ] as [(String, String?)])
    func registrableDomain(name: String, expected: String?) {
        #expect(psl.registrableDomain(of: name) == expected, "\(name)")
    }

    @Test func publicSuffixes() {
        #expect(psl.publicSuffix(of: "www.bbc.co.uk") == "co.uk")
        #expect(psl.publicSuffix(of: "com") == "com")
        #expect(psl.publicSuffix(of: "x.y.unknowntld") == "unknowntld")
        #expect(psl.publicSuffix(of: "www.city.kobe.jp") == "kobe.jp")
        #expect(psl.publicSuffix(of: "b.c.mm") == "c.mm")
        #expect(psl.publicSuffix(of: "a..b") == nil)
    }

    @Test func splitGivesByteOffsets() throws {
        let s = try #require(psl.split("mail.Example.co.uk."))
        #expect(s == PublicSuffixList.Split(suffixStart: 13, registrableStart: 5, end: 18))
    }

    @Test func icannOnlyIgnoresPrivateRules() throws {
        let icann = try PublicSuffixList.loadBundled(sections: .icannOnly)
        #expect(icann.registrableDomain(of: "foo.blogspot.com") == "blogspot.com")
        #expect(icann.registrableDomain(of: "b.example.uk.com") == "uk.com")
        #expect(icann.registrableDomain(of: "www.city.kobe.jp") == "city.kobe.jp")
        #expect(icann.ruleCount < psl.ruleCount)
    }

    @Test func bundledListHasItsVersion() {
        #expect(psl.version?.hasPrefix("20") == true)
        #expect(psl.ruleCount > 9000)
    }

    @Test func smallListFromText() throws {
        let list = try PublicSuffixList(text: """
        // ===BEGIN ICANN DOMAINS===
        com
        *.wild.test
        !keep.wild.test
        // ===END ICANN DOMAINS===
        // ===BEGIN PRIVATE DOMAINS===
        apps.com  trailing text is ignored
        // ===END PRIVATE DOMAINS===
        """)
        #expect(list.registrableDomain(of: "x.apps.com") == "x.apps.com")
        #expect(list.registrableDomain(of: "a.b.wild.test") == "a.b.wild.test")
        #expect(list.registrableDomain(of: "a.keep.wild.test") == "keep.wild.test")
        let icann = try PublicSuffixList(text: "com\n// ===BEGIN PRIVATE DOMAINS===\napps.com\n", sections: .icannOnly)
        #expect(icann.registrableDomain(of: "x.apps.com") == "apps.com")
    }

    @Test func badListsAreErrors() {
        #expect(throws: PublicSuffixError.self) { try PublicSuffixList(text: "// nothing\n") }
        do {
            _ = try PublicSuffixList(text: "com\nbad..rule\n", source: "t.dat")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .badRule)
            #expect(error.line == 2)
            #expect(error.file == "t.dat")
        }
    }

    /// The byte reader of ASCII lines builds the same table as reading every line as Unicode text.
    @Test(arguments: [PublicSuffixList.Sections.all, .icannOnly])
    func asciiReaderBuildsTheSameTable(sections: PublicSuffixList.Sections) throws {
        let text = try PublicSuffixList.bundledText()
            + "\n  \t!Keep.Wild.Test  trailing\n\t*.WILD.test\n// VERSION:  v1 \n"
        let fast = try PublicSuffixList(text: text, sections: sections, source: "t", asciiFastPath: true)
        let slow = try PublicSuffixList(text: text, sections: sections, source: "t", asciiFastPath: false)
        #expect(fast.ruleCount == slow.ruleCount)
        #expect(fast.version == slow.version)
        let a = fast.entries.map { "\($0.hash) \($0.bytes) \($0.flags)" }, b = slow.entries.map { "\($0.hash) \($0.bytes) \($0.flags)" }
        #expect(a.count > 5_000)
        #expect(a == b)
    }
}
