enum DashboardScript { static let javascript = "" }
