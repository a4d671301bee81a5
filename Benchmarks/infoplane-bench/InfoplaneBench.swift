import ArgumentParser

/// `infoplane-bench …`: benchmarks that print their figures, one subcommand each. Built with
/// the package but not one of its products: nothing installs it.
@main
struct InfoplaneBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infoplane-bench",
        abstract: "Run benchmarks and print their figures.",
        subcommands: [BenchEstimatorsCommand.self, BenchPipelineCommand.self, BenchIngestCommand.self, BenchLayersCommand.self,
                      BenchPCACommand.self]
    )
}
