import ArgumentParser

/// Every subcommand of `infoplane`, one file each. Add yours here.
enum InfoplaneSubcommands {
    static let all: [any ParsableCommand.Type] = [
        VersionCommand.self,
        EstimateCommand.self,
        StatusCommand.self,
        RunsCommand.self,
        SeriesCommand.self,
        AlertsCommand.self,
        PlotCommand.self,
    ]
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")
    func run() { print(InfoplaneVersion.string) }
}

enum InfoplaneVersion {
    static let string = "0.1.0"
}
