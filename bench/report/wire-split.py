#!/usr/bin/env python3
"""Splits each stamped token's time into the ai-service's part and the gateway's part, from a loopback capture.

The synthetic provider appends "@t<epoch microseconds>" to every token (SYNTHETIC_STAMP_TOKENS=true). A packet capture
of the loopback interface sees each token twice: leaving the ai-service (to a gateway) and leaving a gateway (to the
load generator). The capture's timestamps are the kernel's, on the same clock as the stamps, so per token:

  ai-service: its packet's time minus the stamp  (the ai-service's SSE write and the loopback)
  gateway:    the gateway's packet time minus the ai-service's packet time  (read, parse, relay, encode, send)

Capture while ./bench/run.sh runs (ports of bench/README.md; Debian: apt-get install tcpdump):

  tcpdump -i lo -nn -s 600 -w /tmp/lo.pcap 'tcp and (src port 19490 or src port 19481 or src port 19482) and greater 60'
  python3 bench/report/wire-split.py /tmp/lo.pcap [--window 12]

It prints, per gateway, the split's p50/p99 for each --window seconds of stamps (the last window of each gateway is
its measured level when the run ends with it), and in that last window the moments the gateway sent nothing for
over 8 ms while tokens waited. Pure standard library; reads classic pcap (not pcapng).
"""
import argparse
import collections
import re
import sys
from datetime import datetime, timezone

from pcap import packets, percentile

STAMP = re.compile(rb'([A-Za-z0-9 ,.\'-]{0,6})@t(\d{16})')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('pcap')
    parser.add_argument('--ai-port', type=int, default=19490)
    parser.add_argument('--gateway', action='append', metavar='NAME=PORT',
                        help='a gateway and its Socket.IO port (default: java=19481 node=19482)')
    parser.add_argument('--window', type=float, default=12.0, help='seconds of stamps per line (default 12)')
    args = parser.parse_args()
    gateways = dict((name, int(port)) for name, port in
                    (g.split('=') for g in (args.gateway or ['java=19481', 'node=19482'])))
    name_of = {port: name for name, port in gateways.items()}

    from_ai, from_gateway, seen_twice = {}, {}, set()
    for time, port, _, _, payload in packets(args.pcap):
        if port != args.ai_port and port not in name_of:
            continue
        for match in STAMP.finditer(payload):
            key = (match.group(1), match.group(2))
            table = from_ai if port == args.ai_port else from_gateway
            if key in table:
                seen_twice.add(key)  # the same text and stamp twice (a resent frame, two equal tokens): ambiguous
            else:
                table[key] = time if port == args.ai_port else (time, name_of[port])

    tokens = collections.defaultdict(list)  # gateway -> [(stamp, ai-service leg, gateway leg, sent)]
    for key, (sent, gateway) in from_gateway.items():
        if key in seen_twice or key not in from_ai:
            continue
        stamp = int(key[1]) / 1e6
        tokens[gateway].append((stamp, from_ai[key] - stamp, sent - from_ai[key], sent))
    if not tokens:
        sys.exit('no stamped token seen both leaving the ai-service and leaving a gateway (ports? stamping on?)')

    for gateway, rows in sorted(tokens.items()):
        rows.sort()
        print(f'{gateway}: {len(rows)} tokens (ms; ai-service = its send minus the stamp, gateway = its send minus '
              f'the ai-service\'s)')
        windows = collections.defaultdict(list)
        for row in rows:
            windows[int((row[0] - rows[0][0]) // args.window)].append(row)
        for index in sorted(windows):
            window = windows[index]
            ai, gw = [r[1] * 1000 for r in window], [r[2] * 1000 for r in window]
            print(f'  +{index * args.window:5.0f} s  {len(window):6d} tokens  ai-service p50 {percentile(ai, 50):5.2f} '
                  f'p99 {percentile(ai, 99):6.2f}   gateway p50 {percentile(gw, 50):5.2f} p99 {percentile(gw, 99):7.2f}')
        last = [r for r in rows if r[0] > rows[-1][0] - args.window]
        sends = sorted(r[3] for r in last)
        for before, after in zip(sends, sends[1:]):
            if after - before <= 0.008:
                continue
            waiting = sum(1 for r in last if r[3] >= after and r[3] - r[2] <= before)
            if waiting:
                moment = datetime.fromtimestamp(before, timezone.utc).strftime('%H:%M:%S.%f')[:-3]
                print(f'  nothing sent for {1000 * (after - before):5.1f} ms after {moment} UTC while '
                      f'{waiting} token(s) waited')


if __name__ == '__main__':
    main()
