import ArgumentParser

/// `infoplane`: the command-line tool.
@main
struct Infoplane: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infoplane",
        abstract: "Talk to the Infoplane daemon and run its estimators offline.",
        subcommands: InfoplaneSubcommands.all
    )
}
