"""Trade statistics, green trade, release times and mirror statistics, computed from the
declarations themselves (read-only: through ``smartcustoms.declarations.queries``).

- ``model``: periods, dimensions, results; growth, shares, percentiles (pure)
- ``levels``: roll-up levels of the trade cells and which one answers a query
- ``tables`` / ``repository``: the derived trade cells, refresh state, named periods,
  publications
- ``refresh``: keeps the trade cells current from the declarations' change log
- ``periods``: named periods (built-in and per economy), period texts
- ``service``: trade figures by a dimension, growth, period against period
- ``green``: environmental goods trade and the tariff-cap check
- ``release``: release times (WCO Time Release Study method)
- ``mirror``: A's exports to B against B's imports from A
- ``publish``: public aggregates with small-cell suppression
- ``export`` / ``report``: CSV/XLSX/SDMX-CSV, the period report
"""
