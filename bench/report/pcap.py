"""Reads the IPv4 TCP packets of a classic pcap file (tcpdump -w); shared by the wire-level reports."""
import struct
import sys

SYN, ACK = 0x02, 0x10


def packets(path):
    """(time, source port, destination port, TCP flags, TCP payload) of each IPv4 TCP packet of a classic pcap file."""
    with open(path, 'rb') as capture:
        header = capture.read(24)
        magic = struct.unpack('<I', header[:4])[0]
        if magic not in (0xa1b2c3d4, 0xa1b23c4d):
            sys.exit(f'{path}: not a little-endian classic pcap file (write it with tcpdump -w)')
        fraction = 1e9 if magic == 0xa1b23c4d else 1e6
        link_header = {1: 14, 113: 16, 276: 20}.get(struct.unpack('<I', header[20:24])[0], 14)
        while True:
            record = capture.read(16)
            if len(record) < 16:
                return
            seconds, fraction_part, length, _ = struct.unpack('<IIII', record)
            data = capture.read(length)
            ip = data[link_header:]
            if not ip or ip[0] >> 4 != 4 or ip[9] != 6:
                continue
            tcp = ip[(ip[0] & 15) * 4:]
            offset = (tcp[12] >> 4) * 4
            source, destination = struct.unpack('>HH', tcp[0:4])
            yield seconds + fraction_part / fraction, source, destination, tcp[13], tcp[offset:]


def percentile(values, p):
    """The p-th percentile (nearest rank) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]
