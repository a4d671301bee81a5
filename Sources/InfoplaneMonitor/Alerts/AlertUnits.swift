import Foundation

/// Helpers shared by the rules: absolute floors are configured in bits and compared in the
/// series' own unit; numbers in messages are printed the same way everywhere.
enum AlertUnits {
    /// `bits` expressed in `unit` (unchanged for a series that is not in an information unit).
    static func floor(bits: Double, in unit: SeriesUnit) -> Double {
        unit.express(bits, from: .bits)
    }

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }

    static func percent(_ fraction: Double) -> String { String(format: "%.1f %%", fraction * 100) }
}
