"""Pages of the insights app under /insights/: hotspots, pivot, drill-down, early
warnings, warning notices, problems and the keyword dictionary."""
