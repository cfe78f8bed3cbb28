"""Local stand-ins for chat platforms, shipped so tests and benchmarks run without a network."""
