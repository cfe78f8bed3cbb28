"""Operating newsdigest: the health, readiness and Prometheus metrics endpoint and the metrics it serves."""
