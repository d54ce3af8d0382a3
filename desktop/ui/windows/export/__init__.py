"""The Export dialog (:mod:`.dialog`) and its preview table (:mod:`.model`)."""
