#!/usr/bin/env python3
"""Summarises async-profiler's collapsed stacks (with thread names): CPU share per kind of thread, and for the
busiest kinds the frames (inclusive) that take the most of it and the packages its samples end in.

Usage: profile_summary.py <collapsed stacks file> [frames per kind, default 12]
"""
import collections
import re
import sys

path = sys.argv[1]
frames_per_kind = int(sys.argv[2]) if len(sys.argv) > 2 else 12
kinds = collections.Counter()
frames = collections.defaultdict(collections.Counter)
leaves = collections.defaultdict(collections.Counter)
total = 0
for line in open(path):
    stack, _, count = line.rstrip().rpartition(" ")
    if not count.isdigit():
        continue
    count = int(count)
    parts = stack.split(";")
    # "[deliver-receiver-1-3 tid=1234]" -> "deliver-receiver-N-N"
    kind = re.sub(r"\d+", "N", re.sub(r"\s*tid=\d+\]$", "", parts[0]).lstrip("["))
    total += count
    kinds[kind] += count
    for frame in set(parts[1:]):
        frames[kind][frame] += count
    leaf = parts[-1]
    leaves[kind]["kernel" if leaf.endswith("_[k]") else ".".join(re.split(r"[/.]", leaf)[:3])] += count
print(f"{total} samples")
for kind, count in kinds.most_common(12):
    print(f"{100 * count / total:5.1f}%  {kind}")
for kind, count in kinds.most_common(4):
    print(f"-- {kind}: frames with the most of its {count} samples")
    interesting = [(f, n) for f, n in frames[kind].most_common() if n < count * 0.97]
    for frame, n in interesting[:frames_per_kind]:
        print(f"   {100 * n / count:5.1f}%  {frame[:150]}")
    print("   where its samples end (package of the innermost frame):")
    print("   " + ", ".join(f"{name} {100 * n / count:.0f}%" for name, n in leaves[kind].most_common(8)))
