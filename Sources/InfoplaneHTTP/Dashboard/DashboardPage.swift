/// The dashboard's HTML shell; `DashboardScript` fills it from the API.
enum DashboardPage {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Infoplane</title>
    <link rel="stylesheet" href="/dashboard.css">
    </head>
    <body>
    <header>
      <h1>Infoplane</h1>
      <label>Run <select id="run-picker"></select></label>
      <label>Estimators <select id="pairing-picker"></select></label>
      <span id="live-status" class="status">connecting…</span>
      <span id="estimation-lag" class="status" title="newest received step minus newest estimated step; frames waiting for the estimators"></span>
    </header>
    <main>
      <section class="panel wide">
        <h2>Information plane <small id="plane-caption"></small></h2>
        <div id="infoplane-chart" class="chart"></div>
        <div id="step-legend" class="legend"></div>
      </section>
      <section class="panel">
        <h2>I(X;T) over steps</h2>
        <div id="series-ixt" class="chart small" data-metric="I(X;T)"></div>
      </section>
      <section class="panel">
        <h2>I(T;Y) over steps</h2>
        <div id="series-ity" class="chart small" data-metric="I(T;Y)"></div>
      </section>
      <section class="panel">
        <h2>DSE(T) over steps</h2>
        <div id="series-dse" class="chart small" data-metric="DSE(T)"></div>
      </section>
      <section class="panel">
        <h2>Scalars</h2>
        <div id="scalars-chart" class="chart small"></div>
      </section>
      <section class="panel wide">
        <h2>Alerts</h2>
        <ul id="alert-list"></ul>
      </section>
    </main>
    <script src="/dashboard.js"></script>
    </body>
    </html>
    """#
}
