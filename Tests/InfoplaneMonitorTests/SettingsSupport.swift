/// `value` with `change` applied: settings with a few fields off their defaults.
func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var value = value
    change(&value)
    return value
}
