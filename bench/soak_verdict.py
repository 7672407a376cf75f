#!/usr/bin/env python3
"""The soak's verdict (bench/soak.sh): reads its samples and client reports, prints the figures
and PASS or FAIL, and exits 1 on FAIL.

  soak_verdict.py DIR

DIR/samples.csv: t,rss_kb,fds,messages (one line a second). DIR/*.json: warren-perf summaries
(one object per line) and soak_clients.py reports.

Memory: after a warm-up (the first fifth), the least-squares slope of RSS over the rest must be
under 1 MiB per 10 minutes (the soak keeps queue depths bounded, so the queues explain no
growth), and the last fifth's mean may be at most 10 % (and 8 MiB) above the second fifth's. Descriptors: the last minute's maximum at most 16 above the warm-up's maximum.
Nothing lost: every warren-perf run received at least what it had confirmed, the slow queue
drained to empty, and every queue is empty at the end.
"""

import glob
import json
import statistics
import sys


def slope(xs, ys):
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def main(out):
    rows = []
    with open(f"{out}/samples.csv") as f:
        next(f)
        for line in f:
            t, rss, fds, messages = line.strip().split(",")
            rows.append((float(t), int(rss), int(fds), int(messages)))
    failures = []
    if len(rows) < 60:
        failures.append(f"only {len(rows)} samples")
    fifth = max(1, len(rows) // 5)
    warm, second, rest, last = rows[:fifth], rows[fifth : 2 * fifth], rows[fifth:], rows[-fifth:]
    rss_slope = slope([r[0] for r in rest], [r[1] / 1024 for r in rest]) * 600  # MiB / 10 min
    second_mean = statistics.fmean(r[1] for r in second) / 1024
    last_mean = statistics.fmean(r[1] for r in last) / 1024
    peak = max(r[1] for r in rows) / 1024
    fds_warm = max(r[2] for r in warm)
    fds_last = max(r[2] for r in rows[-60:])
    depth_max = max(r[3] for r in rows)
    print(
        f"samples {len(rows)} over {rows[-1][0] - rows[0][0]:.0f} s; RSS {second_mean:.1f} MiB "
        f"(2nd fifth) -> {last_mean:.1f} MiB (last fifth), peak {peak:.1f} MiB, slope "
        f"{rss_slope:+.2f} MiB / 10 min; fds {fds_warm} (warm-up max) -> {fds_last} (last "
        f"minute max); deepest total queue depth {depth_max}"
    )
    if rss_slope > 1.0:
        failures.append(f"RSS grows {rss_slope:+.2f} MiB / 10 min")
    if last_mean > second_mean * 1.10 and last_mean - second_mean > 8:
        failures.append(f"RSS {second_mean:.1f} -> {last_mean:.1f} MiB")
    if fds_last > fds_warm + 16:
        failures.append(f"descriptors {fds_warm} -> {fds_last}")

    perf_runs = confirmed = received = 0
    for path in sorted(glob.glob(f"{out}/*.json")):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                r = json.loads(line)
                if "confirmed" in r and r["consumers"] == 0:
                    print(f"{path}: a publisher alone, confirmed {r['confirmed']}")
                elif "confirmed" in r:
                    perf_runs += 1
                    confirmed += r["confirmed"]
                    received += r["received"]
                    if r["received"] < r["confirmed"]:
                        failures.append(
                            f"{path}: received {r['received']} < confirmed {r['confirmed']}"
                        )
                elif r.get("kind") == "slow":
                    print(
                        f"slow consumer: received {r['received']}, acked {r['acked']}, "
                        f"{r['reconnects']} reconnects"
                    )
    print(f"warren-perf runs with consumers {perf_runs}: confirmed {confirmed}, received {received}")
    with open(f"{out}/final_depths.txt") as f:
        depths = f.read().strip()
    print(f"queue depths at the end: {depths or 'none'}")
    for item in depths.split():
        name, n = item.rsplit("=", 1)
        if int(n) != 0:
            failures.append(f"queue {name} still holds {n}")
    if failures:
        print("FAIL: " + "; ".join(failures))
        return 1
    print("PASS: no growth trend, nothing lost")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
