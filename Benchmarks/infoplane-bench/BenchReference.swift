import ArgumentParser
import Foundation
import InfoplaneEstimators

/// The options of the benchmarks that compare against the Python references
/// (Benchmarks/reference_estimators.py): which interpreter, which script, or none at all.
struct ReferenceOptions: ParsableArguments {
    @Option(help: "Python interpreter for the references.") var python = "python3"
    @Option(help: "Reference script.") var reference = "Benchmarks/reference_estimators.py"
    @Flag(help: "Skip the Python references.") var noReference = false

    /// Runs the reference script with `arguments` and decodes the JSON object of its last
    /// output line, or returns nil (with a note on stderr) when it fails or prints nothing
    /// `decode` accepts; nil without running anything when `--no-reference` is set.
    func call<T>(_ arguments: [String], decode: ([String: Any]) -> T?) throws -> T? {
        guard !noReference else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, reference] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let decoded = decode(object) else {
            FileHandle.standardError.write(Data("bench: reference \(arguments.first ?? "") failed (status \(process.terminationStatus))\n".utf8))
            return nil
        }
        return decoded
    }
}

/// A scratch directory for the arrays handed to the references, removed afterwards.
struct BenchScratch {
    let directory: URL

    static func with<T>(_ name: String, _ body: (BenchScratch) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(BenchScratch(directory: directory))
    }

    /// Writes `matrix` as `name`.npy and returns its path.
    func write(_ matrix: Matrix, _ name: String) throws -> String {
        let path = directory.appendingPathComponent("\(name).npy").path
        try NumpyArrayWriter.write(values: matrix.storage, shape: [matrix.rows, matrix.columns], to: path)
        return path
    }
}

/// Prints `object` as one line of sorted-key JSON.
func printJSONLine(_ object: [String: Any]) {
    if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
        print(String(decoding: data, as: UTF8.self))
    }
}
