/// Which training scalars the alert rules read, by name (case-insensitive):
/// - training loss: `loss` in a TRAIN record, or `train_loss` in any record;
/// - validation loss: `loss` in a VALIDATION record, or `val_loss` / `validation_loss` in any;
/// - training accuracy: `accuracy` / `acc` in a TRAIN record, or `train_accuracy` / `train_acc` in any.
enum ScalarNames {
    enum Quantity: Sendable, Hashable { case trainLoss, validationLoss, trainAccuracy }

    static func quantities(in record: ScalarRecord) -> [(Quantity, Double)] {
        var found: [Quantity: Double] = [:]
        for (name, value) in record.values where value.isFinite {
            if let q = quantity(named: name.lowercased(), split: record.split) { found[q] = value }
        }
        return found.sorted { "\($0.key)" < "\($1.key)" }.map { ($0.key, $0.value) }
    }

    static func quantity(named name: String, split: ProbeSplit) -> Quantity? {
        switch name {
        case "train_loss": return .trainLoss
        case "val_loss", "validation_loss": return .validationLoss
        case "train_accuracy", "train_acc": return .trainAccuracy
        case "loss":
            switch split {
            case .train: return .trainLoss
            case .validation: return .validationLoss
            case .probe: return nil
            }
        case "accuracy", "acc": return split == .train ? .trainAccuracy : nil
        default: return nil
        }
    }
}
