import Foundation

/// Helpers shared by the rules: absolute floors are configured in bits and compared in the
/// series' own units; numbers in messages are printed the same way everywhere.
enum AlertUnits {
    /// `bits` expressed in `units` ("nats" converts; anything else is taken as bits).
    static func floor(bits: Double, in units: String) -> Double {
        units == "nats" ? bits * M_LN2 : bits
    }

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }

    static func percent(_ fraction: Double) -> String { String(format: "%.1f %%", fraction * 100) }
}
