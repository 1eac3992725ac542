"""Image rules: the checker, its checks and pixel statistics, whole-set rules, the repair."""
