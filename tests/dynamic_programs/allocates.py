"""Allocates without bound: the memory limit must stop it."""
chunks = []
while True:
    chunks.append(bytearray(50 * 2**20))
