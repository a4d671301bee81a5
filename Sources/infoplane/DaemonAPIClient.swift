import ArgumentParser
import Foundation
import InfoplaneAPI
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `--endpoint`, shared by the subcommands that talk to the daemon's HTTP API.
struct EndpointOptions: ParsableArguments {
    @Option(help: "The daemon's HTTP API (its [http] listen address).")
    var endpoint = "http://127.0.0.1:7412"

    var client: DaemonAPIClient { DaemonAPIClient(endpoint: endpoint) }
}

/// What can go wrong talking to the daemon, each with a message that says what to do.
enum DaemonAPIError: Error, CustomStringConvertible {
    case unreachable(endpoint: String, reason: String)
    case http(status: Int, message: String)
    case badResponse(String)

    var description: String {
        switch self {
        case let .unreachable(endpoint, reason):
            return "cannot reach infoplaned at \(endpoint) (\(reason)); start it with `infoplaned` (or `systemctl start infoplaned`), or point --endpoint at its [http] listen address"
        case let .http(status, message): return "the daemon answered \(status): \(message)"
        case let .badResponse(message): return "unexpected answer from the daemon: \(message)"
        }
    }
}

/// A small client of the daemon's HTTP API (FoundationNetworking, no extra dependency).
struct DaemonAPIClient: Sendable {
    let endpoint: String

    func url(_ path: String, query: [(String, String?)] = []) throws -> URL {
        var base = endpoint
        while base.hasSuffix("/") { base.removeLast() }
        guard var components = URLComponents(string: base + path) else { throw DaemonAPIError.badResponse("bad endpoint \(endpoint)") }
        let items = query.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        if !items.isEmpty { components.queryItems = items }
        // ';' and '+' are legal in a query but mean something to some servers: encode them.
        components.percentEncodedQuery = components.percentEncodedQuery?
            .replacingOccurrences(of: ";", with: "%3B").replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.url else { throw DaemonAPIError.badResponse("bad URL for \(path)") }
        return url
    }

    /// GETs `path` and returns the body; non-2xx answers become `.http` with the API's message.
    func get(_ path: String, query: [(String, String?)] = []) async throws -> Data {
        var request = URLRequest(url: try url(path, query: query))
        request.timeoutInterval = 30
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await withCheckedThrowingContinuation { continuation in
                URLSession.shared.dataTask(with: request) { data, response, error in
                    if let error { continuation.resume(throwing: error); return }
                    continuation.resume(returning: (data ?? Data(), response!))
                }.resume()
            }
        } catch {
            throw DaemonAPIError.unreachable(endpoint: endpoint, reason: (error as NSError).localizedDescription)
        }
        guard let http = response as? HTTPURLResponse else { throw DaemonAPIError.badResponse("not HTTP") }
        guard (200..<300).contains(http.statusCode) else {
            let message = (try? APIJSON.decode(APIErrorBody.self, from: data))?.error.message
                ?? String(decoding: data.prefix(300), as: UTF8.self)
            throw DaemonAPIError.http(status: http.statusCode, message: message)
        }
        return data
    }

    /// GETs `path` and decodes its body, one of the API's models (`InfoplaneAPI`).
    func get<T: Decodable>(_ type: T.Type, _ path: String, query: [(String, String?)] = []) async throws -> T {
        let data = try await get(path, query: query)
        do {
            return try APIJSON.decode(T.self, from: data)
        } catch {
            throw DaemonAPIError.badResponse("\(path): \(error)")
        }
    }

    static func runPath(_ run: String) -> String {
        "/v1/runs/" + (run.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? run)
    }
}

/// `--endpoint` and `--json`, for the subcommands that print one route.
struct RouteReportOptions: ParsableArguments {
    @OptionGroup var endpoint: EndpointOptions

    @Flag(help: "Print the raw JSON.")
    var json = false
}

/// A subcommand that GETs one route and prints it readably, or as the raw JSON with `--json`.
protocol RouteReportCommand: AsyncParsableCommand {
    associatedtype Body: Decodable
    /// The route, e.g. `/healthz`.
    static var path: String { get }
    var options: RouteReportOptions { get }
    /// Prints the decoded body readably.
    func report(_ body: Body)
}

extension RouteReportCommand {
    func run() async throws {
        try await reportingDaemonErrors {
            let client = options.endpoint.client
            if options.json {
                print(String(decoding: try await client.get(Self.path), as: UTF8.self))
            } else {
                report(try await client.get(Body.self, Self.path))
            }
        }
    }
}

/// Runs a subcommand body, turning API errors into one line on stderr and exit code 1.
func reportingDaemonErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as DaemonAPIError {
        FileHandle.standardError.write(Data("infoplane: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
