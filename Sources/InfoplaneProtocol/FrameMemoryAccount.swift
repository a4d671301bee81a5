/// Where a frame assembler charges the memory of frames that are still arriving.
///
/// `LengthPrefixedFrameAssembler` reserves a frame's whole announced length before it
/// allocates the frame's buffer (so an allocation never outruns the budget), and releases
/// it when the frame is complete and handed on, or discarded with its connection. The
/// server's implementation counts the bytes per connection, per run and in total and
/// refuses a reservation that would pass a budget; the reservation's error names which.
public protocol FrameMemoryAccount: AnyObject, Sendable {
    /// Reserves `bytes` for a frame about to be assembled, or throws
    /// `FramingError.memoryBudgetExceeded` saying which budget it would pass.
    func reserve(_ bytes: Int) throws(FramingError)
    /// Returns bytes reserved earlier.
    func release(_ bytes: Int)
}
