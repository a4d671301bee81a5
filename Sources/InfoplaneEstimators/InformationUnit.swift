import Foundation

/// The unit an information quantity is reported in. Estimators compute in nats unless
/// their reference reports bits (DSE, binning as in Shwartz-Ziv & Tishby).
public enum InformationUnit: String, Sendable, Codable, CaseIterable {
    case nats, bits

    /// Converts `value`, expressed in `self`, to `target`.
    public func convert(_ value: Double, to target: InformationUnit) -> Double {
        switch (self, target) {
        case (.nats, .bits): return value / M_LN2
        case (.bits, .nats): return value * M_LN2
        default: return value
        }
    }
}
