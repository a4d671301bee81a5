import Foundation

/// CPython's `random.Random` (MT19937, seeded from an integer as `random.seed(n)` does)
/// with its `sample(range(n), k)`, so that subsets drawn by reference code that uses
/// Python's `random` (the dse-dsmi package's DSMI subsets and DSE subsampling) can be
/// reproduced exactly. Follows CPython 3.11 `Modules/_randommodule.c` and `Lib/random.py`.
public struct PythonRandom: Sendable {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 625

    /// `random.seed(seed)` for a non-negative integer seed.
    public init(seed: UInt64) {
        var key: [UInt32] = []
        var n = seed
        repeat {
            key.append(UInt32(truncatingIfNeeded: n))
            n >>= 32
        } while n > 0
        initByArray(key)
    }

    private mutating func initGenrand(_ s: UInt32) {
        state[0] = s
        for i in 1..<624 {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
        index = 624
    }

    private mutating func initByArray(_ key: [UInt32]) {
        initGenrand(19_650_218)
        var i = 1, j = 0
        for _ in 0..<max(624, key.count) {
            state[i] = (state[i] ^ ((state[i - 1] ^ (state[i - 1] >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(j)
            i += 1; j += 1
            if i >= 624 { state[0] = state[623]; i = 1 }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<623 {
            state[i] = (state[i] ^ ((state[i - 1] ^ (state[i - 1] >> 30)) &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= 624 { state[0] = state[623]; i = 1 }
        }
        state[0] = 0x8000_0000
    }

    /// genrand_uint32.
    public mutating func nextUInt32() -> UInt32 {
        if index >= 624 {
            for k in 0..<624 {
                let y = (state[k] & 0x8000_0000) | (state[(k + 1) % 624] & 0x7FFF_FFFF)
                state[k] = state[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908_B0DF : 0)
            }
            index = 0
        }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// `_randbelow_with_getrandbits(n)` for 1 ≤ n < 2³².
    public mutating func randomBelow(_ n: Int) -> Int {
        precondition(n >= 1 && n <= Int(UInt32.max))
        let bits = Int.bitWidth - n.leadingZeroBitCount  // n.bit_length()
        while true {
            let r = Int(nextUInt32() >> UInt32(32 - bits))
            if r < n { return r }
        }
    }

    /// `random.sample(range(n), k)`, in draw order.
    public mutating func sample(from n: Int, count k: Int) -> [Int] {
        precondition(k >= 0 && k <= n)
        var setSize = 21
        if k > 5 {
            setSize += Int(pow(4.0, ceil(log(Double(k * 3)) / log(4.0))))
        }
        var result = [Int](repeating: 0, count: k)
        if n <= setSize {
            var pool = Array(0..<n)
            for i in 0..<k {
                let j = randomBelow(n - i)
                result[i] = pool[j]
                pool[j] = pool[n - i - 1]
            }
        } else {
            var selected = Set<Int>()
            for i in 0..<k {
                var j = randomBelow(n)
                while selected.contains(j) { j = randomBelow(n) }
                selected.insert(j)
                result[i] = j
            }
        }
        return result
    }
}
