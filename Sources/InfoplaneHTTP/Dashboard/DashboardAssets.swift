/// The dashboard's files, served from the binary (no CDN, no network access needed).
enum DashboardAssets {
    static var page: String { DashboardPage.html }
    static var script: String { DashboardScript.javascript }
    static var style: String { DashboardStyle.css }
}
