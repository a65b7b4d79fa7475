"""Request throughput and latency benchmarks (`make bench`, `python -m bench --help`)."""
