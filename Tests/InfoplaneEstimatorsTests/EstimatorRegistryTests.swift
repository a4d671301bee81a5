import Foundation
import Testing
@testable import InfoplaneEstimators

/// The one estimator vocabulary: command-line spellings, stored names and the dispatch.
@Suite struct EstimatorRegistryTests {
    @Test func everyCommandLineSpellingStillNamesItsEstimator() {
        let expected: [String: (EstimatorName, InformationQuantity)] = [
            "ksg1": (.ksg1, .mutualInformation), "ksg2": (.ksg2, .mutualInformation),
            "kl-entropy": (.kozachenkoLeonenko, .entropy), "mixed": (.mixed, .mutualInformation),
            "binning-mi": (.binning, .mutualInformation), "binning-entropy": (.binning, .entropy),
            "dse": (.dse, .entropy), "dsmi": (.dsmi, .mutualInformation),
            "renyi-entropy": (.renyi, .entropy), "renyi-mi": (.renyi, .mutualInformation),
            "gaussian-mi": (.gaussian, .mutualInformation),
        ]
        #expect(EstimatorCommand.all.map(\.name) == [
            "ksg1", "ksg2", "kl-entropy", "mixed", "binning-mi", "binning-entropy", "dse", "dsmi", "renyi-entropy",
            "renyi-mi", "gaussian-mi",
        ])
        for (name, (estimator, quantity)) in expected {
            let command = EstimatorCommand(name: name)
            #expect(command?.estimator == estimator && command?.quantity == quantity, "\(name)")
        }
        #expect(EstimatorCommand(name: "binning") == nil)
        #expect(EstimatorCommand(name: "binning_ixt") == nil)
    }

    @Test func storedNamesAreTheRawValues() throws {
        #expect([EstimatorName.binning, .ksg1, .mixed, .dse, .dsmi].map(\.rawValue) == ["binning", "ksg1", "mixed", "dse", "dsmi"])
        #expect([EstimatorName.pca, .fixedKernelSigma, .medianHeuristic].map(\.rawValue) == ["pca", "fixed", "median_heuristic"])
        let json = try JSONEncoder().encode([EstimatorName.binning, .dsmi])
        #expect(String(decoding: json, as: UTF8.self) == #"["binning","dsmi"]"#)
        #expect(try JSONDecoder().decode([EstimatorName].self, from: Data(#"["mixed","later"]"#.utf8))
            == [.mixed, EstimatorName("later")])
    }

    @Test func secondInputsFollowTheQuantity() {
        func second(_ name: String) -> EstimatorCommand.SecondInput? { EstimatorCommand(name: name)?.secondInput }
        #expect(second("binning-entropy") == EstimatorCommand.SecondInput.none)
        #expect(second("binning-mi") == .labels)
        #expect(second("mixed") == .labels)
        #expect(second("dsmi") == .yOrLabels)
        #expect(second("ksg1") == .y && second("renyi-mi") == .y && second("gaussian-mi") == .y)
        #expect(second("dse") == EstimatorCommand.SecondInput.none && second("kl-entropy") == EstimatorCommand.SecondInput.none)
    }

    @Test func theDispatchRunsWhatTheEstimatorsCompute() throws {
        var rng = SeededGenerator(seed: 7)
        let x = try Matrix((0..<200).map { _ in [Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng)] })
        let y = try Matrix((0..<200).map { i in [x[i, 0] + 0.1 * Double.random(in: -1...1, using: &rng)] })
        let labels = (0..<200).map { x[$0, 0] > 0 ? 1 : 0 }
        var p = EstimatorParameters()
        p.bins = 8
        #expect(try EstimatorName.binning.estimate(.entropy, x: x, parameters: p, units: .bits)
            == BinningEstimator(bins: 8).entropy(x, units: .bits))
        #expect(try EstimatorName.binning.estimate(.mutualInformation, x: x, labels: labels, parameters: p)
            == BinningEstimator(bins: 8).mutualInformation(x, labels: labels))
        #expect(try EstimatorName.ksg1.estimate(.mutualInformation, x: x, y: y, parameters: p)
            == KSGEstimator(k: 3, algorithm: .one).mutualInformation(x: x, y: y))
        #expect(try EstimatorName.mixed.estimate(.mutualInformation, x: x, labels: labels, parameters: p, units: .bits)
            == MixedKSGEstimator(k: 3).mutualInformation(x: x, labels: labels, units: .bits))
        #expect(try EstimatorName.dse.estimate(.entropy, x: x, parameters: p) == DiffusionSpectralEntropy().entropy(x))
    }

    @Test func unknownOrMismatchedEstimatesThrow() {
        let x = try! Matrix([[0.0], [1.0], [2.0], [3.0], [4.0]])
        #expect(throws: EstimatorError.self) { try EstimatorName("later").estimate(.entropy, x: x) }
        #expect(throws: EstimatorError.self) { try EstimatorName.dse.estimate(.mutualInformation, x: x) }
        #expect(throws: EstimatorError.self) { try EstimatorName.mixed.estimate(.mutualInformation, x: x) }  // no labels
    }
}
