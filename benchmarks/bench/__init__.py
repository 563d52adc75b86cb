"""The parts of the daemon-mode bench (benchmarks/daemon_mode.py): hosts, load, measurement, targets, report."""
