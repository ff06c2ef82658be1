"""The demo (`make demo`) and the benchmarks (`make bench`)."""
