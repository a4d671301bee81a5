import Foundation
import Testing
@testable import InfoplaneEstimators

/// One case of a reference fixture file written by Scripts/reference/make_fixtures.py.
struct FixtureCase: Decodable, Sendable, CustomTestStringConvertible {
    struct Params: Decodable, Sendable {
        var k: Int?
        var sigma: Double?
        var t: Int?
        var alpha: Double?
        var bins: Int?
        var binning: String?
        var range: [Double]?
        var metric: String?
        var standardize: Bool?
    }
    var name: String
    var estimator: String
    var params: Params
    var x: [[Double]]
    var y: [[Double]]?
    var labels: [Int]?
    var subset_indices: [String: [[Int]]]?
    var expected: Double
    var units: String
    var tolerance_rel: Double
    var file: String?

    var testDescription: String { name }

    /// Runs the case through the same entry point as `infoplane estimate`.
    func evaluate() throws -> Double {
        guard let kind = EstimatorCommand(name: estimator) else { throw EstimatorError.invalidParameter("unknown estimator \(estimator)") }
        var p = EstimatorParameters()
        if let k = params.k { p.k = k }
        if let metric = params.metric { p.metric = metric == "euclidean" ? .euclidean : .maximum }
        p.standardization = params.standardize == true ? .scaleByStandardDeviation : .none
        p.tieBreaking = .none  // the references are jitter-free on tie-free data
        if let bins = params.bins { p.bins = bins }
        switch params.binning {
        case "observed": p.binning = .observed
        case "adaptive": p.binning = .adaptive
        case "fixed":
            let range = params.range ?? [-1, 1]
            p.binning = .fixed(lower: range[0], upper: range[1])
        default: break
        }
        if let sigma = params.sigma { p.diffusion.sigma = sigma; p.renyiSigma = sigma }
        if let t = params.t { p.diffusion.t = t }
        if let alpha = params.alpha { p.alpha = alpha }
        if let subsets = subset_indices {
            p.subsets = Dictionary(uniqueKeysWithValues: subsets.map { (Int($0.key)!, $0.value) })
        }
        let estimate = try kind.estimate(x: try Matrix(x), y: try y.map { try Matrix($0) }, labels: labels,
                                         parameters: p, units: units == "bits" ? .bits : .nats)
        return estimate.value
    }
}

struct FixtureFile: Decodable {
    var generator: String
    var seed: Int
    var cases: [FixtureCase]
}

enum Fixtures {
    static let directory: URL? = Bundle.module.url(forResource: "Fixtures", withExtension: nil)

    static let files: [URL] = {
        guard let directory else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { directory.appendingPathComponent($0) }
    }()

    static let cases: [FixtureCase] = files.flatMap { url -> [FixtureCase] in
        guard let data = try? Data(contentsOf: url),
              let file = try? JSONDecoder().decode(FixtureFile.self, from: data) else {
            // An unreadable file becomes a failing case rather than silently nothing.
            return [FixtureCase(name: "unreadable \(url.lastPathComponent)", estimator: "unreadable", params: .init(),
                                x: [], expected: 0, units: "nats", tolerance_rel: 0, file: url.lastPathComponent)]
        }
        return file.cases.map { var c = $0; c.file = url.lastPathComponent; return c }
    }
}

@Test func fixtureFilesArePresent() {
    #expect(Fixtures.files.count >= 10, "expected the reference fixtures in Tests/InfoplaneEstimatorsTests/Fixtures (make fixtures)")
    #expect(Fixtures.cases.count >= 50)
}

/// Every case of every fixture file within its stated relative tolerance (1e-9 for the
/// kNN estimators on tie-free data, 1e-6 for DSE/DSMI, 1e-12 binning, 1e-8 Rényi).
@Test(arguments: Fixtures.cases)
func matchesTheReference(_ fixture: FixtureCase) throws {
    let value = try fixture.evaluate()
    let relative = abs(value - fixture.expected) / max(abs(fixture.expected), 1e-300)
    #expect(relative <= fixture.tolerance_rel,
            "\(fixture.file ?? "") \(fixture.name): got \(value), expected \(fixture.expected) (relative \(relative))")
}
