"""The stages of extraction, each a component over one :class:`sitroom.model.Analysis`: places and
their geocoding, dates, event triggers, actors, numbers and counts, speakers, and the assembly of
events, figures, claims, agreements and quality flags (``statements``). ``default`` registers them
as components (what each requires and assigns) and gives their order; ``sitroom.pipeline`` runs
them."""
