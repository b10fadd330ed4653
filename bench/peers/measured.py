#!/usr/bin/env python3
"""Runs a command and prints one JSON line: its wall seconds and peak resident set (the child's ru_maxrss).

Usage: measured.py OUTPUT_FILE COMMAND [ARGS...]; the command's stdout and stderr go to OUTPUT_FILE.
"""
import json
import resource
import subprocess
import sys
import time

output, command = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
with open(output, "w") as log:
    status = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT).returncode
seconds = time.perf_counter() - start
# Linux reports ru_maxrss in kilobytes.
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"command": " ".join(command), "exit_code": status, "wall_seconds": seconds, "peak_rss_bytes": peak}))
sys.exit(status)
