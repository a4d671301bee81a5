/// One layer of one run: the unit compression bases and running bin ranges are kept per.
public struct LayerKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var run: String
    public var layer: String

    public init(run: String, layer: String) {
        self.run = run
        self.layer = layer
    }

    public static func < (a: LayerKey, b: LayerKey) -> Bool { (a.run, a.layer) < (b.run, b.layer) }
    public var description: String { "\(run)/\(layer)" }
}
