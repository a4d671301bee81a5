/// The dashboard's style sheet.
enum DashboardStyle {
    static let css = #"""
    :root { --bg: #fafafa; --fg: #1d1d1f; --muted: #6e6e73; --panel: #ffffff; --line: #d2d2d7; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
    header { display: flex; gap: 1.5em; align-items: center; padding: 0.6em 1.2em; background: #1d1d1f; color: #f5f5f7; }
    header h1 { font-size: 1.2em; margin: 0 1em 0 0; }
    header select { margin-left: 0.4em; }
    .status { margin-left: auto; font-size: 0.9em; color: #a1a1a6; }
    .status.live { color: #30d158; }
    main { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 1em; padding: 1em; }
    .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 0.8em 1em; }
    .panel.wide { grid-column: 1 / -1; }
    h2 { font-size: 1em; margin: 0 0 0.5em; }
    h2 small { color: var(--muted); font-weight: normal; }
    .chart svg { width: 100%; height: auto; display: block; }
    .chart text { font-size: 11px; fill: var(--muted); }
    .chart .axis line, .chart .axis path { stroke: #86868b; }
    .chart .grid line { stroke: #ececf0; }
    .chart .empty { fill: var(--muted); font-size: 13px; }
    .legend { font-size: 12px; color: var(--muted); }
    #alert-list { list-style: none; margin: 0; padding: 0; max-height: 18em; overflow: auto; }
    #alert-list li { padding: 0.35em 0; border-bottom: 1px solid #f0f0f2; }
    #alert-list .kind { font-weight: 600; margin-right: 0.6em; }
    #alert-list .critical .kind { color: #d70015; }
    #alert-list .warning .kind { color: #c93400; }
    #alert-list .info .kind { color: #0071e3; }
    #alert-list .meta { color: var(--muted); font-size: 12px; margin-left: 0.6em; }
    """#
}
