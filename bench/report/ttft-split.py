#!/usr/bin/env python3
"""Splits each stream's time to first token into the steps a gateway takes, from a loopback capture.

For every POST /chat/new of the measured level it follows the user on the wire: the request reaching the gateway,
each command the gateway sends to Redis or MongoDB for that user (and when the store's next bytes came back on that
connection), the request to the ai-service, the ai-service's answer and first token, the 202, and the gateway's first
token frame to the socket. Kernel timestamps, no change to either gateway. A user is found by the id in its JWT (Redis
keys, MongoDB queries and the ai-service body carry it; the revocation check carries the token's SHA-256).

Capture while ./bench/run.sh runs (ports of bench/README.md; Debian: apt-get install tcpdump):

  tcpdump -i lo -nn -s 2000 -w /tmp/ttft.pcap \\
      'tcp and (port 19479 or port 19417 or port 19490 or port 19480 or port 19481 or port 19482)'
  python3 bench/report/ttft-split.py /tmp/ttft.pcap

Redis answers in order on a pipelined connection, so "answered" is the next bytes Redis sent on that connection after
the command: exact for MongoDB (one request per connection at a time), close for Redis. Pure standard library.
"""
import argparse
import base64
import collections
import hashlib
import json
import re

from pcap import ACK, SYN, packets, percentile

BEARER = re.compile(rb'(?i)\r\nauthorization: *bearer +([A-Za-z0-9_.-]+)')
STREAM_ID = re.compile(rb'"streamId":"([0-9a-zA-Z-]+)"')
REVOKED_KEY = re.compile(rb'auth:revoked:([0-9a-f]{64})')
RESP_COMMAND = re.compile(rb'\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n')


class Stream:
    def __init__(self, gateway, user, token, posted):
        self.gateway, self.user, self.posted = gateway, user, posted
        self.token_hash = hashlib.sha256(token).hexdigest().encode()
        self.steps = []  # [label, sent, answered]
        self.ai_opened = None  # when the connection was opened, if it was opened for this stream
        self.answered = self.stream_id = self.ai_request = self.ai_status = self.ai_first = self.socket_first = None


def subject(token):
    try:
        body = token.split(b'.')[1]
        return json.loads(base64.urlsafe_b64decode(body + b'=' * (-len(body) % 4)))['sub'].encode()
    except (IndexError, ValueError, KeyError):
        return None


def redis_label(payload, at):
    """The Redis command that holds the byte at `at`, with its key's prefix (EVALSHA names its first key)."""
    commands = [m for m in RESP_COMMAND.finditer(payload) if m.start() <= at]
    name = commands[-1].group(1).decode().upper() if commands else '?'
    key = re.search(rb'([a-z:_]+):[^:\r\n]*$', payload[max(0, at - 40):at])
    return f'redis {name} {key.group(1).decode() if key else ""}'.rstrip()


