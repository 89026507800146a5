"""MACAddress=persistent written again from its documentation (docs/config.md), not from vfctl's C:
SipHash-2-4 keyed with the machine id over a fixed domain string, the PF's permanent MAC and the VF
index; six bytes, locally administered and unicast. Tests compare what vfctl set with this."""

DOMAIN = b"vfctl persistent VF MAC v1\0"
M64 = (1 << 64) - 1


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & M64


def siphash24(key, data):
    k0, k1 = int.from_bytes(key[:8], "little"), int.from_bytes(key[8:], "little")
    v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d, k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573]

    def rounds(n):
        for _ in range(n):
            v[0] = (v[0] + v[1]) & M64
            v[1] = _rotl(v[1], 13) ^ v[0]
            v[0] = _rotl(v[0], 32)
            v[2] = (v[2] + v[3]) & M64
            v[3] = _rotl(v[3], 16) ^ v[2]
            v[0] = (v[0] + v[3]) & M64
            v[3] = _rotl(v[3], 21) ^ v[0]
            v[2] = (v[2] + v[1]) & M64
            v[1] = _rotl(v[1], 17) ^ v[2]
            v[2] = _rotl(v[2], 32)

    tail = len(data) % 8
    for i in range(0, len(data) - tail, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v[3] ^= m
        rounds(2)
        v[0] ^= m
    last = (len(data) & 0xff) << 56 | int.from_bytes(data[len(data) - tail:], "little")
    v[3] ^= last
    rounds(2)
    v[0] ^= last
    v[2] ^= 0xff
    rounds(4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def persistent_mac(machine_id, pf_perm_mac, vf):
    """machine_id: 32 hex digits; pf_perm_mac: "52:54:00:12:34:56"; vf: the index."""
    data = DOMAIN + b"m" + bytes(int(x, 16) for x in pf_perm_mac.split(":")) + vf.to_bytes(4, "little")
    m = bytearray(siphash24(bytes.fromhex(machine_id), data).to_bytes(8, "little")[:6])
    m[0] = (m[0] & 0xfe) | 0x02
    return ":".join("%02x" % b for b in m)
