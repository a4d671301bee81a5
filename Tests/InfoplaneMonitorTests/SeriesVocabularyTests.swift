import Foundation
import InfoplaneEstimators
import Testing
@testable import InfoplaneMonitor

/// The series vocabulary: names at the edges, types inside.
@Suite struct SeriesVocabularyTests {
    @Test func configurationNamesAreMetricEstimatorPairs() throws {
        let expected: [(String, Metric, EstimatorName, InformationQuantity)] = [
            ("binning_ixt", .inputInformation, .binning, .entropy),
            ("binning_ity", .labelInformation, .binning, .mutualInformation),
            ("ksg_ixt", .inputInformation, .ksg1, .mutualInformation),
            ("mixed_ity", .labelInformation, .mixed, .mutualInformation),
            ("dse", .diffusionSpectralEntropy, .dse, .entropy),
            ("dsmi", .labelInformation, .dsmi, .mutualInformation),
        ]
        #expect(PipelineEstimate.allCases.map(\.rawValue) == expected.map(\.0))
        for (name, metric, estimator, quantity) in expected {
            let estimate = try #require(PipelineEstimate(rawValue: name))
            #expect(estimate.metric == metric && estimate.estimator == estimator && estimate.quantity == quantity)
        }
        #expect(PipelineEstimate(rawValue: "binning") == nil)
        #expect(PipelineEstimate.ksgInputInformation.needsInputs && !PipelineEstimate.binningInputInformation.needsInputs)
        #expect(PipelineEstimate.allCases.filter(\.needsLabels) == [.binningLabelInformation, .mixedLabelInformation,
                                                                     .diffusionSpectralMutualInformation])
        #expect(PipelineEstimate.allCases.filter(\.usesKernel) == [.diffusionSpectralEntropy, .diffusionSpectralMutualInformation])
    }

    @Test func configurationDecodesTheConfiguredNames() throws {
        let json = #"{"estimators": ["dse", "binning_ixt", "mixed_ity"], "units": "nats"}"#
        let c = try ConfigurationCoding.decode(from: Data(json.utf8), over: EstimationConfiguration())
        #expect(c.estimators == [.diffusionSpectralEntropy, .binningInputInformation, .mixedLabelInformation])
        #expect(c.units == .nats)
        #expect(throws: DecodingError.self) {
            try ConfigurationCoding.decode(from: Data(#"{"estimators": ["binning-mi"]}"#.utf8),
                                           over: EstimationConfiguration())
        }
        let encoded = try JSONEncoder().encode([PipelineEstimate.ksgInputInformation])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["ksg_ixt"]"#)
    }

    @Test func metricsKeepTheirStoredSpelling() throws {
        #expect([Metric.inputInformation, .labelInformation, .diffusionSpectralEntropy].map(\.rawValue)
            == ["I(X;T)", "I(T;Y)", "DSE(T)"])
        #expect([Metric.explainedVariance, .kernelSigma].map(\.rawValue) == ["explained_variance", "dse_sigma"])
        #expect(String(decoding: try JSONEncoder().encode(Metric.labelInformation), as: UTF8.self) == #""I(T;Y)""#)
    }

    @Test func seriesIdentityEncodesAsTheOldSeriesKey() throws {
        let id = SeriesID(run: "r", layer: "L5", split: .probe, metric: .inputInformation, estimator: .binning)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(id), as: UTF8.self)
        #expect(json == #"{"estimator":"binning","layer":"L5","metric":"I(X;T)","run":"r","split":"probe"}"#)
        #expect(try JSONDecoder().decode(SeriesID.self, from: Data(json.utf8)) == id)
        #expect(id.layerKey == LayerKey(run: "r", layer: "L5"))
        #expect(id.label == "L5 (probe, binning)")
    }

    @Test func unitsAreNamedOnlyAtTheEdges() throws {
        for unit in [SeriesUnit.nats, .bits, .fraction, .data] {
            #expect(SeriesUnit(rawValue: unit.rawValue) == unit)
            let json = try JSONEncoder().encode(unit)
            #expect(try JSONDecoder().decode(SeriesUnit.self, from: json) == unit)
        }
        #expect(SeriesUnit.nats.rawValue == "nats" && SeriesUnit.bits.rawValue == "bits")
        #expect(SeriesUnit(rawValue: "furlongs") == nil)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SeriesUnit.self, from: Data(#""furlongs""#.utf8)) }
        #expect(SeriesUnit.nats.information == .nats && SeriesUnit.fraction.information == nil)
        #expect(SeriesUnit.nats.express(1, from: .bits) == M_LN2)
        #expect(SeriesUnit.bits.express(1, from: .bits) == 1)
        #expect(SeriesUnit.data.express(2, from: .bits) == 2)
        // Alert floors are configured in bits and compared in the series' unit.
        #expect(AlertUnits.floor(bits: 0.1, in: .nats) == 0.1 * M_LN2)
        #expect(AlertUnits.floor(bits: 0.1, in: .bits) == 0.1)
        #expect(AlertUnits.floor(bits: 0.1, in: .fraction) == 0.1)
    }

    @Test func flagsHaveStableBitsAndNames() {
        #expect(SeriesPointFlags.partialFrame.rawValue == 1)
        #expect([SeriesPointFlags.saturated, .fewSamples, .lowerBound].map(\.rawValue) == [2, 4, 8])
        #expect(SeriesPointFlags([.lowerBound, .partialFrame]).names == ["partial_frame", "lower_bound"])
        #expect(SeriesPointFlags().names.isEmpty)
        let p = SeriesPoint(series: SeriesID(run: "r", layer: "L", split: .train, metric: .inputInformation, estimator: .binning),
                            step: 1, value: 1, unit: .bits, sampleCount: 2, dimension: 1, seconds: 0, flags: .partialFrame)
        #expect(p.isPartial && p.run == "r" && p.layer == "L" && p.metric == .inputInformation && p.estimator == .binning)
    }
}
