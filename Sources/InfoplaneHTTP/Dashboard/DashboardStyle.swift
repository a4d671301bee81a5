enum DashboardStyle { static let css = "" }
