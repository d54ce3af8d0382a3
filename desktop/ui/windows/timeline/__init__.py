"""The daily timeline: geometry (:mod:`.model`), graphics items (:mod:`.items`),
the plot (:mod:`.view`), the window (:mod:`.window`) and the offscreen PNG
renderer the CLI uses (:mod:`.render`)."""
