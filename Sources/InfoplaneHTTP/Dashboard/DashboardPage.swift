enum DashboardPage { static let html = "<html></html>" }
