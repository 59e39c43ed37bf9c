import DNSightCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches the URL feeds of a ``FeedConfig`` into a cache folder with conditional requests: the `ETag` and
/// `Last-Modified` of the last answer are sent back as `If-None-Match` and `If-Modified-Since`, and a
/// `304 Not Modified` keeps the cached copy. A feed that fails keeps its previous copy too.
public struct FeedUpdater: Sendable {
    /// What happened to one feed.
    public enum Outcome: Sendable, Hashable {
        /// New content was fetched (HTTP 200), of this many bytes.
        case fetched(bytes: Int)
        /// The server said the cached copy is current (HTTP 304).
        case notModified
        /// The fetch failed; the previous copy (if any) is kept.
        case failed(String)
        /// A local file, nothing to fetch.
        case local
    }

    /// The validators kept beside each cached body.
    struct Validators: Codable {
        var url: String
        var etag: String?
        var lastModified: String?
        var fetched: Double
    }

    /// The folder holding `<name>.body` and `<name>.meta` for every URL feed.
    public let cacheFolder: String
    /// How long one fetch may take.
    public var timeout: TimeInterval = 60

    /// An updater caching into `cacheFolder`.
    public init(cacheFolder: String) {
        self.cacheFolder = cacheFolder
    }

    /// Where a feed's last fetched body is kept.
    public func bodyPath(_ feed: FeedConfig.Feed) -> String { (cacheFolder as NSString).appendingPathComponent(feed.name + ".body") }
    func metaPath(_ feed: FeedConfig.Feed) -> String { (cacheFolder as NSString).appendingPathComponent(feed.name + ".meta") }

    /// Fetches one feed (a no-op for local ones).
    public func update(_ feed: FeedConfig.Feed) -> Outcome {
        guard let urlText = feed.url, let url = URL(string: urlText) else { return .local }
        do {
            try FileManager.default.createDirectory(atPath: cacheFolder, withIntermediateDirectories: true)
        } catch {
            return .failed("cannot create \(cacheFolder): \(error.localizedDescription)")
        }
        var previous: Validators? = nil
        if FileManager.default.fileExists(atPath: bodyPath(feed)), let d = FileManager.default.contents(atPath: metaPath(feed)),
           let v = try? JSONDecoder().decode(Validators.self, from: d), v.url == urlText {
            previous = v
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.setValue("dnsight/\(DNSightVersion.current)", forHTTPHeaderField: "User-Agent")
        if let e = previous?.etag { request.setValue(e, forHTTPHeaderField: "If-None-Match") }
        if let m = previous?.lastModified { request.setValue(m, forHTTPHeaderField: "If-Modified-Since") }
        let (data, response, error) = Self.perform(request, timeout: timeout)
        if let error { return .failed(error) }
        guard let http = response as? HTTPURLResponse else { return .failed("no HTTP response") }
        switch http.statusCode {
        case 304:
            return previous == nil ? .failed("304 Not Modified without a cached copy") : .notModified
        case 200:
            let body = data ?? Data()
            do {
                try body.write(to: URL(fileURLWithPath: bodyPath(feed)), options: .atomic)
                let v = Validators(url: urlText, etag: http.value(forHTTPHeaderField: "ETag"),
                                   lastModified: http.value(forHTTPHeaderField: "Last-Modified"), fetched: Date().timeIntervalSince1970)
                try JSONEncoder().encode(v).write(to: URL(fileURLWithPath: metaPath(feed)), options: .atomic)
            } catch {
                return .failed("cannot store the body: \(error.localizedDescription)")
            }
            return .fetched(bytes: body.count)
        default:
            return .failed("HTTP \(http.statusCode)")
        }
    }

    /// Runs one request to completion (the CLI is synchronous).
    static func perform(_ request: URLRequest, timeout: TimeInterval) -> (Data?, URLResponse?, String?) {
        final class Box: @unchecked Sendable {
            // Written once by the completion handler before the semaphore is signalled, read after the wait.
            var data: Data?, response: URLResponse?, error: String?
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let config = URLSessionConfiguration.ephemeral
        config.urlCache = nil
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        config.timeoutIntervalForRequest = timeout
        let session = URLSession(configuration: config)
        let task = session.dataTask(with: request) { d, r, e in
            box.data = d
            box.response = r
            box.error = e.map { $0.localizedDescription }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout + 5) == .timedOut {
            task.cancel()
            session.invalidateAndCancel()
            return (nil, nil, "timed out")
        }
        session.finishTasksAndInvalidate()
        return (box.data, box.response, box.error)
    }
}
