import ArgumentParser
import Foundation
import InfoplaneAPI

/// `infoplane plot RUN --out FILE.svg`: the information plane as a static SVG.
struct PlotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plot", abstract: "Draw a run's information plane as SVG (GET /v1/runs/RUN/infoplane).")

    @OptionGroup var endpoint: EndpointOptions
    @Argument(help: "The run's name.") var run: String
    @Option(help: "The SVG file to write.") var out: String
    @Option(help: "Split: probe, train or validation (default: the first with estimates, probe first).") var split: String?
    @Option(help: "The I(X;T) estimator (default: the first pairing, binning first).") var xEstimator: String?
    @Option(help: "The I(T;Y) estimator.") var yEstimator: String?

    func run() async throws {
        try await reportingDaemonErrors {
            let plane = try await endpoint.client.get(APIInformationPlane.self, DaemonAPIClient.runPath(run) + "/infoplane",
                                                     query: [("split", split), ("x_estimator", xEstimator), ("y_estimator", yEstimator)])
            guard let pairing = plane.pairings.first else {
                throw DaemonAPIError.badResponse("run '\(run)' has no step with both I(X;T) and I(T;Y) estimated yet")
            }
            let svg = InformationPlaneSVG(run: plane.run, pairing: pairing).render()
            do {
                try Data(svg.utf8).write(to: URL(fileURLWithPath: out))
            } catch {
                FileHandle.standardError.write(Data("infoplane: cannot write \(out): \(error.localizedDescription)\n".utf8))
                throw ExitCode(1)
            }
            let points = pairing.layers.reduce(0) { $0 + $1.points.count }
            print("wrote \(out): \(pairing.layers.count) layers, \(points) points (\(pairing.xEstimator)/\(pairing.yEstimator), \(pairing.split))")
        }
    }
}
