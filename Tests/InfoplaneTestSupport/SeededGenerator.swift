import Foundation

/// A deterministic random source, SplitMix64 (Steele, Lea & Flood 2014): small, fast and
/// the same on every machine. Same seed, same frames (the scenarios) and the same inputs
/// (the fuzz test).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// The generator of `stream` of a seed (for example input number `stream` of a fuzz
    /// campaign): independent of every other stream, reproducible alone.
    public init(seed: UInt64, stream: UInt64) {
        state = seed
        state = next() ^ (stream &* 0xD1B5_4A32_D192_ED03)
        _ = next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal (Box–Muller).
    public mutating func gaussian() -> Double {
        let u = max(uniform(), 1e-300)
        let v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    /// Uniform in 0..<n (n > 0), by multiply-high (Lemire; the slight bias does not matter
    /// for tests).
    public mutating func below(_ n: Int) -> Int { Int(next().multipliedFullWidth(by: UInt64(n)).high) }
    public mutating func percent(_ p: Int) -> Bool { below(100) < p }
    public mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
}