def mongo_label(payload):
    """The command of a MongoDB OP_MSG (the first field of its body document), e.g. find or update."""
    if len(payload) > 27 and int.from_bytes(payload[12:16], 'little') == 2013 and payload[20] == 0:
        return 'mongo ' + payload[26:payload.index(b'\0', 26)].decode(errors='replace')
    return 'mongo ?'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('pcap')
    parser.add_argument('--users', default=r'-m-\d+$', help='regex a measured user id matches (default: -m-N)')
    parser.add_argument('--gateway', action='append', metavar='NAME=REST_PORT:SOCKET_PORT',
                        help='a gateway (default: java=19480:19481 node=19482:19482)')
    parser.add_argument('--redis-port', type=int, default=19479)
    parser.add_argument('--mongo-port', type=int, default=19417)
    parser.add_argument('--ai-port', type=int, default=19490)
    args = parser.parse_args()
    measured = re.compile(args.users.encode())
    rest, socket = {}, {}
    for spec in args.gateway or ['java=19480:19481', 'node=19482:19482']:
        name, ports = spec.split('=')
        rest_port, socket_port = (int(p) for p in ports.split(':'))
        rest[rest_port], socket[socket_port] = name, name

    streams = []
    by_user, by_hash, by_stream_id = {}, {}, {}
    posting = {}          # (client port, rest port) -> stream waiting for its response
    answering = {}        # (client port, rest port) -> stream whose response body is still to come
    awaiting = collections.defaultdict(list)  # (gateway port, store port) -> steps waiting for the store's bytes
    last_post = {}        # (gateway port, ai port) -> time of the last request line the gateway sent
    on_ai = {}            # (gateway port, ai port) -> the stream it carries
    user_id = None

    opened = {}           # (gateway port, ai port) -> when the gateway opened it, until its first request
    first_on = {}         # (gateway port, ai port) -> when it was opened if its last request was its first
    for time, source, destination, flags, payload in packets(args.pcap):
        if destination == args.ai_port and flags & SYN and not flags & ACK:
            opened[(source, destination)] = time
        if not payload:
            continue
        if destination in rest and payload.startswith(b'POST /api/v1/chat/new'):
            bearer = BEARER.search(payload)
            sub = subject(bearer.group(1)) if bearer else None
            if sub and measured.search(sub):
                stream = Stream(rest[destination], sub, bearer.group(1), time)
                streams.append(stream)
                by_user[sub], by_hash[stream.token_hash] = stream, stream
                posting[(source, destination)] = stream
                if user_id is None:  # the run's users share their first two dash-separated parts (e.g. s-<tag>-)
                    tag = sub[:sub.index(b'-', sub.index(b'-') + 1) + 1] if sub.count(b'-') >= 2 else sub
                    user_id = re.compile(re.escape(tag) + rb'[A-Za-z0-9_.-]*')
        elif source in rest or source in socket:
            key = (destination, source)
            stream = posting.pop(key, None)
            if stream and payload.startswith(b'HTTP/1.1 '):
                stream.answered, stream.status = time, int(payload[9:12])
                answering[key] = stream
            stream = answering.get(key)
            found = STREAM_ID.search(payload) if stream else None
            if found:
                stream.stream_id = found.group(1)
                by_stream_id[found.group(1)] = stream
                del answering[key]
            if source in socket and b'"seq":1,' in payload:
                for found in STREAM_ID.finditer(payload):
                    stream = by_stream_id.get(found.group(1))
                    if stream and stream.socket_first is None and stream.gateway == socket[source]:
                        stream.socket_first = time
        elif destination in (args.redis_port, args.mongo_port) and user_id:
            key = (source, destination)
            for found in list(user_id.finditer(payload)) + list(REVOKED_KEY.finditer(payload)):
                stream = by_user.get(found.group(0)) or by_hash.get(found.group(1) if found.lastindex else b'')
                if stream is None:
                    continue
                label = (redis_label(payload, found.start()) if destination == args.redis_port
                         else mongo_label(payload))
                step = [label, time, None]
                stream.steps.append(step)
                awaiting[key].append(step)
        elif source in (args.redis_port, args.mongo_port):
            for step in awaiting.pop((destination, source), []):
                step[2] = time
        elif destination == args.ai_port:
            key = (source, destination)
            if payload.startswith(b'POST '):
                last_post[key] = time
                first_on[key] = opened.pop(key, None)  # when the connection was opened for this request, or None
            found = user_id.search(payload) if user_id else None
            stream = by_user.get(found.group(0)) if found else None
            if stream and stream.ai_request is None:
                stream.ai_request = last_post.get(key, time)
                stream.ai_opened = first_on.get(key)
                on_ai[key] = stream
        elif source == args.ai_port:
            stream = on_ai.get((destination, source))
            if stream:
                if stream.ai_status is None:
                    stream.ai_status = time
                if stream.ai_first is None and b'@t' in payload:
                    stream.ai_first = time

    for gateway in sorted(set(s.gateway for s in streams)):
        report(gateway, [s for s in streams if s.gateway == gateway])


def report(gateway, streams):
    whole = [s for s in streams if None not in (s.answered, s.ai_request, s.ai_status, s.ai_first, s.socket_first)]
    print(f'{gateway}: {len(streams)} POSTs, {len(whole)} followed to the first token (ms from the POST unless said; '
          f'p50 / p90)')
    if not whole:
        return

    def line(label, values):
        values = [v * 1000 for v in values]
        print(f'  {label:<58} {percentile(values, 50):7.2f} / {percentile(values, 90):7.2f}')

    for s in whole:  # later ones are the ai-service's own (it reads the user's documents) or the stream's end
        s.steps = [step for step in s.steps if step[1] < s.ai_request]
    sequences = collections.Counter(tuple(step[0] for step in s.steps) for s in whole)
    common, count = sequences.most_common(1)[0]
    print(f'  store steps before the ai-service (the most common order, {count} of {len(whole)} streams):')
    same = [s for s in whole if tuple(step[0] for step in s.steps) == common]
    for index, label in enumerate(common):
        line(f'  {label}: sent', [s.steps[index][1] - s.posted for s in same])
        if all(s.steps[index][2] for s in same):
            line(f'  {label}: answered after', [s.steps[index][2] - s.steps[index][1] for s in same])
    fresh = [s for s in whole if s.ai_opened]
    print(f'  {len(fresh)} of {len(whole)} streams opened a new connection to the ai-service')
    if fresh:
        line('  connection opened', [s.ai_opened - s.posted for s in fresh])
    line('request to the ai-service sent', [s.ai_request - s.posted for s in whole])
    line('ai-service answered (status) after its request', [s.ai_status - s.ai_request for s in whole])
    line('202 sent', [s.answered - s.posted for s in whole])
    line('ai-service first token, after its request', [s.ai_first - s.ai_request for s in whole])
    line('first token frame to the socket, after the ai-service\'s', [s.socket_first - s.ai_first for s in whole])
    line('first token frame to the socket', [s.socket_first - s.posted for s in whole])
    line('gateway\'s own part (all but the ai-service\'s request->first token)',
         [(s.socket_first - s.posted) - (s.ai_first - s.ai_request) for s in whole])


if __name__ == '__main__':
    main()
