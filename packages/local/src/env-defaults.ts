// Local defaults for Powertools, imported before anything that creates a Logger or Metrics.
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
