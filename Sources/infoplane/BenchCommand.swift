import ArgumentParser

/// `infoplane bench …`: benchmarks that print their figures. Add new ones as subcommands.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run benchmarks and print their figures.",
        subcommands: [BenchEstimatorsCommand.self, BenchPipelineCommand.self, BenchIngestCommand.self, BenchLayersCommand.self,
                      BenchPCACommand.self]
    )
}
