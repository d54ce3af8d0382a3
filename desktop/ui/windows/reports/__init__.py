"""Report windows: table models (:mod:`.models`), charts (:mod:`.charts`), the
Utilization dashboard (:mod:`.utilization`), the Profitability view
(:mod:`.profitability`) and the window holding both (:mod:`.window`)."""
